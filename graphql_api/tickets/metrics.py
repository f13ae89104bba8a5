"""Service metrics as frontends see them: response and resolution times, SLA compliance,
breaches, reopens and backlog, in total and per agent, category, priority or period."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graphql_api.enums import MetricsGrouping
from graphql_api.scalars import Long
from projections.tickets.views import (
    BacklogView,
    ServiceFiguresView,
    ServiceMetricsRow,
    ServiceMetricsView,
)


@strawberry.type(name="TicketBacklog", description="Active tickets by age since opening.")
class BacklogType:
    under_1_day: Long = strawberry.field(description="Opened less than a day ago.")
    from_1_to_3_days: Long = strawberry.field(description="Opened 1 to 3 days ago.")
    from_3_to_7_days: Long = strawberry.field(description="Opened 3 to 7 days ago.")
    over_7_days: Long = strawberry.field(description="Opened more than 7 days ago.")
    total: Long = strawberry.field(description="All active tickets.")

    @classmethod
    def from_view(cls, view: BacklogView | None) -> BacklogType | None:
        if view is None:
            return None
        return cls(
            under_1_day=view.under_1_day,
            from_1_to_3_days=view.from_1_to_3_days,
            from_3_to_7_days=view.from_3_to_7_days,
            over_7_days=view.over_7_days,
            total=view.total,
        )


@strawberry.type(
    name="ServiceFigures",
    description="The service figures of a set of tickets. Times are business seconds; "
    "percentiles interpolate; percentages are 0-100; a figure over nothing is null.",
)
class FiguresType:
    tickets_opened: Long = strawberry.field(description="Tickets opened.")
    tickets_resolved: Long = strawberry.field(
        description="Tickets resolved or closed whose latest resolution falls in the window."
    )
    first_responses: Long = strawberry.field(description="First responses given.")
    first_response_median_seconds: float | None = strawberry.field(
        description="Median time to the first response."
    )
    first_response_p90_seconds: float | None = strawberry.field(
        description="90th percentile of the time to the first response."
    )
    resolution_median_seconds: float | None = strawberry.field(
        description="Median time to resolution."
    )
    resolution_p90_seconds: float | None = strawberry.field(
        description="90th percentile of the time to resolution."
    )
    resolved_within_sla: float | None = strawberry.field(
        description="Share of the resolved tickets resolved within their target, in %."
    )
    first_response_breaches: Long = strawberry.field(description="First-response breaches.")
    resolution_breaches: Long = strawberry.field(description="Resolution breaches.")
    reopen_rate: float | None = strawberry.field(
        description="Share of the resolved tickets reopened at least once, in %."
    )
    backlog: BacklogType | None = strawberry.field(
        description="Active tickets now by age; null in rows per period (a state, not a flow)."
    )

    @classmethod
    def from_view(cls, view: ServiceFiguresView) -> FiguresType:
        return cls(
            tickets_opened=view.tickets_opened,
            tickets_resolved=view.tickets_resolved,
            first_responses=view.first_responses,
            first_response_median_seconds=view.first_response_median_seconds,
            first_response_p90_seconds=view.first_response_p90_seconds,
            resolution_median_seconds=view.resolution_median_seconds,
            resolution_p90_seconds=view.resolution_p90_seconds,
            resolved_within_sla=view.resolved_within_sla,
            first_response_breaches=view.first_response_breaches,
            resolution_breaches=view.resolution_breaches,
            reopen_rate=view.reopen_rate,
            backlog=BacklogType.from_view(view.backlog),
        )


@strawberry.type(name="ServiceMetricsRow", description="The figures of one group.")
class RowType:
    key: str | None = strawberry.field(
        description="The agent id (null: unassigned), category, priority value, or the "
        "period's first day (ISO date, UTC)."
    )
    period_start: datetime | None = strawberry.field(
        description="For rows per period: when the period starts."
    )
    figures: FiguresType = strawberry.field(description="The group's figures.")

    @classmethod
    def from_view(cls, view: ServiceMetricsRow) -> RowType:
        return cls(
            key=view.key,
            period_start=view.period_start,
            figures=FiguresType.from_view(view.figures),
        )


@strawberry.type(name="ServiceMetrics", description="Service metrics as of a moment.")
class ServiceMetricsType:
    at: datetime = strawberry.field(description="The moment the figures describe.")
    totals: FiguresType = strawberry.field(description="All selected tickets together.")
    group_by: MetricsGrouping | None = strawberry.field(description="How `rows` are split.")
    rows: list[RowType] = strawberry.field(description="One row per group; empty if ungrouped.")

    @classmethod
    def from_view(cls, view: ServiceMetricsView) -> ServiceMetricsType:
        return cls(
            at=view.at,
            totals=FiguresType.from_view(view.totals),
            group_by=view.group_by,
            rows=[RowType.from_view(row) for row in view.rows],
        )
