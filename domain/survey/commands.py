"""Use cases on surveys, invitations and responses: command dataclasses, the handler functions
that run them (see :mod:`domain.shared.commands`) and the queries the API asks."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.customer.commands import customer_in, customer_of
from domain.customer.model import Customer
from domain.customer.profile import ConsentPurpose
from domain.loyalty.account import ACCOUNT_NAMESPACE, LoyaltyAccount
from domain.loyalty.commands import tier_in
from domain.loyalty.values import Tier
from domain.shared.aggregate import LedgerAggregate
from domain.shared.application import CommandResult, LedgerCore, of_kind
from domain.shared.commands import Command
from domain.shared.errors import ConcurrencyConflictError, ValidationError
from domain.shared.ids import new_id
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
class DraftSurvey(Command[CommandResult]):
    """Draft a survey. ``survey_id`` doubles as the idempotency key."""

    kind: SurveyKind
    title: str
    question: str
    channels: list[SurveyChannel]
    aspects: list[AspectQuestion] = field(default_factory=list)
    product_version: str | None = None
    survey_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class EditSurvey(Command[CommandResult]):
    """Change a draft; fields left at KEEP stay as they are."""

    survey_id: UUID
    title: str | Keep = KEEP
    question: str | Keep = KEEP
    aspects: list[AspectQuestion] | Keep = KEEP
    product_version: str | Keep | None = KEEP
    channels: list[SurveyChannel] | Keep = KEEP
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ResponseRecorded(CommandResult):
    """What an answer did (its invitation is ``aggregate_id``), and the survey answered: the
    API shows it without loading the invitation again."""

    survey_id: UUID


@dataclass(frozen=True, slots=True)
class SubmitResponse(Command[ResponseRecorded]):
    """Answer through a link's ``token``, or as the logged-in ``customer_id`` to ``survey_id``."""

    score: int
    comment: str | None = None
    aspect_scores: AspectScores = field(default_factory=dict)
    token: str | None = None
    survey_id: UUID | None = None
    customer_id: UUID | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class PublishSurvey(Command[CommandResult]):
    survey_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class CloseSurvey(Command[CommandResult]):
    survey_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class InviteToSurvey(Command[CommandResult]):
    """Invite by a link on ``channel``; inviting again re-issues the link (the old dies)."""

    survey_id: UUID
    customer_id: UUID
    channel: SurveyChannel
    now: datetime | None = None
    occasion: UUID | None = None
    """What the invitation asks about (a resolved ticket), if anything: an invitation of its
    own, so a customer who answered the survey about an earlier occasion is asked again."""


@dataclass(frozen=True, slots=True)
class SurveyLink:
    """What an invitation's link opens: the survey, the invitation, and whether it was used."""

    survey: Survey
    invitation: Invitation
    answered: bool


def draft_survey(
    ledger: LedgerCore, command: DraftSurvey, metadata: EventMetadata
) -> CommandResult:
    survey_id = command.survey_id or new_id()
    survey = ledger.find(survey_id, Survey, _not_a_survey)
    if survey is not None:  # a replayed command answers the same
        return CommandResult(survey.id, survey.version, ledger.head_position())
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
    return CommandResult(survey.id, survey.version, ledger.commit(survey))


@retried_unless_pinned
def edit_survey(ledger: LedgerCore, command: EditSurvey, metadata: EventMetadata) -> CommandResult:
    survey = ledger.load(command.survey_id, Survey, _not_a_survey, command.expected_version)
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
    return CommandResult(survey.id, survey.version, ledger.commit(survey))


@retried_unless_pinned
def publish_survey(
    ledger: LedgerCore, command: PublishSurvey, metadata: EventMetadata
) -> CommandResult:
    survey = ledger.load(command.survey_id, Survey, _not_a_survey, command.expected_version)
    with acting_as(metadata):
        survey.publish()
    return CommandResult(survey.id, survey.version, ledger.commit(survey))


