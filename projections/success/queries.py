"""What the API reads of customer health: one customer's inputs, and the at-risk list.

The at-risk list is ordered in SQL by the total score, whose recency part is computed from
``last_purchase_at`` and the time of the read with the same integer formula as
:func:`domain.success.health.recency_score`; the rest of the points are stored.
Its cursor is the pair (score, seq): paging goes on after that pair, so customers entering or
leaving the list meanwhile shift no page (keyset paging, not an offset).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

from domain.success import health as h

SEQ_SPAN = 10**15
"""A cursor packs (score, seq) into one number: score * SEQ_SPAN + seq."""


@dataclass(frozen=True, slots=True)
class HealthRow:
    customer_id: UUID
    seq: int
    last_purchase_at: datetime | None
    latest_nps: int | None
    previous_nps: int | None
    open_tickets: int
    breached_tickets: int
    complaints: int
    survey_answers: int
    reviews: int
    feedback: int
    friends_invited: int
    redemptions: int

    def inputs(self, now: datetime) -> h.HealthInputs:
        return h.HealthInputs(
            days_since_purchase=h.days_between(self.last_purchase_at, now),
            latest_nps=self.latest_nps,
            previous_nps=self.previous_nps,
            open_tickets=self.open_tickets,
            breached_tickets=self.breached_tickets,
            complaints=self.complaints,
            survey_answers=self.survey_answers,
            reviews=self.reviews,
            feedback=self.feedback,
            friends_invited=self.friends_invited,
            redemptions=self.redemptions,
        )


@dataclass(frozen=True, slots=True)
class AtRisk:
    customer_id: UUID
    health: h.Health
    cursor: int


@dataclass(frozen=True, slots=True)
class AtRiskPage:
    items: list[AtRisk]
    has_next_page: bool


_COLUMNS = """customer_id, seq, last_purchase_at, latest_nps, previous_nps, open_tickets,
    breached_tickets, complaints, survey_answers, reviews, feedback, friends_invited, redemptions"""

_RECENCY = f"""
    CASE
        WHEN last_purchase_at IS NULL THEN {h.NO_PURCHASE_RECENCY}
        WHEN days <= {h.FRESH_DAYS} THEN 100
        WHEN days >= {h.STALE_DAYS} THEN 0
        ELSE 100 * ({h.STALE_DAYS} - days) / ({h.STALE_DAYS - h.FRESH_DAYS})
    END"""

_SCORE = f"""(static_points + {h.RECENCY_WEIGHT} * {_RECENCY} + {h.WEIGHT_TOTAL // 2})
    / {h.WEIGHT_TOTAL}"""
"""A row's total score at %(now)s, rounded half up as :func:`domain.success.health.health_of`."""
_DAYS = """LATERAL (SELECT greatest(0, floor(extract(epoch FROM %(now)s - last_purchase_at)
    / 86400))::int AS days) AS d"""

# {where} and {order} are this module's own fragments, never input.
_AT_RISK = f"""
    SELECT * FROM (
        SELECT {_COLUMNS}, {_SCORE} AS score
        FROM health_customers, {_DAYS}
        WHERE static_points < %(bound)s
    ) AS scored
    WHERE score < {h.AT_RISK_BELOW} AND {{where}}
    ORDER BY score {{order}}, seq {{order}}
    LIMIT %(limit)s
"""
_CAP = h.AT_RISK_BELOW * h.WEIGHT_TOTAL
"""Only rows whose unaging points are under the band's bound can be in it (recency only
adds points)."""


@dataclass(frozen=True, slots=True)
class _ScoredRow(HealthRow):
    score: int


async def health_row(conn: AsyncConnection[Any], customer_id: UUID) -> HealthRow | None:
    async with conn.cursor(row_factory=class_row(HealthRow)) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM health_customers WHERE customer_id = %s", (customer_id,)
        )
        return await cur.fetchone()


def health_or_default(row: HealthRow | None, now: datetime) -> h.Health:
    """A customer nothing has happened to yet has the default inputs."""
    return h.health_of(row.inputs(now) if row is not None else h.HealthInputs())


async def at_risk_page(
    conn: AsyncConnection[Any], first: int, after: int, now: datetime
) -> AtRiskPage:
    """The customers at risk, most at risk first, after the cursor ``after`` (0: the first)."""
    where = "(score, seq) > (%(score)s, %(seq)s)"
    params = _cursor_params(after, now, first + 1)
    # Recency only adds points, so a row's score is at least (static_points + 50) // 100: a
    # row with static_points >= 100 * (s + 1) - 50 scores above s. The scan starts with the
    # rows under a small bound (the index on static_points finds them) and widens it until
    # every row it leaves out must score above the page's last one.
    bound = min(_CAP, 100 * (max(params["score"], 0) + 2))
    while True:
        rows = await _rows(conn, where, "", {**params, "bound": bound})
        if bound >= _CAP or (len(rows) > first and bound >= 100 * (rows[-1].score + 1) - 50):
            break
        bound = min(_CAP, bound * 2)
    return AtRiskPage([_item(r, now) for r in rows[:first]], len(rows) > first)


async def at_risk_page_before(
    conn: AsyncConnection[Any], last: int, before: int | None, now: datetime
) -> AtRiskPage:
    """The ``last`` customers just before the cursor ``before`` (None: the end), in the
    list's order; ``has_next_page``: more precede them."""
    where = "TRUE" if before is None else "(score, seq) < (%(score)s, %(seq)s)"
    params = {**_cursor_params(before or 0, now, last + 1), "bound": _CAP}
    rows = await _rows(conn, where, "DESC", params)
    return AtRiskPage([_item(r, now) for r in rows[:last][::-1]], len(rows) > last)


def _cursor_params(cursor: int, now: datetime, limit: int) -> dict[str, Any]:
    score, seq = divmod(cursor, SEQ_SPAN)
    if cursor == 0:
        score, seq = -1, 0
    return {"score": score, "seq": seq, "now": now, "limit": limit}


async def _rows(
    conn: AsyncConnection[Any], where: str, order: str, params: dict[str, Any]
) -> list[_ScoredRow]:
    async with conn.cursor(row_factory=class_row(_ScoredRow)) as cur:
        await cur.execute(_AT_RISK.format(where=where, order=order), params)
        return await cur.fetchall()


def _item(row: _ScoredRow, now: datetime) -> AtRisk:
    health = h.health_of(row.inputs(now))
    return AtRisk(row.customer_id, health, row.score * SEQ_SPAN + row.seq)


def at_risk_customers_after(
    conn: Connection[Any], now: datetime, after_seq: int, limit: int
) -> list[tuple[UUID, int]]:
    """The customers in the at-risk band at ``now`` (recency computed at ``now``), as (id,
    place in the log), in the order of their place, after ``after_seq``: a job walks them in
    batches with the place as its cursor."""
    query = f"""
        SELECT customer_id, seq FROM (
            SELECT customer_id, seq, {_SCORE} AS score
            FROM health_customers, {_DAYS}
            WHERE static_points < %(bound)s AND seq > %(after)s
        ) AS scored
        WHERE score < {h.AT_RISK_BELOW}
        ORDER BY seq
        LIMIT %(limit)s
    """
    params = {"now": now, "bound": _CAP, "after": after_seq, "limit": limit}
    return [(row[0], row[1]) for row in conn.execute(query, params).fetchall()]
