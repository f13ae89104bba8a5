"""Inputs of the survey mutations and the dashboard's filter. A field left out of editSurvey
keeps its value; productVersion sent as null removes it. The mutations' inputs are built
directly from graphql-core's values (``graphql_api.direct_inputs``): an answer's input cost
strawberry's field-by-field conversion about 50 us of the event loop."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.direct_inputs import built_directly
from graphql_api.enums import LoyaltyTier, SurveyChannel, SurveyKind

EXPECTED_VERSION = (
    "The survey's version you saw; if it has changed since, nothing is written and the "
    "answer is CONCURRENCY_CONFLICT with the current version. Leave out to skip the check."
)
SURVEY_ID = "The survey."


@built_directly
@strawberry.input(description="An extra question rated 1-5.")
class AspectQuestionInput:
    key: str = strawberry.field(description="Snake-case key, e.g. pricing; distinct per survey.")
    question: str = strawberry.field(description="The question, 1-500 printable characters.")


@built_directly
@strawberry.input(description="A new survey, as a draft.")
class DraftSurveyInput:
    kind: SurveyKind = strawberry.field(description="NPS (0-10), CSAT (1-5) or CES (1-7).")
    title: str = strawberry.field(description="Title, 1-200 printable characters.")
    question: str = strawberry.field(description="The main question, 1-500 characters.")
    channels: list[SurveyChannel] = strawberry.field(
        description="Where the survey runs; at least one."
    )
    aspects: list[AspectQuestionInput] = strawberry.field(
        default_factory=list, description="Extra questions rated 1-5, at most 12."
    )
    product_version: str | None = strawberry.field(
        default=None, description="The product version asked about, e.g. 2.4.1."
    )
    survey_id: UUID | None = strawberry.field(
        default=None,
        description="Client-chosen id; retrying with the same id writes nothing and answers "
        "the same.",
    )


@built_directly
@strawberry.input(description="Changes to a draft; fields left out stay as they are.")
class EditSurveyInput:
    survey_id: UUID = strawberry.field(description=SURVEY_ID)
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    question: str | None = strawberry.field(
        default=strawberry.UNSET, description="New main question."
    )
    aspects: list[AspectQuestionInput] | None = strawberry.field(
        default=strawberry.UNSET, description="New aspect questions (all of them); null: none."
    )
    product_version: str | None = strawberry.field(
        default=strawberry.UNSET, description="New product version; null removes it."
    )
    channels: list[SurveyChannel] | None = strawberry.field(
        default=strawberry.UNSET, description="New channels; at least one."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@built_directly
@strawberry.input(description="A draft to open for answers.")
class PublishSurveyInput:
    survey_id: UUID = strawberry.field(description=SURVEY_ID)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@built_directly
@strawberry.input(description="A published survey to close for good.")
class CloseSurveyInput:
    survey_id: UUID = strawberry.field(description=SURVEY_ID)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@built_directly
@strawberry.input(description="Invite a customer to answer a published survey.")
class InviteToSurveyInput:
    survey_id: UUID = strawberry.field(description=SURVEY_ID)
    customer_id: UUID = strawberry.field(description="The customer to invite.")
    channel: SurveyChannel = strawberry.field(
        description="Where to send the link: one of the survey's channels, to which the "
        "customer has opted in."
    )


@built_directly
@strawberry.input(description="The score given to one aspect question.")
class AspectScoreInput:
    aspect: str = strawberry.field(description="The aspect's key.")
    score: int = strawberry.field(description="1 to 5.")


@built_directly
@strawberry.input(
    description="An answer: with the token of an invitation's link, or, logged in as a "
    "customer, to a survey by id."
)
class SubmitSurveyResponseInput:
    score: int = strawberry.field(description="The main score, on the survey kind's scale.")
    token: str | None = strawberry.field(
        default=None, description="The token of the invitation's link."
    )
    survey_id: UUID | None = strawberry.field(
        default=None, description="Without a token: the survey a logged-in customer answers."
    )
    comment: str | None = strawberry.field(
        default=None, description="Free text, at most 5000 characters."
    )
    aspect_scores: list[AspectScoreInput] = strawberry.field(
        default_factory=list, description="Scores for the survey's aspect questions, once each."
    )


@strawberry.input(
    name="SurveyDashboardFilter",
    description="Which responses and invitations count; fields left out do not filter.",
)
class SurveyDashboardFilterInput:
    survey_id: UUID | None = strawberry.field(default=None, description="Only this survey.")
    since: datetime | None = strawberry.field(
        default=None, description="From this moment on (inclusive), with a time zone."
    )
    until: datetime | None = strawberry.field(
        default=None, description="Before this moment (exclusive), with a time zone."
    )
    region: str | None = strawberry.field(default=None, description="Respondents' region.")
    channel: SurveyChannel | None = strawberry.field(
        default=None, description="Where they answered."
    )
    product_version: str | None = strawberry.field(
        default=None, description="The product version asked about."
    )
    tier: LoyaltyTier | None = strawberry.field(
        default=None, description="Respondents' loyalty tier when they answered."
    )
