"""Service metrics: response and resolution times, SLA compliance, breaches, reopens, backlog.

Every figure reads what the projection stored from the events (business seconds to the first
response and to the latest resolution, whether that stayed within the target, reopen counts,
breach events), so a rebuild gives the same figures. Each counts by its own event time within
``[since, until)``: openings by opening, first responses by their time, resolutions by the
latest resolution, breaches when recorded. Tickets are selected by their current agent,
category and priority. Periods are UTC days, ISO weeks (from Monday) and months.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row

from domain.shared.errors import ValidationError
from domain.ticket.values import TicketStatus
from projections.tickets.views import (
    BacklogView,
    MetricsGrouping,
    ServiceFiguresView,
    ServiceMetricsFilter,
    ServiceMetricsRow,
    ServiceMetricsView,
)

_KEYS = {
    MetricsGrouping.AGENT: sql.SQL("assignee"),
    MetricsGrouping.CATEGORY: sql.SQL("category"),
    MetricsGrouping.PRIORITY: sql.SQL("priority"),
}

_FACTS = """
    WITH t AS (
        SELECT * FROM tickets
        WHERE (%(agent)s::text IS NULL OR assignee = %(agent)s)
          AND (%(category)s::text IS NULL OR category = %(category)s)
          AND (%(priority)s::text IS NULL OR priority = %(priority)s)
    ), facts AS (
        SELECT t.*, 'opened' AS fact, opened_at AS fact_at, NULL::float8 AS seconds FROM t
        UNION ALL
        SELECT t.*, 'first_response', first_response_at, first_response_seconds FROM t
        WHERE first_response_at IS NOT NULL
        UNION ALL
        SELECT t.*, 'resolved', resolved_at, resolution_seconds FROM t
        WHERE resolved_at IS NOT NULL
        UNION ALL
        SELECT t.*, 'breach_' || (l.details ->> 'clock'), l.at, NULL FROM t
        JOIN ticket_timeline l USING (ticket_id) WHERE l.kind = 'sla_breached'
    )
    SELECT {key} AS key,
        count(*) FILTER (WHERE fact = 'opened') AS tickets_opened,
        count(*) FILTER (WHERE fact = 'resolved') AS tickets_resolved,
        count(*) FILTER (WHERE fact = 'first_response') AS first_responses,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)
            FILTER (WHERE fact = 'first_response') AS first_response_median_seconds,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds)
            FILTER (WHERE fact = 'first_response') AS first_response_p90_seconds,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)
            FILTER (WHERE fact = 'resolved') AS resolution_median_seconds,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds)
            FILTER (WHERE fact = 'resolved') AS resolution_p90_seconds,
        count(*) FILTER (WHERE fact = 'resolved' AND resolved_within_sla) AS within_sla,
        count(*) FILTER (WHERE fact = 'breach_first_response') AS first_response_breaches,
        count(*) FILTER (WHERE fact = 'breach_resolution') AS resolution_breaches,
        count(*) FILTER (WHERE fact = 'resolved' AND reopen_count > 0) AS reopened
    FROM facts
    WHERE (%(since)s::timestamptz IS NULL OR fact_at >= %(since)s)
      AND (%(until)s::timestamptz IS NULL OR fact_at < %(until)s)
    GROUP BY 1 ORDER BY 1 NULLS LAST
"""

_BACKLOG = """
    SELECT {key} AS key,
        count(*) FILTER (WHERE opened_at > %(at)s - interval '1 day') AS under_1_day,
        count(*) FILTER (WHERE opened_at <= %(at)s - interval '1 day'
            AND opened_at > %(at)s - interval '3 days') AS from_1_to_3_days,
        count(*) FILTER (WHERE opened_at <= %(at)s - interval '3 days'
            AND opened_at > %(at)s - interval '7 days') AS from_3_to_7_days,
        count(*) FILTER (WHERE opened_at <= %(at)s - interval '7 days') AS over_7_days
    FROM tickets
    WHERE status = ANY(%(active)s) AND opened_at <= %(at)s
      AND (%(agent)s::text IS NULL OR assignee = %(agent)s)
      AND (%(category)s::text IS NULL OR category = %(category)s)
      AND (%(priority)s::text IS NULL OR priority = %(priority)s)
    GROUP BY 1
