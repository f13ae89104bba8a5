"""Service metrics on a known helpdesk (see ``ticket_world.populate``): medians and 90th
percentiles of business seconds, SLA compliance, breaches, reopens, backlog by age, groups by
agent, category, priority and period, agreement with the aggregates' own clocks, and identical
figures after a rebuild."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from domain.ledger import Ledger
from domain.shared.errors import ValidationError
from domain.ticket.values import Priority, SlaClock, TicketStatus
from infrastructure.database import Database
from projections.tickets.queries import service_metrics
from projections.tickets.views import (
    BacklogView,
    MetricsGrouping,
    ServiceFiguresView,
    ServiceMetricsFilter,
    ServiceMetricsView,
)
from tests.integration.ticket_world import AT, World, day, populate, project
from tests.support.read_models import query


@pytest.fixture
def world(ledger: Ledger, database: Database) -> World:
    return populate(ledger, database)


def metrics(
    database: Database,
    f: ServiceMetricsFilter | None = None,
    group_by: MetricsGrouping | str | None = None,
) -> ServiceMetricsView:
    chosen = f or ServiceMetricsFilter()
    return query(database, lambda conn: service_metrics(conn, chosen, group_by, AT))


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (what percentile_cont does)."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rows_by_key(view: ServiceMetricsView) -> dict[str | None, ServiceFiguresView]:
    return {row.key: row.figures for row in view.rows}


def test_the_totals_of_a_known_helpdesk(database: Database, world: World) -> None:
    totals = metrics(database).totals
    assert (totals.tickets_opened, totals.tickets_resolved, totals.first_responses) == (7, 3, 4)
    # First responses 1800 (A), 21600 (B), 1800 (C), 3600 (D).
    assert totals.first_response_median_seconds == 2700
    assert totals.first_response_p90_seconds == pytest.approx(16200)
    # Resolutions 12000 (A, after a reopen), 25200 (B), 18000 (D).
    assert totals.resolution_median_seconds == 18000
    assert totals.resolution_p90_seconds == pytest.approx(23760)
    assert totals.resolved_within_sla == pytest.approx(200 / 3)
    assert (totals.first_response_breaches, totals.resolution_breaches) == (1, 1)
    assert totals.reopen_rate == pytest.approx(100 / 3)
    assert totals.backlog == BacklogView(1, 1, 1, 1)


def test_the_figures_equal_those_of_the_aggregates_own_clocks(
    ledger: Ledger, database: Database, world: World
) -> None:
    tickets = [ledger.get_ticket(t) for t in (world.a, world.b, world.c, world.d, world.e)]
    first = [
        t.clock(SlaClock.FIRST_RESPONSE, t.first_response_at).elapsed_seconds
        for t in tickets
        if t.first_response_at is not None
    ]
    resolved = [t for t in tickets if t.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)]
    resolution = [t.clock(SlaClock.RESOLUTION, t.resolved_at or AT) for t in resolved]
    totals = metrics(database).totals
    assert totals.first_response_median_seconds == pytest.approx(percentile(first, 0.5))
    assert totals.first_response_p90_seconds == pytest.approx(percentile(first, 0.9))
    seconds = [clock.elapsed_seconds for clock in resolution]
    assert totals.resolution_median_seconds == pytest.approx(percentile(seconds, 0.5))
    assert totals.resolution_p90_seconds == pytest.approx(percentile(seconds, 0.9))
    within = sum(not clock.breached for clock in resolution)
    assert totals.resolved_within_sla == pytest.approx(100 * within / len(resolution))


def test_metrics_grouped_by_agent(database: Database, world: World) -> None:
    view = metrics(database, group_by=MetricsGrouping.AGENT)
    assert view.group_by is MetricsGrouping.AGENT
    groups = rows_by_key(view)
    assert list(groups) == ["agent-7", "agent-9", None]
    seven, nine, unassigned = groups["agent-7"], groups["agent-9"], groups[None]
    assert (seven.tickets_opened, seven.first_response_median_seconds) == (3, 2700)
    assert (seven.resolution_median_seconds, seven.resolved_within_sla) == (15000, 100.0)
    assert (seven.reopen_rate, seven.backlog) == (50.0, BacklogView(0, 0, 1, 0))
    assert (nine.first_response_breaches, nine.resolution_breaches) == (1, 1)
    assert (nine.resolved_within_sla, nine.backlog) == (0.0, BacklogView(0, 0, 0, 1))
    assert (unassigned.tickets_opened, unassigned.first_response_median_seconds) == (2, None)
    assert (unassigned.resolved_within_sla, unassigned.reopen_rate) == (None, None)
    assert unassigned.backlog == BacklogView(1, 1, 0, 0)


def test_metrics_grouped_by_category_and_priority(database: Database, world: World) -> None:
    categories = rows_by_key(metrics(database, group_by="category"))
    assert {k: g.tickets_opened for k, g in categories.items()} == {
        "account": 2, "billing": 2, "delivery": 2, "returns": 1,
    }  # fmt: skip
    assert categories["billing"].resolution_median_seconds == 15000
    priorities = rows_by_key(metrics(database, group_by=MetricsGrouping.PRIORITY))
    assert {k: g.tickets_opened for k, g in priorities.items()} == {
        "high": 2, "low": 2, "normal": 2, "urgent": 1,
    }  # fmt: skip
    assert priorities["urgent"].resolution_breaches == 1


def test_metrics_per_period_count_each_figure_when_it_happened(
    database: Database, world: World
) -> None:
    days = metrics(database, group_by=MetricsGrouping.DAY)
    by_day = rows_by_key(days)
    assert list(by_day) == ["2026-03-02", "2026-03-04", "2026-03-06", "2026-03-07", "2026-03-09"]
    assert (by_day["2026-03-02"].tickets_opened, by_day["2026-03-02"].tickets_resolved) == (3, 2)
    assert by_day["2026-03-02"].backlog is None
    assert days.rows[0].period_start == datetime(2026, 3, 2, tzinfo=UTC)
    weeks = rows_by_key(metrics(database, group_by=MetricsGrouping.WEEK))
    assert {k: g.tickets_opened for k, g in weeks.items()} == {"2026-03-02": 6, "2026-03-09": 1}
    months = rows_by_key(metrics(database, group_by=MetricsGrouping.MONTH))
    assert {k: g.tickets_resolved for k, g in months.items()} == {"2026-03-01": 3}


def test_metrics_filtered_by_window_agent_category_and_priority(
    database: Database, world: World
) -> None:
    later = metrics(database, ServiceMetricsFilter(since=day(1))).totals
    assert (later.tickets_opened, later.tickets_resolved, later.first_responses) == (4, 1, 1)
    assert later.first_response_breaches == 0
    first_day = metrics(database, ServiceMetricsFilter(until=day(1))).totals
    assert (first_day.tickets_opened, first_day.first_response_breaches) == (3, 1)
    mine = metrics(database, ServiceMetricsFilter(agent="agent-9")).totals
    assert (mine.tickets_opened, mine.first_response_median_seconds) == (2, 11700)
    billing = metrics(database, ServiceMetricsFilter(category="billing")).totals
    assert billing.tickets_opened == 2
    low = metrics(database, ServiceMetricsFilter(priority=Priority.LOW)).totals
    assert (low.tickets_opened, low.backlog) == (2, BacklogView(0, 0, 1, 1))


def test_metrics_over_nothing_have_no_rates(ledger: Ledger, database: Database) -> None:
    project(ledger, database)
    totals = metrics(database).totals
    assert (totals.tickets_opened, totals.first_response_median_seconds) == (0, None)
    assert (totals.resolved_within_sla, totals.reopen_rate) == (None, None)
    assert totals.backlog == BacklogView()


def test_an_unknown_grouping_is_a_typed_error(database: Database, world: World) -> None:
    with pytest.raises(ValidationError):
        metrics(database, group_by="colour")
