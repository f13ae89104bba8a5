"""What the monthly report says, read with the dashboards' query functions (those of the
GraphQL API's surveyDashboard, insight and serviceMetrics) for a calendar month and the one
before it, in one time zone, under the reader's minimum group size."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection

from graphql_api.enums import TrendInterval
from projections.surveys import queries
from projections.surveys.views import DashboardFigures, DashboardFilter, FeedbackInsight, TrendPoint
from projections.tickets.metrics_queries import service_metrics
from projections.tickets.views import ServiceFiguresView, ServiceMetricsFilter

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
THEMES = 5
FIRST_MONTH = date(2000, 1, 1)
LAST_MONTH = date(9998, 12, 1)


class BadMonthError(ValueError):
    """Not a month written YYYY-MM, between 2000-01 and 9998-12."""


@dataclass(frozen=True, slots=True)
class MonthFigures:
    start: datetime
    end: datetime
    figures: DashboardFigures
    insight: FeedbackInsight
    service: ServiceFiguresView

    @property
    def label(self) -> str:
        return self.start.strftime("%B %Y")


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    month: MonthFigures
    previous: MonthFigures
    trend: list[TrendPoint]
    """The month's NPS per day, for the chart."""
    time_zone: str
    min_group_size: int
    generated_at: datetime


def parse_month(text: str) -> date:
    found = MONTH.match(text)
    if found is None:
        raise BadMonthError("the month must be written YYYY-MM, e.g. 2026-11")
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12:
        raise BadMonthError("the month must be 01 to 12")
    first = date(year, month, 1)
    if not FIRST_MONTH <= first <= LAST_MONTH:
        raise BadMonthError("the month must be between 2000-01 and 9998-12")
    return first


async def read_monthly_report(
    conn: AsyncConnection[Any], first_day: date, time_zone: str, min_group_size: int
) -> MonthlyReport:
    zone = ZoneInfo(time_zone)
    start = _midnight(first_day, zone)
    end = _midnight(_next_month(first_day), zone)
    previous_start = _midnight(_previous_month(first_day), zone)
    month = await _month(conn, start, end, min_group_size)
    previous = await _month(conn, previous_start, start, min_group_size)
    trend = await queries.trend(
        conn,
        DashboardFilter(since=start, until=end),
        TrendInterval.DAY,
        time_zone,
        min_group_size=min_group_size,
    )
    return MonthlyReport(month, previous, trend, time_zone, min_group_size, datetime.now(UTC))


async def _month(
    conn: AsyncConnection[Any], start: datetime, end: datetime, min_group_size: int
) -> MonthFigures:
    f = DashboardFilter(since=start, until=end)
    figures = await queries.dashboard(conn, f, min_group_size=min_group_size)
    insight = await queries.feedback_insight(conn, f, THEMES, min_group_size=min_group_size)
    service = await service_metrics(conn, ServiceMetricsFilter(start, end), None, end)
    return MonthFigures(start, end, figures, insight, service.totals)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _previous_month(day: date) -> date:
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)
