"""``/dashboard/service``: first-response and resolution medians and 90th percentiles, the
share resolved within SLA, breaches and the backlog by age (``serviceMetrics``), then the
loyalty funnel (``loyaltyProgramMetrics``: customers, members, active members, redemption)
and the referral funnel (``referralFunnel``). Each from the query function those resolvers
call. Only the period filter applies here: tickets and referrals have no survey, region or
channel; the referral funnel, which needs a period, covers the last 90 days unless one is
chosen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql_api.auth import Principal
from graphql_api.pages.dashboard.csv_rows import Row
from graphql_api.pages.dashboard.filters import ChosenFilters
from graphql_api.pages.dashboard.page_reads import PageReads
from projections.loyalty.metrics_queries import program_metrics
from projections.loyalty.views import ProgramMetricsView
from projections.referrals.queries import funnel
from projections.referrals.views import FunnelFigures
from projections.tickets.metrics_queries import service_metrics
from projections.tickets.views import ServiceFiguresView, ServiceMetricsFilter

DEFAULT_FUNNEL_DAYS = 90


@dataclass(frozen=True, slots=True)
class ServiceView:
    at: datetime
    service: ServiceFiguresView
    loyalty: ProgramMetricsView
    referrals: FunnelFigures
    funnel_since: datetime
    funnel_until: datetime


class ServiceDashboard:
    path = "/dashboard/service"
    template = "dashboard_service.html"
    title = "cxledger service dashboard"

    async def read(
        self, reads: PageReads, chosen: ChosenFilters, principal: Principal
    ) -> ServiceView:
        now = datetime.now(UTC)
        f = chosen.filter
        until = f.until or now
        since = f.since or until - timedelta(days=DEFAULT_FUNNEL_DAYS)
        tickets = ServiceMetricsFilter(f.since, f.until)
        async with reads.together() as group:
            metrics = group.create_task(reads.one(lambda c: service_metrics(c, tickets, None, now)))
            loyalty = group.create_task(
                reads.one(
                    lambda c: program_metrics(c, now if f.until is None else min(now, f.until))
                )
            )
            referrals = group.create_task(reads.one(lambda c: funnel(c, since, max(since, until))))
        return ServiceView(
            now,
            metrics.result().totals,
            loyalty.result(),
            referrals.result(),
            since,
            max(since, until),
        )

    def context(
        self, view: ServiceView, chosen: ChosenFilters, principal: Principal
    ) -> dict[str, Any]:
        return {"view": view, "surveys": [], "regions": [], "versions": []}

    def rows(self, view: ServiceView, principal: Principal) -> Iterator[Row]:
        s = view.service
        for metric in (
            "tickets_opened",
            "tickets_resolved",
            "first_responses",
            "first_response_median_seconds",
            "first_response_p90_seconds",
            "resolution_median_seconds",
            "resolution_p90_seconds",
            "resolved_within_sla",
            "first_response_breaches",
            "resolution_breaches",
            "reopen_rate",
        ):
            yield ("service", "", metric, getattr(s, metric))
        backlog = s.backlog
        if backlog is not None:
            for age in ("under_1_day", "from_1_to_3_days", "from_3_to_7_days", "over_7_days"):
                yield ("backlog", age, "tickets", getattr(backlog, age))
        for metric in ("customers", "members", "enrolment_rate", "active_members"):
            yield ("loyalty", "", metric, getattr(view.loyalty, metric))
        yield ("loyalty", "", "redemption_rate", view.loyalty.redemption_rate)
        period = f"{view.funnel_since.isoformat()}/{view.funnel_until.isoformat()}"
        for metric in (
            "invited",
            "registered",
            "qualified",
            "rewarded",
            "registration_rate",
            "qualification_rate",
            "reward_rate",
        ):
            yield ("referrals", period, metric, getattr(view.referrals, metric))
