"""Survey mutations: translate the input, delegate to the ledger; the domain decides.

A field the client left out of editSurvey (``strawberry.UNSET``) becomes the domain's
``KEEP``. Every check that can refuse runs inside the command, so a refusal is a user error
and writes nothing.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from domain.shared.keep import KEEP
from domain.shared.metadata import Role
from domain.survey.commands import DraftSurvey, EditSurvey, ResponseRecorded, SubmitResponse
from domain.survey.values import AspectQuestion
from graphql_api.context import RequestContext
from graphql_api.errors import PublicError
from graphql_api.mutation import INPUT, Fields, Info, run_command
from graphql_api.partial_update import kept, required
from graphql_api.surveys.inputs import (
    AspectQuestionInput,
    CloseSurveyInput,
    DraftSurveyInput,
    EditSurveyInput,
    InviteToSurveyInput,
    PublishSurveyInput,
    SubmitSurveyResponseInput,
)
from graphql_api.surveys.payloads import (
    CloseSurveyPayload,
    DraftSurveyPayload,
    EditSurveyPayload,
    InviteToSurveyPayload,
    PublishSurveyPayload,
    SubmitSurveyResponsePayload,
)
from graphql_api.surveys.queries import load_survey


def _aspects(given: list[AspectQuestionInput]) -> list[AspectQuestion]:
    return [AspectQuestion.checked(a.key, a.question) for a in given]


async def draft_survey(
    info: Info,
    input: Annotated[DraftSurveyInput, INPUT],  # noqa: A002
) -> DraftSurveyPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()

    def command() -> CommandResult:
        drafted = DraftSurvey(
            kind=input.kind,
            title=input.title,
            question=input.question,
            channels=list(input.channels),
            aspects=_aspects(input.aspects),
            product_version=input.product_version,
            survey_id=input.survey_id,
        )
        return ledger.draft_survey(drafted, metadata)

    return await run_command(info, command, DraftSurveyPayload)


async def edit_survey(
    info: Info,
    input: Annotated[EditSurveyInput, INPUT],  # noqa: A002
) -> EditSurveyPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()

    def command() -> CommandResult:
        edited = EditSurvey(
            survey_id=input.survey_id,
            title=required(input.title),
            question=required(input.question),
            aspects=KEEP if input.aspects is strawberry.UNSET else _aspects(input.aspects or []),
            product_version=kept(input.product_version),
            channels=KEEP if input.channels is strawberry.UNSET else list(input.channels or []),
            expected_version=input.expected_version,
        )
        return ledger.edit_survey(edited, metadata)

    return await run_command(info, command, EditSurveyPayload)


async def publish_survey(
    info: Info,
    input: Annotated[PublishSurveyInput, INPUT],  # noqa: A002
) -> PublishSurveyPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.publish_survey(input.survey_id, metadata, input.expected_version),
        PublishSurveyPayload,
    )


async def close_survey(
    info: Info,
    input: Annotated[CloseSurveyInput, INPUT],  # noqa: A002
) -> CloseSurveyPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.close_survey(input.survey_id, metadata, input.expected_version),
        CloseSurveyPayload,
    )


async def invite_to_survey(
    info: Info,
    input: Annotated[InviteToSurveyInput, INPUT],  # noqa: A002
) -> InviteToSurveyPayload:
    context, metadata = info.context, info.context.metadata()

    async def shown(result: CommandResult) -> Fields:
        return {
            "invitation_id": result.aggregate_id,
            "survey": await load_survey(context, input.survey_id),
        }

    return await run_command(
        info,
        lambda: context.ledger.invite_to_survey(
            input.survey_id, input.customer_id, input.channel, metadata
        ),
        InviteToSurveyPayload,
        shown,
    )


async def submit_survey_response(
    info: Info,
    input: Annotated[SubmitSurveyResponseInput, INPUT],  # noqa: A002
) -> SubmitSurveyResponsePayload:
    context, metadata = info.context, info.context.metadata()
    answer = SubmitResponse(
        score=input.score,
        comment=input.comment,
        aspect_scores=[(s.aspect, s.score) for s in input.aspect_scores],
        token=input.token,
        survey_id=None if input.token is not None else input.survey_id,
        customer_id=_respondent(context, input.token),
    )

    async def shown(result: ResponseRecorded) -> Fields:
        # The command answers the survey: loading the invitation again cost a worker thread's
        # round trip and a replay of its stream.
        return {"response_id": result.aggregate_id, "survey_id": result.survey_id}

    return await run_command(
        info,
        lambda: context.ledger.submit_survey_response(answer, metadata),
        SubmitSurveyResponsePayload,
        shown,
    )


def _respondent(context: RequestContext, token: str | None) -> UUID | None:
    """Who answers without a link: only a logged-in customer, for themself."""
    if token is not None:
        return None
    principal = context.principal
    if principal.role is Role.CUSTOMER:
        try:
            return UUID(principal.actor_id)
        except ValueError:
            pass  # not a customer of ours: refused below
    raise PublicError(
        "without a survey link's token, only a logged-in customer may answer", "FORBIDDEN"
    )
