"""Survey mutations: translate the input, delegate to the ledger; the domain decides.

A field the client left out of editSurvey (``strawberry.UNSET``) becomes the domain's
``KEEP``. Every check that can refuse runs inside the command, so a refusal is a user error
and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar
from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from domain.shared.errors import DomainError, ValidationError
from domain.shared.keep import KEEP, Keep
from domain.shared.metadata import Role
from domain.survey.commands import DraftSurvey, EditSurvey, SubmitResponse
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from graphql_api.context import RequestContext
from graphql_api.errors import PublicError, user_error_from
from graphql_api.surveys.inputs import (
    AspectQuestionInput,
    AspectScoreInput,
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
    SurveyPayload,
)
from graphql_api.surveys.queries import load_survey
from graphql_api.surveys.types import SurveyChannelType
from projections.surveys.projection import SurveyDashboard

Info = strawberry.Info[RequestContext, None]
INPUT = strawberry.argument(description="What to do; see the input type.")
P = TypeVar("P", bound=SurveyPayload)
T = TypeVar("T")


async def survey_payload(
    context: RequestContext, payload: type[P], command: Callable[[], CommandResult]
) -> P:
    """Run a command on a survey; answer with the survey as the read model shows the write
    (after a bounded wait, with a notice if it ran out), or with the refusal as a user error."""
    try:
        result = await context.run_command(command)
    except DomainError as error:
        return payload(survey=None, position=None, user_errors=[user_error_from(error)])
    notices = await context.wait_for_write(SurveyDashboard.name, result.position)
    return payload(
        survey=await load_survey(context, result.aggregate_id),
        survey_id=result.aggregate_id,
        position=str(result.position),
        user_errors=[],
        notices=notices,
    )


def _aspects(given: list[AspectQuestionInput]) -> list[AspectQuestion]:
    return [AspectQuestion.checked(a.key, a.question) for a in given]


def _channels(given: list[SurveyChannelType]) -> list[SurveyChannel]:
    return [SurveyChannel(c.value) for c in given]


def _kept(value: T) -> T | Keep:
    return KEEP if value is strawberry.UNSET else value


def _required(value: str | None) -> str | Keep:
    # A required value sent as null: let the domain refuse the empty value on its field.
    return "" if value is None else _kept(value)


async def draft_survey(
    info: Info,
    input: Annotated[DraftSurveyInput, INPUT],  # noqa: A002
) -> DraftSurveyPayload:
    context, metadata = info.context, info.context.metadata()

    def command() -> CommandResult:
        drafted = DraftSurvey(
            kind=SurveyKind(input.kind.value),
            title=input.title,
            question=input.question,
            channels=_channels(input.channels),
            aspects=_aspects(input.aspects),
            product_version=input.product_version,
            survey_id=input.survey_id,
        )
        return context.ledger.draft_survey(drafted, metadata)

    return await survey_payload(context, DraftSurveyPayload, command)


async def edit_survey(
    info: Info,
    input: Annotated[EditSurveyInput, INPUT],  # noqa: A002
) -> EditSurveyPayload:
    context, metadata = info.context, info.context.metadata()

    def command() -> CommandResult:
        edited = EditSurvey(
            survey_id=input.survey_id,
            title=_required(input.title),
            question=_required(input.question),
            aspects=KEEP if input.aspects is strawberry.UNSET else _aspects(input.aspects or []),
            product_version=_kept(input.product_version),
            channels=(
                KEEP if input.channels is strawberry.UNSET else _channels(input.channels or [])
            ),
            expected_version=input.expected_version,
        )
        return context.ledger.edit_survey(edited, metadata)

    return await survey_payload(context, EditSurveyPayload, command)


async def publish_survey(
    info: Info,
    input: Annotated[PublishSurveyInput, INPUT],  # noqa: A002
) -> PublishSurveyPayload:
    context, metadata = info.context, info.context.metadata()
    return await survey_payload(
        context,
        PublishSurveyPayload,
        lambda: context.ledger.publish_survey(input.survey_id, metadata, input.expected_version),
    )


async def close_survey(
    info: Info,
    input: Annotated[CloseSurveyInput, INPUT],  # noqa: A002
) -> CloseSurveyPayload:
    context, metadata = info.context, info.context.metadata()
    return await survey_payload(
        context,
        CloseSurveyPayload,
        lambda: context.ledger.close_survey(input.survey_id, metadata, input.expected_version),
    )


async def invite_to_survey(
    info: Info,
    input: Annotated[InviteToSurveyInput, INPUT],  # noqa: A002
) -> InviteToSurveyPayload:
    context, metadata = info.context, info.context.metadata()
    channel = SurveyChannel(input.channel.value)
    try:
        result = await context.run_command(
            context.ledger.invite_to_survey, input.survey_id, input.customer_id, channel, metadata
        )
    except DomainError as error:
        return InviteToSurveyPayload(
            invitation_id=None, survey=None, position=None, user_errors=[user_error_from(error)]
        )
    return InviteToSurveyPayload(
        invitation_id=result.aggregate_id,
        survey=await load_survey(context, input.survey_id),
        position=str(result.position),
        user_errors=[],
    )


async def submit_survey_response(
    info: Info,
    input: Annotated[SubmitSurveyResponseInput, INPUT],  # noqa: A002
) -> SubmitSurveyResponsePayload:
    context, metadata = info.context, info.context.metadata()
    respondent = _respondent(context, input.token)

    def command() -> tuple[CommandResult, UUID]:
        answer = SubmitResponse(
            score=input.score,
            comment=input.comment,
            aspect_scores=_aspect_scores(input.aspect_scores),
            token=input.token,
            survey_id=None if input.token is not None else input.survey_id,
            customer_id=respondent,
        )
        result = context.ledger.submit_survey_response(answer, metadata)
        return result, context.ledger.survey_of_invitation(result.aggregate_id)

    try:
        result, survey_id = await context.run_command(command)
    except DomainError as error:
        return SubmitSurveyResponsePayload(
            response_id=None, survey_id=None, position=None, user_errors=[user_error_from(error)]
        )
    return SubmitSurveyResponsePayload(
        response_id=result.aggregate_id,
        survey_id=survey_id,
        position=str(result.position),
        user_errors=[],
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


def _aspect_scores(given: list[AspectScoreInput]) -> dict[str, int]:
    scores = {s.aspect: s.score for s in given}
    if len(scores) != len(given):
        raise ValidationError("score each aspect once", field="aspectScores")
    return scores
