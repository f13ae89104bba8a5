"""Payloads of the survey mutations: what was written, its log position, and why nothing was
written. None of them carries an invitation's token or a respondent's comment."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from graphql_api.surveys.queries import load_survey
from graphql_api.surveys.types import SurveyType
from projections.surveys.projection import SurveyDashboard

POSITION = "Log position of the write; pass it as `atLeast` to read your write."
USER_ERRORS = "Why nothing was written."


@strawberry.type(description="What every mutation on a survey's design answers.")
class SurveyPayload(Payload):
    survey: SurveyType | None = strawberry.field(
        description="The survey after the write; null if refused, or if the read model did "
        "not show the write in time (see notices)."
    )
    survey_id: UUID | None = strawberry.field(
        default=None,
        description="The survey written to, even when `survey` is null because the read model "
        "is late; null if refused.",
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = SurveyDashboard.name

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        return {
            "survey": await load_survey(context, result.aggregate_id),
            "survey_id": result.aggregate_id,
        }


@strawberry.type(description="Result of draftSurvey.")
class DraftSurveyPayload(SurveyPayload):
    pass


@strawberry.type(description="Result of editSurvey.")
class EditSurveyPayload(SurveyPayload):
    pass


@strawberry.type(description="Result of publishSurvey.")
class PublishSurveyPayload(SurveyPayload):
    pass


@strawberry.type(description="Result of closeSurvey.")
class CloseSurveyPayload(SurveyPayload):
    pass


@strawberry.type(
    description="Result of inviteToSurvey. The link's token goes only to the customer."
)
class InviteToSurveyPayload(Payload):
    invitation_id: UUID | None = strawberry.field(
        description="The invitation (one per survey and customer); null if refused."
    )
    survey: SurveyType | None = strawberry.field(
        description="The survey, as the read model shows it; null if refused."
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="Result of submitSurveyResponse.")
class SubmitSurveyResponsePayload(Payload):
    response_id: UUID | None = strawberry.field(
        description="The response (its invitation's id); null if refused."
    )
    survey_id: UUID | None = strawberry.field(description="The survey answered; null if refused.")
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
