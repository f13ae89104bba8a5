"""Everything a client can follow live: the survey dashboard's figures, and feedback as it
arrives."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from graphql_api.context import RequestContext
from graphql_api.errors import PublicError
from graphql_api.feedback.inputs import FeedbackFilterInput
from graphql_api.feedback.resolvers import feedback_filter
from graphql_api.feedback.types import FeedbackType
from graphql_api.limits.costs import FIGURES_COST
from graphql_api.limits.declare import limited
from graphql_api.live.notifications import DashboardNotifications
from graphql_api.live.websocket import LiveContext
from graphql_api.permissions import READERS, STAFF, allowed
from graphql_api.surveys.dashboard import SurveyFigures
from graphql_api.surveys.queries import Filter, dashboard_filter, min_group_size_for
from projections.feedback import queries as feedback_queries
from projections.feedback.projection import FeedbackInbox
from projections.feedback.views import FEEDBACK_NOTICE
from projections.surveys import queries
from projections.surveys.projection import SurveyDashboard
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
                if not await _replica_caught_up(info.context, notifications):
                    watch.notice()  # not replayed yet: show what it has, look again soon
                yield await _figures(info.context, checked)

    @strawberry.subscription(
        description="Feedback as it arrives, oldest first, under an optional filter (from the "
        "moment of subscribing: list earlier feedback with the feedback query). Agents and "
        "admins.",
        extensions=allowed(STAFF),
    )
    async def feedback_received(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002
            FeedbackFilterInput | None,
            strawberry.argument(description="Which feedback to follow; left out: all."),
        ] = None,
    ) -> AsyncGenerator[FeedbackType, None]:
        checked = feedback_filter(filter)
        context = info.context
        notifications = _notifications(context)
        # The inbox announces itself on the dashboard's channel under an id no survey has.
        with notifications.watch(FEEDBACK_NOTICE) as watch:
            # Watching before reading where the inbox is: nothing arriving meanwhile is missed.
            async with context.pool.connection() as conn:
                seen = await feedback_queries.newest_seq(conn)
            async for _ in watch.changes():
                timeout = context.services.limits.read_your_writes_timeout
                target = notifications.replica_target
                if target:
                    await context.positions.wait(FeedbackInbox.name, target, timeout)
                async with context.pool.connection() as conn:
                    rows = await feedback_queries.feedback_since(conn, checked, seen)
                for row in rows:
                    seen = row.seq
                    yield FeedbackType(row=row)


def _notifications(context: RequestContext) -> DashboardNotifications:
    if not isinstance(context, LiveContext) or context.notifications is None:
        raise PublicError("subscribe over WebSocket (graphql-transport-ws)", "BAD_REQUEST")
    return context.notifications


async def _replica_caught_up(
    context: RequestContext, notifications: DashboardNotifications
) -> bool:
    """With a read replica, wait (bounded) until it shows the latest announced change."""
    target = notifications.replica_target
    if not target:
        return True
    timeout = context.services.limits.read_your_writes_timeout
    return await context.positions.wait(SurveyDashboard.name, target, timeout)


async def _figures(context: RequestContext, checked: DashboardFilter) -> SurveyFigures:
    smallest = min_group_size_for(context)
    async with context.pool.connection() as conn:
        figures = await queries.dashboard(conn, checked, min_group_size=smallest)
    return SurveyFigures.from_view(figures)
