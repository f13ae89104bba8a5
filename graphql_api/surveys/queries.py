"""Survey queries: translate, authorise, delegate to the read model (or, for an invitation's
link, to the ledger, which alone knows the token's digest)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.shared.errors import DomainError
from domain.shared.metadata import Role
from domain.survey.values import ASPECT_SCALE
from graphql_api.auth import PERSONAL_DATA_ROLES
from graphql_api.context import ApiLimits, RequestContext
from graphql_api.enums import SurveyStatus
from graphql_api.errors import PublicError
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.read_your_writes import AtLeast, loaded_at_least, wait_for
from graphql_api.surveys.dashboard import SurveyDashboardType, VersionComparison
from graphql_api.surveys.inputs import SurveyDashboardFilterInput
from graphql_api.surveys.types import (
    AspectQuestionType,
    ScoreScale,
    SurveyConnection,
    SurveyEdge,
    SurveyInvitation,
    SurveyType,
)
from projections.surveys.projection import SurveyDashboard
from projections.surveys.queries import (
    compare_versions,
    survey_by_id,
    surveys_page,
    surveys_page_before,
)
from projections.surveys.small_groups import EVERY_GROUP
from projections.surveys.views import DashboardFilter

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "survey"
MAX_FILTER_TEXT = 200
Filter = Annotated[
    SurveyDashboardFilterInput | None,
    strawberry.argument(description="Which responses count; left out: all of them."),
]
Version = Annotated[str, strawberry.argument(description="A product version, e.g. 2.4.1.")]


async def load_survey(context: RequestContext, survey_id: UUID) -> SurveyType | None:
    async with context.pool.connection() as conn:
        view = await survey_by_id(conn, survey_id)
    return None if view is None else SurveyType.from_view(view)


async def survey(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The survey's id.")],  # noqa: A002
    at_least: AtLeast = None,
) -> SurveyType | None:
    return await survey_answer(info.context, id, at_least)


async def survey_answer(
    context: RequestContext,
    id: UUID,  # noqa: A002 - the argument's name, as the direct path passes it
    at_least: str | None = None,
) -> SurveyType | None:
    """``survey``'s answer, and its direct resolver's (``plain_fields.DIRECT``)."""
    return await loaded_at_least(context, SurveyDashboard.name, at_least, load_survey, id)


async def surveys(
    info: Info,
    first: FirstArgument = None,
    after: AfterArgument = None,
    status: Annotated[
        SurveyStatus | None, strawberry.argument(description="Only surveys in this status.")
    ] = None,
    at_least: AtLeast = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> SurveyConnection:
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    await wait_for(info.context, SurveyDashboard.name, at_least)
    wanted = None if status is None else status.value
    async with info.context.pool.connection() as conn:
        if request.backward:
            page = await surveys_page_before(conn, request.size, request.cursor, wanted)
        else:
            page = await surveys_page(conn, request.size, request.cursor or 0, wanted)
    return connection(
        SurveyConnection,
        SurveyEdge,
        CURSOR_KIND,
        page,
        SurveyType.from_view,
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def survey_invitation(
    info: Info,
    token: Annotated[str, strawberry.argument(description="The token of the link.")],
) -> SurveyInvitation:
    ledger = info.context.ledger

    def look_up() -> SurveyInvitation:
        link = ledger.survey_link(token)
        survey = link.survey
        return SurveyInvitation(
            survey_id=survey.id,
            kind=survey.kind,
            title=survey.title,
            question=survey.question,
            scale=ScoreScale.of(survey.kind.scale),
            aspects=[
                AspectQuestionType(key=a["key"], question=a["question"]) for a in survey.aspects
            ],
            aspect_scale=ScoreScale.of(ASPECT_SCALE),
            open=survey.status is SurveyStatus.PUBLISHED,
            answered=link.answered,
            expires_at=link.invitation.expires_at,
        )

    try:
        return await info.context.run_command(look_up)
    except DomainError:
        raise PublicError(
            "the survey link is invalid or has expired", "INVALID_SURVEY_TOKEN"
        ) from None


async def survey_dashboard(
    info: Info,
    filter: Filter = None,  # noqa: A002
    at_least: AtLeast = None,
) -> SurveyDashboardType:
    checked = dashboard_filter(filter)
    await wait_for(info.context, SurveyDashboard.name, at_least)
    return SurveyDashboardType(filter=checked, min_group_size=min_group_size_for(info.context))


async def compare_product_versions(
    info: Info,
    version_a: Version,
    version_b: Version,
    filter: Filter = None,  # noqa: A002
) -> VersionComparison:
    checked = dashboard_filter(filter)
    a, b = _filter_text(version_a, "versionA"), _filter_text(version_b, "versionB")
    smallest = min_group_size_for(info.context)
    async with info.context.pool.connection() as conn:
        comparison = await compare_versions(
            conn, checked, a or "", b or "", min_group_size=smallest
        )
    return VersionComparison.from_view(comparison)


def min_group_size_for(context: RequestContext) -> int:
    """The fewest people a dashboard figure may describe for this reader."""
    return min_group_size_of(context.principal.role, context.services.limits)


def min_group_size_of(role: Role, limits: ApiLimits) -> int:
    """The fewest people a dashboard figure may describe for ``role`` (the API's readers and
    the dashboard pages' alike). Roles that may see personal data read each response and its
    comment anyway, so small groups tell them nothing new; everyone else gets the configured
    minimum (CXL_MIN_GROUP_SIZE)."""
    if role in PERSONAL_DATA_ROLES:
        return EVERY_GROUP
    return limits.min_group_size


def dashboard_filter(given: SurveyDashboardFilterInput | None) -> DashboardFilter:
    """The read model's filter for the client's: bounded text, moments with a time zone."""
    if given is None:
        return DashboardFilter()
    return DashboardFilter(
        survey_id=given.survey_id,
        since=_moment(given.since, "since"),
        until=_moment(given.until, "until"),
        region=_filter_text(given.region, "filter.region"),
        channel=None if given.channel is None else given.channel.value,
        product_version=_filter_text(given.product_version, "filter.productVersion"),
        tier=None if given.tier is None else given.tier.value,
    )


def _moment(moment: datetime | None, name: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise PublicError(f"filter.{name} needs a time zone, e.g. Z", "INVALID_INPUT")
    return moment


def _filter_text(text: str | None, name: str) -> str | None:
    # Bounded, and never a NUL: PostgreSQL text cannot hold one.
    if text is not None and (not 1 <= len(text) <= MAX_FILTER_TEXT or "\x00" in text):
        raise PublicError(
            f"{name} must be 1-{MAX_FILTER_TEXT} characters without NUL", "INVALID_INPUT"
        )
    return text
