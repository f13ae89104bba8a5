"""Use cases on surveys, invitations and responses, mixed into the Ledger application."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.customer.model import Customer
from domain.customer.profile import ConsentPurpose
from domain.loyalty.commands import LoyaltyCommands
from domain.shared.application import CommandResult
from domain.shared.errors import ConcurrencyConflictError, ValidationError
from domain.shared.keep import KEEP, Keep
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.personal_data import PersonalData
from domain.shared.retry import retried_unless_pinned
from domain.survey.errors import (
    AlreadyRespondedError,
    ContactNotPermittedError,
    InvalidSurveyTokenError,
    SurveyNotFoundError,
)
from domain.survey.model import Answer, Invitation, RespondentSegment, Survey
from domain.survey.values import (
    MAX_QUESTION,
    MAX_TITLE,
    AspectQuestion,
    AspectScores,
    SurveyChannel,
    SurveyKind,
    check_aspect_scores,
    check_aspects,
    check_channels,
    check_comment,
    check_product_version,
    check_text,
)

INVITATION_LIFETIME = timedelta(days=30)
IN_PRODUCT = (SurveyChannel.APP, SurveyChannel.WEB)


@dataclass(frozen=True, slots=True)
class DraftSurvey:
    """Draft a survey. ``survey_id`` doubles as the idempotency key."""

    kind: SurveyKind
    title: str
    question: str
    channels: list[SurveyChannel]
    aspects: list[AspectQuestion] = field(default_factory=list)
    product_version: str | None = None
    survey_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class EditSurvey:
    """Change a draft; fields left at KEEP stay as they are."""

    survey_id: UUID
    title: str | Keep = KEEP
    question: str | Keep = KEEP
    aspects: list[AspectQuestion] | Keep = KEEP
    product_version: str | Keep | None = KEEP
    channels: list[SurveyChannel] | Keep = KEEP
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class SubmitResponse:
    """Answer through a link's ``token``, or as the logged-in ``customer_id`` to ``survey_id``."""

    score: int
    comment: str | None = None
    aspect_scores: AspectScores = field(default_factory=dict)
    token: str | None = None
    survey_id: UUID | None = None
    customer_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class SurveyLink:
    """What an invitation's link opens: the survey, the invitation, and whether it was used."""

    survey: Survey
    invitation: Invitation
    answered: bool


class SurveyCommands(LoyaltyCommands):
    """Commands on :class:`Survey` and :class:`Invitation`."""

    def draft_survey(self, command: DraftSurvey, metadata: EventMetadata) -> CommandResult:
        survey_id = command.survey_id or uuid4()
        if self.exists(survey_id):
            survey = self.get_survey(survey_id)  # a replayed command answers the same
            return CommandResult(survey.id, survey.version, self.head_position())
        with acting_as(metadata):
            survey = Survey.draft(
                survey_id,
                kind=command.kind,
                title=check_text(command.title, "title", MAX_TITLE),
                question=check_text(command.question, "question", MAX_QUESTION),
                aspects=check_aspects(command.aspects),
                product_version=check_product_version(command.product_version),
                channels=check_channels(command.channels),
            )
        return CommandResult(survey.id, survey.version, self.commit(survey))

    @retried_unless_pinned
    def edit_survey(self, command: EditSurvey, metadata: EventMetadata) -> CommandResult:
        survey = self._survey_at(command.survey_id, command.expected_version)
        title = survey.title if command.title is KEEP else command.title
        question = survey.question if command.question is KEEP else command.question
        version = command.product_version
        with acting_as(metadata):
            survey.reword(
                check_text(title, "title", MAX_TITLE),
                check_text(question, "question", MAX_QUESTION),
            )
            if command.aspects is not KEEP:
                survey.change_aspects(check_aspects(command.aspects))
            survey.retarget(
                survey.product_version if version is KEEP else check_product_version(version),
                survey.channels if command.channels is KEEP else check_channels(command.channels),
            )
        return CommandResult(survey.id, survey.version, self.commit(survey))

    @retried_unless_pinned
    def publish_survey(
        self, survey_id: UUID, metadata: EventMetadata, expected_version: int | None = None
    ) -> CommandResult:
        survey = self._survey_at(survey_id, expected_version)
        with acting_as(metadata):
            survey.publish()
        return CommandResult(survey.id, survey.version, self.commit(survey))

    @retried_unless_pinned
    def close_survey(
        self, survey_id: UUID, metadata: EventMetadata, expected_version: int | None = None
    ) -> CommandResult:
        survey = self._survey_at(survey_id, expected_version)
        with acting_as(metadata):
            survey.close()
        return CommandResult(survey.id, survey.version, self.commit(survey))

    def invite_to_survey(
        self,
        survey_id: UUID,
        customer_id: UUID,
        channel: SurveyChannel,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        """Invite by a link on ``channel``; inviting again re-issues the link (the old dies)."""
        survey = self.get_survey(survey_id)
        survey.check_open()
        if channel.value not in survey.channels:
            raise ValidationError("the survey does not run on this channel", field="channel")
        customer = self.get_customer(customer_id)
        recipient = _recipient(customer, channel)
        token = f"{Invitation.id_for(survey_id, customer_id).hex}.{secrets.token_urlsafe(32)}"
        expires_at = (now or datetime.now(UTC)) + INVITATION_LIFETIME
        invitation_id = Invitation.id_for(survey_id, customer_id)
        with acting_as(metadata):
            if self.exists(invitation_id):
                invitation = self._invitation(invitation_id)
                invitation.reissue(channel.value, token, expires_at, recipient)
            else:
                link = (token, expires_at, recipient)
                invitation = Invitation.issue(survey_id, customer_id, channel.value, link)
        return CommandResult(invitation.id, invitation.version, self.commit(invitation))

    def submit_survey_response(
        self, command: SubmitResponse, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        """Record the one answer to an invitation; a second is ALREADY_RESPONDED."""
        moment = now or datetime.now(UTC)
        aspect_scores = check_aspect_scores(command.aspect_scores)
        answer = Answer(command.score, check_comment(command.comment), aspect_scores)
        invitation = self._answerable_invitation(command, moment, metadata)
        survey = self.get_survey(invitation.survey_id)
        tier = self.loyalty_tier(invitation.customer_id)
        segment = RespondentSegment(
            region=self.get_customer(invitation.customer_id).region,
            tier=None if tier is None else tier.value,
        )
        with acting_as(metadata):
            invitation.respond(survey, answer, segment, moment)
        try:
            return CommandResult(invitation.id, invitation.version, self.commit(invitation))
        except ConcurrencyConflictError:
            # Someone answered the same invitation in the same instant: theirs was first.
            raise AlreadyRespondedError("this invitation has already been answered") from None

    def get_survey(self, survey_id: UUID) -> Survey:
        return self.load(
            survey_id, Survey, lambda: SurveyNotFoundError("no such survey", field="surveyId")
        )

    def get_invitation(self, survey_id: UUID, customer_id: UUID) -> Invitation:
        return self._invitation(Invitation.id_for(survey_id, customer_id))

    def survey_link(self, token: str, now: datetime | None = None) -> SurveyLink:
        """Open a link; forged and expired tokens get the same INVALID_SURVEY_TOKEN."""
        invitation = self._invitation(invitation_id_in(token))
        try:
            invitation.check_token(token, now or datetime.now(UTC))
            answered = False
        except AlreadyRespondedError:
            answered = True  # the token matched, so its holder may learn it was used
        return SurveyLink(self.get_survey(invitation.survey_id), invitation, answered)

    def survey_of_invitation(self, invitation_id: UUID) -> UUID:
        return self._invitation(invitation_id).survey_id

    def _survey_at(self, survey_id: UUID, expected_version: int | None) -> Survey:
        return self.load(
            survey_id,
            Survey,
            lambda: SurveyNotFoundError("no such survey", field="surveyId"),
            expected_version,
        )

    def _invitation(self, invitation_id: UUID) -> Invitation:
        return self.load(
            invitation_id,
            Invitation,
            lambda: InvalidSurveyTokenError("the survey link is invalid or has expired"),
        )

    def _answerable_invitation(
        self, command: SubmitResponse, now: datetime, metadata: EventMetadata
    ) -> Invitation:
        if command.token is not None:
            invitation = self._invitation(invitation_id_in(command.token))
            invitation.check_token(command.token, now)
            return invitation
        if command.survey_id is None or command.customer_id is None:
            raise ValidationError("give the link's token, or log in and name the survey")
        return self._in_product_invitation(command.survey_id, command.customer_id, metadata)

    def _in_product_invitation(
        self, survey_id: UUID, customer_id: UUID, metadata: EventMetadata
    ) -> Invitation:
        """A logged-in customer answers their invitation, or opens the survey in-product."""
        invitation_id = Invitation.id_for(survey_id, customer_id)
        if self.exists(invitation_id):
            return self._invitation(invitation_id)
        survey = self.get_survey(survey_id)
        survey.check_open()
        self.get_customer(customer_id)
        channel = next((c for c in IN_PRODUCT if c.value in survey.channels), None)
        if channel is None:
            raise ContactNotPermittedError(
                "this survey is answered from its link only", field="surveyId"
            )
        with acting_as(metadata):
            return Invitation.issue(survey_id, customer_id, channel.value, None)


def invitation_id_in(token: str) -> UUID:
    """The invitation a link's token belongs to (its head); forged heads are refused."""
    head, _, _ = token.partition(".")
    try:
        return UUID(hex=head)
    except ValueError:
        raise InvalidSurveyTokenError(
            "the survey link is invalid or has expired", field="token"
        ) from None


def _recipient(customer: Customer, channel: SurveyChannel) -> PersonalData | None:
    """Where the link goes, refusing channels and purposes the customer said no to."""
    if customer.consents.get(ConsentPurpose.RESEARCH.value) is False:
        raise ContactNotPermittedError(
            "the customer withdrew or refused consent to research surveys", field="customerId"
        )
    contact = channel.contact_channel
    if contact is None:
        return None  # shown in the app or site, where the customer already is
    if customer.contact_channels.get(contact.value) is not True:
        raise ContactNotPermittedError(
            f"the customer has not opted in to {contact.value}", field="channel"
        )
    address = {"email": customer.email, "sms": customer.phone}.get(contact.value)
    if contact.value == "sms" and address is None:
        raise ContactNotPermittedError("the customer has no phone number", field="channel")
    return address
