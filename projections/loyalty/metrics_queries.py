"""Program metrics as of a time: enrolment, activity, points earned and redeemed, the points
liability and repeat purchases of members against non-members.

Customers and members count those registered and enrolled by ``at``; points earned, redeemed
and activity come from the transactions up to ``at``. Two figures read the current state, not a
past one: the liability (the lots' current remainders, of lots not expired at ``at``) and
customers' order counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg import AsyncConnection

from projections.loyalty.views import ProgramMetricsView

ACTIVITY_WINDOW = timedelta(days=90)

_POPULATION = """
    WITH people AS (
        SELECT c.orders, c.registered_at <= %(at)s AS registered,
            a.enrolled_at IS NOT NULL AND a.enrolled_at <= %(at)s AS member
        FROM loyalty_customers c FULL JOIN loyalty_accounts a USING (customer_id)
    )
    SELECT
        count(*) FILTER (WHERE registered),
        count(*) FILTER (WHERE member),
        count(*) FILTER (WHERE member AND orders >= 2),
        count(*) FILTER (WHERE registered AND NOT member),
        count(*) FILTER (WHERE registered AND NOT member AND orders >= 2)
    FROM people
"""

_POINTS = """
    SELECT
        coalesce(sum(points) FILTER (WHERE kind = 'earned'), 0),
        coalesce(-sum(points) FILTER (WHERE kind IN ('redeemed', 'redemption_reversed')), 0),
        count(DISTINCT customer_id) FILTER (WHERE kind IN ('earned', 'redeemed')
            AND at > %(since)s)
    FROM loyalty_transactions
    WHERE kind IN ('earned', 'redeemed', 'redemption_reversed') AND at <= %(at)s
"""

_LIABILITY = """
    SELECT coalesce(sum(remaining), 0) FROM loyalty_lots
    WHERE remaining > 0 AND expires_at > %(at)s AND earned_at <= %(at)s
"""


async def program_metrics(conn: AsyncConnection[Any], at: datetime) -> ProgramMetricsView:
    """The program's figures at ``at`` (see the module docstring for what each counts)."""
    params = {"at": at, "since": _window_start(at)}
    population = await _one(conn, _POPULATION, params)
    customers, members, repeat_members, others, repeat_others = population
    earned, redeemed, active = await _one(conn, _POINTS, params)
    (liability,) = await _one(conn, _LIABILITY, params)
    return ProgramMetricsView(
        at=at,
        customers=customers,
        members=members,
        enrolment_rate=_percent(members, customers),
        active_members=active,
        points_earned=earned,
        points_redeemed=redeemed,
        redemption_rate=_percent(redeemed, earned),
        points_liability=liability,
        repeat_purchase_rate_members=_percent(repeat_members, members),
        repeat_purchase_rate_non_members=_percent(repeat_others, others),
    )


def _window_start(at: datetime) -> datetime:
    """When the activity window before ``at`` opens; any moment a client may ask about is
    accepted, so a window reaching back before year 1 opens at the earliest moment."""
    try:
        return at - ACTIVITY_WINDOW
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


async def _one(conn: AsyncConnection[Any], query: str, params: dict[str, Any]) -> list[int]:
    cursor = await conn.execute(query, params)
    row = await cursor.fetchone()
    assert row is not None  # aggregates without GROUP BY answer one row
    return [int(value) for value in row]


def _percent(part: int, whole: int) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole
