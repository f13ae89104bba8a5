"""What the API reads of success plans: one plan, a customer's plans, and the portfolio
filtered by status and by the customer's health band (computed when read, like the score)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row

from domain.success import health as h
from domain.success.health import Band


@dataclass(frozen=True, slots=True)
class GoalView:
    goal_id: UUID
    goal: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class MilestoneView:
    goal_id: UUID
    milestone: str
    reached_at: datetime


@dataclass(frozen=True, slots=True)
class CheckInView:
    note: str | None
    """None once the customer was erased."""
    recorded_at: datetime


@dataclass(slots=True)
class PlanView:
    plan_id: UUID
    seq: int
    customer_id: UUID
    title: str
    status: str
    outcome: str | None
    opened_at: datetime
    closed_at: datetime | None
    version: int
    goals: list[GoalView] = field(default_factory=list)
    milestones: list[MilestoneView] = field(default_factory=list)
    check_ins: list[CheckInView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PlanFilter:
    status: str | None = None
    band: Band | None = None
    customer_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class PlanPage:
    items: list[PlanView]
    has_next_page: bool


_DAYS = "greatest(0, floor(extract(epoch FROM %(now)s - hc.last_purchase_at) / 86400))::int"
_RECENCY = f"""CASE
        WHEN hc.last_purchase_at IS NULL THEN {h.NO_PURCHASE_RECENCY}
        WHEN {_DAYS} <= {h.FRESH_DAYS} THEN 100
        WHEN {_DAYS} >= {h.STALE_DAYS} THEN 0
        ELSE 100 * ({h.STALE_DAYS} - {_DAYS}) / ({h.STALE_DAYS - h.FRESH_DAYS})
    END"""
_DEFAULT_POINTS = h.static_points(h.HealthInputs())
_SCORE = (
    f"((coalesce(hc.static_points, {_DEFAULT_POINTS}) + {h.RECENCY_WEIGHT} * {_RECENCY}"
    f" + {h.WEIGHT_TOTAL // 2}) / {h.WEIGHT_TOTAL})"
)
_BANDS = {
    Band.HEALTHY: f"{_SCORE} >= {h.HEALTHY_FROM}",
    Band.WATCH: f"{_SCORE} >= {h.AT_RISK_BELOW} AND {_SCORE} < {h.HEALTHY_FROM}",
    Band.AT_RISK: f"{_SCORE} < {h.AT_RISK_BELOW}",
}

# {where} and {order} are this module's own fragments, never input.
_PLANS = """
    SELECT p.plan_id, p.seq, p.customer_id, p.title, p.status, p.outcome, p.opened_at,
        p.closed_at, p.version
    FROM success_plans p LEFT JOIN health_customers hc USING (customer_id)
    WHERE {where}
    ORDER BY p.seq {order}
    LIMIT %(limit)s
"""


def _where(given: PlanFilter, cursor_clause: str) -> str:
    clauses = [cursor_clause]
    if given.status is not None:
        clauses.append("p.status = %(status)s")
    if given.customer_id is not None:
        clauses.append("p.customer_id = %(customer_id)s")
    if given.band is not None:
        clauses.append(_BANDS[given.band])
    return " AND ".join(clauses)


def _params(given: PlanFilter, now: datetime, **extra: Any) -> dict[str, Any]:
    return {"status": given.status, "customer_id": given.customer_id, "now": now, **extra}


async def plans_page(
    conn: AsyncConnection[Any], given: PlanFilter, first: int, after: int, now: datetime
) -> PlanPage:
    """Plans in the order they were opened, after the one at ``after`` (0: the first)."""
    params = _params(given, now, after=after, limit=first + 1)
    rows = await _rows(conn, _where(given, "p.seq > %(after)s"), "", params)
    return PlanPage(await _filled(conn, rows[:first]), len(rows) > first)


async def plans_page_before(
    conn: AsyncConnection[Any], given: PlanFilter, last: int, before: int | None, now: datetime
) -> PlanPage:
    """The ``last`` plans opened just before the one at ``before`` (None: the latest), in
    the order they were opened; ``has_next_page``: more precede them."""
    clause = "TRUE" if before is None else "p.seq < %(before)s"
    params = _params(given, now, before=before, limit=last + 1)
    rows = await _rows(conn, _where(given, clause), "DESC", params)
    return PlanPage(await _filled(conn, rows[:last][::-1]), len(rows) > last)


async def plan_by_id(conn: AsyncConnection[Any], plan_id: UUID) -> PlanView | None:
    params = {"id": plan_id, "now": None, "limit": 1}
    rows = await _rows(conn, "p.plan_id = %(id)s", "", params)
    filled = await _filled(conn, rows)
    return filled[0] if filled else None


async def _rows(
    conn: AsyncConnection[Any], where: str, order: str, params: dict[str, Any]
) -> list[PlanView]:
    async with conn.cursor(row_factory=class_row(PlanView)) as cur:
        await cur.execute(_PLANS.format(where=where, order=order), params)
        return await cur.fetchall()


async def _filled(conn: AsyncConnection[Any], plans: list[PlanView]) -> list[PlanView]:
    """The plans with their goals, milestones and check-ins, three queries for the page."""
    by_id = {p.plan_id: p for p in plans}
    ids = list(by_id)
    if not ids:
        return plans
    async with conn.cursor() as cur:
        await cur.execute(
            "SELECT plan_id, goal_id, goal, added_at FROM success_plan_goals"
            " WHERE plan_id = ANY(%s) ORDER BY seq",
            (ids,),
        )
        for plan_id, goal_id, goal, added_at in await cur.fetchall():
            by_id[plan_id].goals.append(GoalView(goal_id, goal, added_at))
        await cur.execute(
            "SELECT plan_id, goal_id, milestone, reached_at FROM success_plan_milestones"
            " WHERE plan_id = ANY(%s) ORDER BY seq",
            (ids,),
        )
        for plan_id, goal_id, milestone, reached_at in await cur.fetchall():
            by_id[plan_id].milestones.append(MilestoneView(goal_id, milestone, reached_at))
        await cur.execute(
            "SELECT plan_id, note, recorded_at FROM success_plan_check_ins"
            " WHERE plan_id = ANY(%s) ORDER BY seq",
            (ids,),
        )
        for plan_id, note, recorded_at in await cur.fetchall():
            by_id[plan_id].check_ins.append(CheckInView(note, recorded_at))
    return plans