@retried_unless_pinned
def close_survey(
    ledger: LedgerCore, command: CloseSurvey, metadata: EventMetadata
) -> CommandResult:
    survey = ledger.load(command.survey_id, Survey, _not_a_survey, command.expected_version)
    with acting_as(metadata):
        survey.close()
    return CommandResult(survey.id, survey.version, ledger.commit(survey))


def invite_to_survey(
    ledger: LedgerCore, command: InviteToSurvey, metadata: EventMetadata
) -> CommandResult:
    invitation = invitation_to_send(ledger, command, metadata)
    return CommandResult(invitation.id, invitation.version, ledger.commit(invitation))


def invitation_to_send(
    ledger: LedgerCore, command: InviteToSurvey, metadata: EventMetadata
) -> Invitation:
    """The invitation issued (or re-issued) by ``command``, not yet committed: a reaction
    commits it together with the record of what caused it."""
    survey_id, customer_id, channel = command.survey_id, command.customer_id, command.channel
    survey = survey_of(ledger, survey_id)
    survey.check_open()
    if channel.value not in survey.channels:
        raise ValidationError("the survey does not run on this channel", field="channel")
    recipient = _recipient(customer_of(ledger, customer_id), channel)
    invitation_id = Invitation.id_for(survey_id, customer_id, command.occasion)
    token = f"{invitation_id.hex}.{secrets.token_urlsafe(32)}"
    expires_at = (command.now or datetime.now(UTC)) + INVITATION_LIFETIME
    with acting_as(metadata):
        invitation = ledger.find(invitation_id, Invitation, _invalid_link)
        if invitation is not None:
            invitation.reissue(channel.value, token, expires_at, recipient)
        else:
            link = (token, expires_at, recipient)
            invitation = Invitation.issue(
                survey_id, customer_id, channel.value, link, command.occasion
            )
    return invitation


def submit_survey_response(
    ledger: LedgerCore, command: SubmitResponse, metadata: EventMetadata
) -> ResponseRecorded:
    """Record the one answer to an invitation; a second is ALREADY_RESPONDED."""
    moment = command.now or datetime.now(UTC)
    aspect_scores = check_aspect_scores(command.aspect_scores)
    answer = Answer(command.score, check_comment(command.comment), aspect_scores)
    invitation, survey, customer, tier = _answering(ledger, command, moment, metadata)
    segment = RespondentSegment(region=customer.region, tier=None if tier is None else tier.value)
    with acting_as(metadata):
        invitation.respond(survey, answer, segment, moment)
    try:
        position = ledger.commit(invitation)
        return ResponseRecorded(invitation.id, invitation.version, position, survey.id)
    except ConcurrencyConflictError:
        # Someone answered the same invitation in the same instant: theirs was first.
        raise AlreadyRespondedError("this invitation has already been answered") from None


# --- queries --------------------------------------------------------------------------------


def survey_of(ledger: LedgerCore, survey_id: UUID) -> Survey:
    return ledger.load(survey_id, Survey, _not_a_survey)


def invitation_of(ledger: LedgerCore, invitation_id: UUID) -> Invitation:
    return ledger.load(invitation_id, Invitation, _invalid_link)


def survey_link(ledger: LedgerCore, token: str, now: datetime | None = None) -> SurveyLink:
    """Open a link; forged and expired tokens get the same INVALID_SURVEY_TOKEN."""
    invitation = invitation_of(ledger, invitation_id_in(token))
    try:
        invitation.check_token(token, now or datetime.now(UTC))
        answered = False
    except AlreadyRespondedError:
        answered = True  # the token matched, so its holder may learn it was used
    return SurveyLink(survey_of(ledger, invitation.survey_id), invitation, answered)


# --- helpers --------------------------------------------------------------------------------