"""


async def service_metrics(
    conn: AsyncConnection[Any],
    f: ServiceMetricsFilter,
    group_by: MetricsGrouping | str | None,
    at: datetime,
) -> ServiceMetricsView:
    """The figures of the tickets ``f`` selects, in total and per group (see the module
    docstring). The backlog counts active tickets at ``at`` by age."""
    grouping = _grouping(group_by)
    params = _params(f, at)
    totals = await _figures(conn, sql.SQL("NULL::text"), params, backlog=True)
    rows: list[ServiceMetricsRow] = []
    if grouping is not None:
        groups = await _figures(conn, _key(grouping), params, backlog=not grouping.is_period)
        rows = [_row(key, figures, grouping) for key, figures in groups.items()]
    empty = _figures_of({}, BacklogView())
    return ServiceMetricsView(at, totals.get(None, empty), grouping, rows)


def _grouping(group_by: MetricsGrouping | str | None) -> MetricsGrouping | None:
    if group_by is None or isinstance(group_by, MetricsGrouping):
        return group_by
    try:
        return MetricsGrouping(group_by)
    except ValueError:
        known = ", ".join(g.value for g in MetricsGrouping)
        raise ValidationError(f"groupBy is one of {known}", field="groupBy") from None


def _params(f: ServiceMetricsFilter, at: datetime) -> dict[str, Any]:
    return {
        "agent": f.agent, "category": f.category,
        "priority": f.priority.value if f.priority else None,
        "since": f.since, "until": f.until, "at": at,
        "active": [s.value for s in TicketStatus if s.is_active],
    }  # fmt: skip


def _key(grouping: MetricsGrouping) -> sql.Composable:
    if grouping.is_period:
        # The period of each fact's own time (the backlog has no rows per period).
        unit = sql.Literal(grouping.value)
        return sql.SQL("(date_trunc({}, fact_at, 'UTC') AT TIME ZONE 'UTC')::date::text").format(
            unit
        )
    return _KEYS[grouping]


async def _figures(
    conn: AsyncConnection[Any], key: sql.Composable, params: dict[str, Any], *, backlog: bool
) -> dict[str | None, ServiceFiguresView]:
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(sql.SQL(_FACTS).format(key=key), params)
        flows = {row["key"]: row for row in await cursor.fetchall()}
        backlogs: dict[str | None, BacklogView] = {}
        if backlog:
            await cursor.execute(sql.SQL(_BACKLOG).format(key=key), params)
            backlogs = {row.pop("key"): BacklogView(**row) for row in await cursor.fetchall()}
    keys = sorted(flows.keys() | backlogs.keys(), key=lambda k: (k is None, k or ""))
    return {
        k: _figures_of(flows.get(k, {}), backlogs.get(k, BacklogView()) if backlog else None)
        for k in keys
    }


def _figures_of(row: dict[str, Any], backlog: BacklogView | None) -> ServiceFiguresView:
    resolved = int(row.get("tickets_resolved", 0))
    return ServiceFiguresView(
        tickets_opened=int(row.get("tickets_opened", 0)),
        tickets_resolved=resolved,
        first_responses=int(row.get("first_responses", 0)),
        first_response_median_seconds=row.get("first_response_median_seconds"),
        first_response_p90_seconds=row.get("first_response_p90_seconds"),
        resolution_median_seconds=row.get("resolution_median_seconds"),
        resolution_p90_seconds=row.get("resolution_p90_seconds"),
        resolved_within_sla=_percent(int(row.get("within_sla", 0)), resolved),
        first_response_breaches=int(row.get("first_response_breaches", 0)),
        resolution_breaches=int(row.get("resolution_breaches", 0)),
        reopen_rate=_percent(int(row.get("reopened", 0)), resolved),
        backlog=backlog,
    )


def _row(
    key: str | None, figures: ServiceFiguresView, grouping: MetricsGrouping
) -> ServiceMetricsRow:
    if not grouping.is_period or key is None:
        return ServiceMetricsRow(key, figures)
    start = datetime.combine(date.fromisoformat(key), datetime.min.time(), UTC)
    return ServiceMetricsRow(key, figures, period_start=start)


def _percent(part: int, whole: int) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole
