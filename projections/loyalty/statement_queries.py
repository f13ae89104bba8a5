"""One member's statement: account, balance as of any date, transactions, expiries, tiers.

Spendable and pending follow the aggregate's own definitions (``domain.loyalty.lots``): a lot's
remaining points are spendable from ``available_at`` until ``expires_at``, and pending from
``earned_at`` until ``available_at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row

from domain.loyalty.values import TIER_WINDOW, Tier, next_tier
from projections.loyalty.views import (
    BalanceView,
    ExpiryView,
    LoyaltyAccountView,
    TierChangeView,
    TransactionKind,
    TransactionPage,
    TransactionView,
)

_NO_CURSOR = 2**63 - 1

_ACCOUNTS = """
    SELECT customer_id, account_id, enrolled_at, tier, tier_since, points_earned,
        points_redeemed, points_expired
    FROM loyalty_accounts WHERE customer_id = ANY(%(customers)s)
"""

# Current remainders at ``at``: what the aggregate's balance(at) and pending(at) read.
_FIGURES = """
    SELECT customer_id,
        coalesce(sum(remaining) FILTER (WHERE remaining > 0
            AND available_at <= %(at)s AND %(at)s < expires_at), 0),
        coalesce(sum(remaining) FILTER (WHERE remaining > 0
            AND earned_at <= %(at)s AND %(at)s < available_at), 0),
        coalesce(sum(greatest(points - clawed, 0)) FILTER (WHERE qualifying
            AND earned_at > %(since)s AND earned_at <= %(at)s), 0)
    FROM loyalty_lots WHERE customer_id = ANY(%(customers)s) GROUP BY customer_id
"""

# Each member's soonest expiry after ``at`` (the points of all their lots expiring then).
_NEXT_EXPIRIES = """
    SELECT DISTINCT ON (customer_id) customer_id, expires_at, points FROM (
        SELECT customer_id, expires_at, sum(remaining)::bigint AS points FROM loyalty_lots
        WHERE customer_id = ANY(%(customers)s) AND remaining > 0 AND expires_at > %(at)s
        GROUP BY customer_id, expires_at
    ) expiries
    ORDER BY customer_id, expires_at
"""

# Remainders as they stood at ``at``: each lot's moves up to then.
_BALANCE_AS_OF = """
    WITH held AS (
        SELECT lot_id, sum(points) AS remaining FROM loyalty_lot_moves
        WHERE customer_id = %(customer)s AND at <= %(at)s GROUP BY lot_id
    )
    SELECT
        coalesce(sum(h.remaining) FILTER (WHERE h.remaining > 0
            AND l.available_at <= %(at)s AND %(at)s < l.expires_at), 0),
        coalesce(sum(h.remaining) FILTER (WHERE h.remaining > 0
            AND l.earned_at <= %(at)s AND %(at)s < l.available_at), 0)
    FROM held h JOIN loyalty_lots l USING (lot_id)
"""

_TRANSACTIONS = """
    SELECT t.seq, t.at, t.kind, t.points, t.order_id, t.reward_id, r.name AS reward_name,
        t.redemption_id, t.rule_ids, t.award, t.reason, t.unrecovered, t.actor_id,
        t.actor_role, t.channel
    FROM loyalty_transactions t LEFT JOIN loyalty_rewards r USING (reward_id)
    WHERE t.customer_id = %(customer)s AND t.seq < %(before)s
    ORDER BY t.seq DESC LIMIT %(limit)s
"""
# The same rows read oldest first: the transactions just newer than a cursor, for paging back.
_TRANSACTIONS_NEWER = _TRANSACTIONS.replace("t.seq < %(before)s", "t.seq > %(after)s").replace(
    "ORDER BY t.seq DESC", "ORDER BY t.seq"
)

_EXPIRIES = """
    SELECT expires_at, sum(remaining)::bigint AS points FROM loyalty_lots
    WHERE customer_id = %(customer)s AND remaining > 0 AND expires_at > %(at)s
    GROUP BY expires_at ORDER BY expires_at LIMIT %(limit)s
"""


async def account_view(
    conn: AsyncConnection[Any], customer_id: UUID, at: datetime
) -> LoyaltyAccountView | None:
    """The member's account with its balance, tier progress and next expiry at ``at``;
    None if the customer is not enrolled."""
    return (await account_views(conn, [customer_id], at)).get(customer_id)


async def account_views(
    conn: AsyncConnection[Any], customer_ids: Sequence[UUID], at: datetime
) -> dict[UUID, LoyaltyAccountView]:
    """The accounts of those of ``customer_ids`` who are enrolled, by customer id, as
    :func:`account_view` shows one: three queries (``= ANY``) for all of them."""
    params = {"customers": list(customer_ids), "at": at, "since": at - TIER_WINDOW}
    accounts = await (await conn.execute(_ACCOUNTS, params)).fetchall()
    figures = {row[0]: row[1:] for row in await (await conn.execute(_FIGURES, params)).fetchall()}
    expiries = {
        row[0]: ExpiryView(row[1], int(row[2]))
        for row in await (await conn.execute(_NEXT_EXPIRIES, params)).fetchall()
    }
    return {
        row[0]: _account(row, figures.get(row[0], (0, 0, 0)), expiries.get(row[0]), at)
        for row in accounts
    }


def _account(
    row: Any, figures: Sequence[int], expiry: ExpiryView | None, at: datetime
) -> LoyaltyAccountView:
    spendable, pending, qualifying = (int(x) for x in figures)
    following = next_tier(Tier(row[3]))
    return LoyaltyAccountView(
        customer_id=row[0],
        account_id=row[1],
        enrolled_at=row[2],
        tier=row[3],
        tier_since=row[4],
        balance=BalanceView(at, spendable, pending),
        qualifying_points=qualifying,
        next_tier=None if following is None else following.tier.value,
        points_to_next_tier=None if following is None else max(following.threshold - qualifying, 0),
        next_expiry=expiry,
        points_earned=row[5],
        points_redeemed=row[6],
        points_expired=row[7],
    )


async def balance_as_of(
    conn: AsyncConnection[Any], customer_id: UUID, at: datetime
) -> BalanceView | None:
    """What the member held at ``at`` (a past date gives the historical figure); None if the
    customer is not enrolled, zeros if they enrolled after ``at``."""
    cursor = await conn.execute(
        "SELECT 1 FROM loyalty_accounts WHERE customer_id = %s", (customer_id,)
    )
    if await cursor.fetchone() is None:
        return None
    cursor = await conn.execute(_BALANCE_AS_OF, {"customer": customer_id, "at": at})
    row = await cursor.fetchone()
    assert row is not None
    return BalanceView(at, int(row[0]), int(row[1]))


async def transactions_page(
    conn: AsyncConnection[Any], customer_id: UUID, first: int, after_seq: int | None
) -> TransactionPage:
    """The member's transactions newest first, those before ``after_seq`` (None: the newest),
    each with the name of its reward."""
    params = {
        "customer": customer_id,
        "before": _NO_CURSOR if after_seq is None else after_seq,
        "limit": first + 1,
    }
    async with conn.cursor() as cursor:
        await cursor.execute(_TRANSACTIONS, params)
        rows = await cursor.fetchall()
    items = [_transaction(row) for row in rows[:first]]
    return TransactionPage(items, len(rows) > first)


async def transactions_page_newer(
    conn: AsyncConnection[Any], customer_id: UUID, last: int, before_seq: int | None
) -> TransactionPage:
    """The statement read backward: the ``last`` transactions just newer than
    ``before_seq`` (None: the oldest ones), newest first like the statement; the page's
    ``has_next_page`` says whether yet newer ones exist."""
    params = {
        "customer": customer_id,
        "after": 0 if before_seq is None else before_seq,
        "limit": last + 1,
    }
    async with conn.cursor() as cursor:
        await cursor.execute(_TRANSACTIONS_NEWER, params)
        rows = await cursor.fetchall()
    items = [_transaction(row) for row in rows[:last][::-1]]
    return TransactionPage(items, len(rows) > last)


def _transaction(row: tuple[Any, ...]) -> TransactionView:
    seq, at, kind, points, order_id, reward_id, reward_name, redemption_id, *rest = row
    rule_ids, award, reason, unrecovered, actor_id, actor_role, channel = rest
    return TransactionView(
        seq, at, TransactionKind(kind), points, order_id, reward_id, reward_name,
        redemption_id, list(rule_ids), award, reason, unrecovered, actor_id, actor_role,
        channel,
    )  # fmt: skip


async def upcoming_expiries(
    conn: AsyncConnection[Any], customer_id: UUID, at: datetime, limit: int
) -> list[ExpiryView]:
    """Points still held that expire after ``at``, soonest first, one row per expiry time."""
    async with conn.cursor(row_factory=class_row(ExpiryView)) as cursor:
        await cursor.execute(_EXPIRIES, {"customer": customer_id, "at": at, "limit": limit})
        return await cursor.fetchall()


async def tier_history(conn: AsyncConnection[Any], customer_id: UUID) -> list[TierChangeView]:
    """The member's tier changes, newest first."""
    async with conn.cursor(row_factory=class_row(TierChangeView)) as cursor:
        await cursor.execute(
            "SELECT seq, at, from_tier, to_tier, qualifying_points FROM loyalty_tier_changes"
            " WHERE customer_id = %s ORDER BY seq DESC",
            (customer_id,),
        )
        return await cursor.fetchall()