def _answering(
    ledger: LedgerCore, command: SubmitResponse, now: datetime, metadata: EventMetadata
) -> tuple[Invitation, Survey, Customer, Tier | None]:
    """The invitation answered, its survey, its customer and their tier, each loaded once and
    all in one read (from a link, the invitation and what it names). Refusals come in the
    order of one load after another: invitation, token, survey, customer, loyalty account."""
    if command.token is not None:
        invitation_id = invitation_id_in(command.token)
        found = _read_from_link(ledger, invitation_id)
        invitation = invitation_in(found, invitation_id)
        invitation.check_token(command.token, now)
        survey = survey_in(found, invitation.survey_id)
        customer = customer_in(found, invitation.customer_id)
        return invitation, survey, customer, tier_in(found, customer.id)
    if command.survey_id is None or command.customer_id is None:
        raise ValidationError("give the link's token, or log in and name the survey")
    invitation_id = Invitation.id_for(command.survey_id, command.customer_id)
    found = _read_for_answer(ledger, command.survey_id, command.customer_id, invitation_id)
    survey = survey_in(found, command.survey_id)
    customer = customer_in(found, command.customer_id)
    invited = of_kind(found.get(invitation_id), Invitation, _invalid_link)
    invitation = invited or _in_product_invitation(survey, customer.id, metadata)
    return invitation, survey, customer, tier_in(found, customer.id)


def _read_for_answer(
    ledger: LedgerCore, survey_id: UUID, customer_id: UUID, invitation_id: UUID | None
) -> dict[UUID, LedgerAggregate]:
    """The survey, the customer, their loyalty account and (if named) the invitation, read
    together: one round trip for the streams (and one for the snapshots) where loading them
    one by one took five or more."""
    wanted: dict[UUID, type[LedgerAggregate]] = {
        survey_id: Survey,
        customer_id: Customer,
        LoyaltyAccount.id_for(customer_id): LoyaltyAccount,
    }
    if invitation_id is not None:
        wanted[invitation_id] = Invitation
    return ledger.find_together(wanted, disclosed=False)


def _read_from_link(ledger: LedgerCore, invitation_id: UUID) -> dict[UUID, LedgerAggregate]:
    """The invitation of a link, and the survey, customer and loyalty account it names, in
    one read (the invitation first, then the rest, took two round trips).

    Both reads here decode personal values unread (``disclosed=False``): an answer reads the
    customer's region and the invitation's token digest, none of the sealed values (the
    link's token, its recipient, the customer's name and addresses), and saves only the new
    response, sealed anew. Opening them cost a decryption each."""
    return ledger.find_following(
        invitation_id,
        Invitation,
        Invitation.Issued,
        ("survey_id", "customer_id"),
        _LOYALTY_ACCOUNT_OF_CUSTOMER,
        disclosed=False,
    )


_LOYALTY_ACCOUNT_OF_CUSTOMER = ((ACCOUNT_NAMESPACE, "customer_id"),)
"""The loyalty account an invitation names through its customer: ``LoyaltyAccount.id_for``,
``uuid5(ACCOUNT_NAMESPACE, customer_id.hex)``, as the read derives it."""


def survey_in(found: Mapping[UUID, LedgerAggregate], survey_id: UUID) -> Survey:
    """The survey among aggregates read together, as :func:`survey_of` loads it."""
    survey = of_kind(found.get(survey_id), Survey, _not_a_survey)
    if survey is None:
        raise _not_a_survey()
    return survey


def invitation_in(found: Mapping[UUID, LedgerAggregate], invitation_id: UUID) -> Invitation:
    """The invitation among aggregates read together, as :func:`invitation_of` loads it."""
    invitation = of_kind(found.get(invitation_id), Invitation, _invalid_link)
    if invitation is None:
        raise _invalid_link()
    return invitation


def _in_product_invitation(
    survey: Survey, customer_id: UUID, metadata: EventMetadata
) -> Invitation:
    """A logged-in customer with no invitation opens the survey in-product."""
    survey.check_open()
    channel = next((c for c in IN_PRODUCT if c.value in survey.channels), None)
    if channel is None:
        raise ContactNotPermittedError(
            "this survey is answered from its link only", field="surveyId"
        )
    with acting_as(metadata):
        return Invitation.issue(survey.id, customer_id, channel.value, None)


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


def _not_a_survey() -> SurveyNotFoundError:
    return SurveyNotFoundError("no such survey", field="surveyId")


def _invalid_link() -> InvalidSurveyTokenError:
    return InvalidSurveyTokenError("the survey link is invalid or has expired")
