"""Everything a client can follow live: the survey dashboard's figures."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from graphql_api.context import RequestContext
from graphql_api.errors import PublicError
from graphql_api.limits.costs import FIGURES_COST
from graphql_api.limits.declare import limited
from graphql_api.live.notifications import DashboardNotifications
from graphql_api.live.websocket import LiveContext
from graphql_api.permissions import READERS, allowed
from graphql_api.surveys.dashboard import SurveyFigures
from graphql_api.surveys.queries import Filter, dashboard_filter, min_group_size_for
from projections.surveys import queries
from projections.surveys.views import DashboardFilter

Info = strawberry.Info[RequestContext, None]


@strawberry.type(description="Everything a client can follow live, over graphql-transport-ws.")
class Subscription:
    @strawberry.subscription(
        description="The survey dashboard's headline figures: at once, then again whenever a "
        "response or invitation changes them (at most about five times a second). Figures of "
        "fewer people than the reader's minimum group size are suppressed, as in "
        "surveyDashboard.",
        extensions=[*limited(FIGURES_COST), *allowed(READERS)],
    )
    async def survey_dashboard_updated(
        self,
        info: Info,
        filter: Filter = None,  # noqa: A002
    ) -> AsyncGenerator[SurveyFigures, None]:
        checked = dashboard_filter(filter)
        notifications = _notifications(info.context)
        with notifications.watch(checked.survey_id) as watch:
            # Watching before the first read: a change committed meanwhile is not missed.
            yield await _figures(info.context, checked)
            async for _ in watch.changes():
                yield await _figures(info.context, checked)


def _notifications(context: RequestContext) -> DashboardNotifications:
    if not isinstance(context, LiveContext) or context.notifications is None:
        raise PublicError("subscribe over WebSocket (graphql-transport-ws)", "BAD_REQUEST")
    return context.notifications


async def _figures(context: RequestContext, checked: DashboardFilter) -> SurveyFigures:
    smallest = min_group_size_for(context)
    async with context.pool.connection() as conn:
        figures = await queries.dashboard(conn, checked, min_group_size=smallest)
    return SurveyFigures.from_view(figures)
