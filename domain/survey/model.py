"""The Survey and Invitation aggregates, with their past-tense events.

A survey's own stream holds only its definition and lifecycle. Each invitation is a stream of
its own and holds its response, so thousands of people answering one survey never contend on
one stream; the invitation's id derives from (survey, customer), so a customer is invited to a
survey once (a second invitation re-issues the link) and answers it once. An invitation about
an occasion (the CSAT survey about one resolved ticket) derives from (survey, customer,
occasion) instead: each occasion asks afresh, answered or not before.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.shared.aggregate import LedgerAggregate
from domain.shared.disclosure import Secret
from domain.shared.errors import ValidationError
from domain.shared.personal_data import PersonalData
from domain.survey.errors import (
    AlreadyRespondedError,
    InvalidSurveyTokenError,
    SurveyLinkExpiredError,
    SurveyNotEditableError,
    SurveyNotOpenError,
)
from domain.survey.sentiment import sentiment
from domain.survey.values import (
    ASPECT_SCALE,
    AspectQuestion,
    SurveyKind,
    SurveyStatus,
    check_score,
)

INVITATION_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/survey-invitation")


@dataclass(frozen=True, slots=True)
class Answer:
    """What a respondent gave: the main score, a comment and aspect scores (checked values)."""

    score: int
    comment: str | None
    aspect_scores: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RespondentSegment:
    """Who answered, as the dashboard segments them, at the moment they answered: their
    region, and their loyalty tier (None when not a member)."""

    region: str | None
    tier: str | None


class Survey(LedgerAggregate):
    """An NPS, CSAT or CES questionnaire: drafted, published, closed."""

    class Drafted(LedgerAggregate.Created):
        """A survey was drafted with its questions, product version and channels."""

        kind: str
        title: str
        question: str
        aspects: list[dict[str, str]]
        product_version: str | None
        channels: list[str]

        def apply(self, survey: Survey) -> None:
            survey.kind = SurveyKind(self.kind)
            survey.title = self.title
            survey.question = self.question
            survey.aspects = self.aspects
            survey.product_version = self.product_version
            survey.channels = self.channels
            survey.status = SurveyStatus.DRAFT

    class Reworded(LedgerAggregate.Event):
        """The draft's title or main question was rewritten."""

        title: str
        question: str

        def apply(self, survey: Survey) -> None:
            survey.title = self.title
            survey.question = self.question

    class AspectsChanged(LedgerAggregate.Event):
        """The draft's aspect questions were replaced."""

        aspects: list[dict[str, str]]

        def apply(self, survey: Survey) -> None:
            survey.aspects = self.aspects

    class Retargeted(LedgerAggregate.Event):
        """The draft now asks about another product version, or runs on other channels."""

        product_version: str | None
        channels: list[str]

        def apply(self, survey: Survey) -> None:
            survey.product_version = self.product_version
            survey.channels = self.channels

    class Published(LedgerAggregate.Event):
        """The survey opened: invitations and answers are accepted from now on."""

        def apply(self, survey: Survey) -> None:
            survey.status = SurveyStatus.PUBLISHED

    class Closed(LedgerAggregate.Event):
        """The survey closed for good: no more invitations or answers."""

        def apply(self, survey: Survey) -> None:
            survey.status = SurveyStatus.CLOSED

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    kind: SurveyKind
    title: str
    question: str
    aspects: list[dict[str, str]]
    product_version: str | None
    channels: list[str]
    status: SurveyStatus

    @classmethod
    def draft(
        cls,
        survey_id: UUID,
        *,
        kind: SurveyKind,
        title: str,
        question: str,
        aspects: list[AspectQuestion],
        product_version: str | None,
        channels: list[str],
    ) -> Survey:
        return cls._create(
            cls.Drafted,
            id=survey_id,
            kind=kind.value,
            title=title,
            question=question,
            aspects=[a.as_dict() for a in aspects],
            product_version=product_version,
            channels=channels,
        )

    def _check_draft(self) -> None:
        if self.status is not SurveyStatus.DRAFT:
            raise SurveyNotEditableError(f"the survey is {self.status.value}; only drafts change")

    def reword(self, title: str, question: str) -> None:
        self._check_draft()
        if (title, question) != (self.title, self.question):
            self.trigger_event(self.Reworded, title=title, question=question)

    def change_aspects(self, aspects: list[AspectQuestion]) -> None:
        self._check_draft()
        as_dicts = [a.as_dict() for a in aspects]
        if as_dicts != self.aspects:
            self.trigger_event(self.AspectsChanged, aspects=as_dicts)

    def retarget(self, product_version: str | None, channels: list[str]) -> None:
        self._check_draft()
        if (product_version, channels) != (self.product_version, self.channels):
            self.trigger_event(self.Retargeted, product_version=product_version, channels=channels)

    def publish(self) -> None:
        if self.status is not SurveyStatus.DRAFT:
            raise SurveyNotEditableError(f"the survey is already {self.status.value}")
        self.trigger_event(self.Published)

    def close(self) -> None:
        if self.status is not SurveyStatus.PUBLISHED:
            raise SurveyNotOpenError(f"the survey is {self.status.value}; only open ones close")
        self.trigger_event(self.Closed)

    def check_open(self) -> None:
        """Refuse invitations and answers unless the survey is published and not closed."""
        if self.status is not SurveyStatus.PUBLISHED:
            raise SurveyNotOpenError(f"the survey is {self.status.value}; it takes no answers")

    @property
    def aspect_keys(self) -> set[str]:
        return {a["key"] for a in self.aspects}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(LedgerAggregate):
    """One customer's invitation to one survey, and their one response to it."""

    class Issued(LedgerAggregate.Created):
        """A customer was invited. Links carry a token: the log keeps its digest; the token
        and the address it goes to are sealed for the outbox. In-product invitations (the
        customer opened the survey in the app or site) have no token."""

        survey_id: UUID
        customer_id: UUID
        channel: str
        token_digest: Secret[str | None]
        expires_at: datetime | None
        token: Secret[PersonalData | None]
        recipient: PersonalData | None

        def apply(self, invitation: Invitation) -> None:
            invitation.survey_id = self.survey_id
            invitation.customer_id = self.customer_id
            invitation.issued_at = self.timestamp
            invitation.responded_at = None
            Invitation._take_link(invitation, self.channel, self.token_digest, self.expires_at)

    class Reissued(LedgerAggregate.Event):
        """The invitation was sent again (maybe on another channel); earlier links die."""

        channel: str
        token_digest: Secret[str]
        expires_at: datetime
        token: Secret[PersonalData]
        recipient: PersonalData | None

        def apply(self, invitation: Invitation) -> None:
            Invitation._take_link(invitation, self.channel, self.token_digest, self.expires_at)

    class Responded(LedgerAggregate.Event):
        """The customer answered. The segment attributes (region, channel, product version,
        loyalty tier) are frozen here, so later changes to the customer do not rewrite the
        dashboard. ``comment_sentiment`` is the comment's score, kept apart from its text so
        that it outlives the text's erasure.

        Version 2 added ``tier`` and ``comment_sentiment``; version 1 events read them as
        None (the tier then was not recorded; the sentiment is computed from the text)."""

        class_version = 2

        survey_id: UUID
        customer_id: UUID
        kind: str
        score: int
        aspect_scores: dict[str, int]
        comment: PersonalData | None
        channel: str
        region: str | None
        product_version: str | None
        completion_seconds: float
        tier: str | None
        comment_sentiment: float | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["tier"] = None
            state["comment_sentiment"] = None

        def apply(self, invitation: Invitation) -> None:
            invitation.responded_at = self.timestamp
            invitation.kind = self.kind
            invitation.score = self.score
            invitation.commented = self.comment is not None

    class Thanked(LedgerAggregate.Event):
        """The promoter behind this response was thanked (once per response), on ``channel``
        (email or SMS) at ``recipient``, with their referral
        code when they consented to marketing and the program is on. The outbox reads the
        address and the code from here; both are sealed with the customer's key."""

        channel: str
        recipient: PersonalData
        referral_code: PersonalData | None

        def apply(self, invitation: Invitation) -> None:
            invitation.thanked = True

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    thanked = False
    """Whether the promoter was thanked for this response (a class default, not a dataclass field:
    older streams and snapshots have no such attribute)."""
    kind = cast("str | None", None)
    score = cast("int | None", None)
    commented = False
    """The answer's kind, score and whether it came with a comment (class defaults, as
    ``thanked``): what a testimonial's review checks."""
    survey_id: UUID
    customer_id: UUID
    channel: str
    token_digest: Secret[str | None]
    expires_at: datetime | None
    issued_at: datetime
    responded_at: datetime | None

    @staticmethod
    def _take_link(
        invitation: Invitation, channel: str, digest: str | None, expires_at: datetime | None
    ) -> None:
        invitation.channel = channel
        invitation.token_digest = digest
        invitation.expires_at = expires_at

    @staticmethod
    def id_for(survey_id: UUID, customer_id: UUID, occasion: UUID | None = None) -> UUID:
        """The invitation of (survey, customer), or of (survey, customer, occasion) when it
        asks about one occasion (a resolved ticket), so that each occasion gets its own."""
        if occasion is None:
            return uuid5(INVITATION_NAMESPACE, f"{survey_id}/{customer_id}")
        return uuid5(INVITATION_NAMESPACE, f"{survey_id}/{customer_id}/{occasion}")

    @classmethod
    def issue(
        cls,
        survey_id: UUID,
        customer_id: UUID,
        channel: str,
        link: tuple[str, datetime, PersonalData | None] | None,
        occasion: UUID | None = None,
    ) -> Invitation:
        """Invite; ``link`` is (token, expiry, recipient), or None for an in-product one;
        ``occasion`` names what it asks about, if it asks about one (see :meth:`id_for`)."""
        token, expires_at, recipient = link if link else (None, None, None)
        return cls._create(
            cls.Issued,
            id=cls.id_for(survey_id, customer_id, occasion),
            survey_id=survey_id,
            customer_id=customer_id,
            channel=channel,
            token_digest=None if token is None else token_digest(token),
            expires_at=expires_at,
            token=None if token is None else PersonalData(customer_id, token),
            recipient=recipient,
        )

    def reissue(
        self, channel: str, token: str, expires_at: datetime, recipient: PersonalData | None
    ) -> None:
        self._check_unanswered()
        self.trigger_event(
            self.Reissued,
            channel=channel,
            token_digest=token_digest(token),
            expires_at=expires_at,
            token=PersonalData(self.customer_id, token),
            recipient=recipient,
        )

    def check_token(self, token: str, now: datetime) -> None:
        """Accept only the latest link, unexpired; its holder learns it was already used."""
        if self.token_digest is None or not hmac.compare_digest(
            token_digest(token), self.token_digest
        ):
            raise InvalidSurveyTokenError(
                "the survey link is invalid or has expired", field="token"
            )
        self._check_unanswered()
        if self.expires_at is None or now >= self.expires_at:
            raise SurveyLinkExpiredError("the survey link is invalid or has expired", field="token")

    def _sealed(self, text: str | None) -> PersonalData | None:
        return None if text is None else PersonalData(self.customer_id, text)

    def _check_unanswered(self) -> None:
        if self.responded_at is not None:
            raise AlreadyRespondedError("this invitation has already been answered")

    def respond(
        self, survey: Survey, answer: Answer, segment: RespondentSegment, now: datetime
    ) -> None:
        """Record the one response to this invitation, checked against the survey."""
        self._check_unanswered()
        survey.check_open()
        kind = survey.kind
        check_score(answer.score, kind.scale, "score")
        for key, value in answer.aspect_scores.items():
            if key not in survey.aspect_keys:
                raise ValidationError(
                    f"the survey has no aspect {key!r}", field="aspectScores.aspect"
                )
            check_score(value, ASPECT_SCALE, "aspectScores.score")
        self.trigger_event(
            self.Responded,
            survey_id=self.survey_id,
            customer_id=self.customer_id,
            kind=kind.value,
            score=answer.score,
            aspect_scores=dict(answer.aspect_scores),
            comment=self._sealed(answer.comment),
            channel=self.channel,
            region=segment.region,
            product_version=survey.product_version,
            completion_seconds=max(0.0, (now - self.issued_at).total_seconds()),
            tier=segment.tier,
            comment_sentiment=None if answer.comment is None else sentiment(answer.comment),
        )

    def thank(self, channel: str, recipient: PersonalData, code: str | None) -> None:
        """Thank the respondent once; a second call records nothing."""
        if self.responded_at is None or self.thanked:
            return
        sealed = None if code is None else PersonalData(self.customer_id, code)
        self.trigger_event(self.Thanked, channel=channel, recipient=recipient, referral_code=sealed)
