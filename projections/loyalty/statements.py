"""The loyalty read model's multi-row statements: one per table and kind of change, however many
events a batch holds. Arrays go in binary (``%b``): text arrays cost a quoting check per element.
Table and column names come from this module's literals, never input.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor, sql

from projections.bulk import Column, as_columns

ACCOUNT_COLUMNS: tuple[Column, ...] = (
    ("customer_id", "uuid"),
    ("account_id", "uuid"),
    ("seq", "bigint"),
    ("enrolled_at", "timestamptz"),
    ("tier", "text"),
    ("tier_since", "timestamptz"),
    ("last_activity_at", "timestamptz"),
)
TRANSACTION_COLUMNS: tuple[Column, ...] = (
    ("seq", "bigint"),
    ("customer_id", "uuid"),
    ("at", "timestamptz"),
    ("kind", "text"),
    ("points", "bigint"),
    ("order_id", "text"),
    ("reward_id", "uuid"),
    ("redemption_id", "uuid"),
    ("rule_ids", "text[]"),
    ("award", "text"),
    ("reason", "text"),
    ("unrecovered", "bigint"),
    ("actor_id", "text"),
    ("actor_role", "text"),
    ("channel", "text"),
)
LOT_COLUMNS: tuple[Column, ...] = (
    ("lot_id", "uuid"),
    ("customer_id", "uuid"),
    ("seq", "bigint"),
    ("points", "bigint"),
    ("remaining", "bigint"),
    ("qualifying", "boolean"),
    ("earned_at", "timestamptz"),
    ("available_at", "timestamptz"),
    ("expires_at", "timestamptz"),
)
MOVE_COLUMNS: tuple[Column, ...] = (
    ("seq", "bigint"),
    ("lot_id", "uuid"),
    ("customer_id", "uuid"),
    ("at", "timestamptz"),
    ("points", "bigint"),
)
TIER_CHANGE_COLUMNS: tuple[Column, ...] = (
    ("seq", "bigint"),
    ("customer_id", "uuid"),
    ("at", "timestamptz"),
    ("from_tier", "text"),
    ("to_tier", "text"),
    ("qualifying_points", "bigint"),
)
CUSTOMER_COLUMNS: tuple[Column, ...] = (("customer_id", "uuid"), ("registered_at", "timestamptz"))


AccountTotals = tuple[int, int, int, int, datetime | None]
"""Points earned, redeemed, expired, redemptions, and the latest activity (None: none)."""


def customers_of(cursor: Cursor[Any], accounts: Collection[UUID]) -> dict[UUID, UUID]:
    """Account -> its customer, for the ``accounts`` the read model holds."""
    if not accounts:
        return {}
    cursor.execute(
        "SELECT account_id, customer_id FROM loyalty_accounts WHERE account_id = ANY(%b)",
        (list(accounts),),
    )
    return dict(cursor.fetchall())


def add_to_lots(cursor: Cursor[Any], column: str, points: Mapping[UUID, int]) -> None:
    """Add each lot's points to ``column`` (``remaining`` or ``clawed``)."""
    if not points:
        return
    statement = sql.SQL(
        "UPDATE loyalty_lots AS l SET {column} = l.{column} + v.points"
        " FROM unnest(%b::uuid[], %b::bigint[]) AS v (lot_id, points) WHERE l.lot_id = v.lot_id"
    ).format(column=sql.Identifier(column))
    cursor.execute(statement, (list(points), list(points.values())))


def add_to_accounts(cursor: Cursor[Any], totals: Mapping[UUID, AccountTotals]) -> None:
    """Add each account's lifetime totals; its last activity is the latest seen."""
    if not totals:
        return
    rows = [(customer, *figures) for customer, figures in totals.items()]
    cursor.execute(
        """
        UPDATE loyalty_accounts AS a SET points_earned = a.points_earned + v.earned,
            points_redeemed = a.points_redeemed + v.redeemed,
            points_expired = a.points_expired + v.expired,
            redemptions = a.redemptions + v.redemptions,
            last_activity_at = greatest(a.last_activity_at, v.activity)
        FROM unnest(%b::uuid[], %b::bigint[], %b::bigint[], %b::bigint[], %b::bigint[],
                    %b::timestamptz[]) AS v (customer_id, earned, redeemed, expired, redemptions,
                                             activity)
        WHERE a.customer_id = v.customer_id
        """,
        as_columns(rows, 6),
    )


def add_redemptions(cursor: Cursor[Any], counts: Mapping[UUID, int]) -> None:
    # Counted from the account's events: unlimited rewards record no Claimed event.
    if not counts:
        return
    cursor.execute(
        "UPDATE loyalty_rewards AS r SET redemptions = r.redemptions + v.change"
        " FROM unnest(%b::uuid[], %b::bigint[]) AS v (reward_id, change)"
        " WHERE r.reward_id = v.reward_id",
        (list(counts), list(counts.values())),
    )


def set_tiers(cursor: Cursor[Any], tiers: Mapping[UUID, tuple[str, datetime]]) -> None:
    """Each account's tier: its batch's last change."""
    if not tiers:
        return
    rows = [(customer, tier, since) for customer, (tier, since) in tiers.items()]
    cursor.execute(
        "UPDATE loyalty_accounts AS a SET tier = v.tier, tier_since = v.since"
        " FROM unnest(%b::uuid[], %b::text[], %b::timestamptz[]) AS v (customer_id, tier, since)"
        " WHERE a.customer_id = v.customer_id",
        as_columns(rows, 3),
    )


def count_orders(cursor: Cursor[Any], orders: Sequence[tuple[UUID, int, datetime]]) -> None:
    """Count each (customer, log position, purchased at) not counted yet: past the row's
    ``orders_seq``, as one at a time did order by order."""
    if not orders:
        return
    cursor.execute(
        """
        UPDATE loyalty_customers AS c SET orders = c.orders + o.orders, orders_seq = o.seq,
            first_order_at = least(c.first_order_at, o.first_at),
            last_order_at = greatest(c.last_order_at, o.last_at)
        FROM (
            SELECT v.customer_id, count(*) AS orders, max(v.seq) AS seq, min(v.at) AS first_at,
                max(v.at) AS last_at
            FROM unnest(%b::uuid[], %b::bigint[], %b::timestamptz[]) AS v (customer_id, seq, at)
            JOIN loyalty_customers AS k ON k.customer_id = v.customer_id AND v.seq > k.orders_seq
            GROUP BY v.customer_id
        ) AS o
        WHERE c.customer_id = o.customer_id
        """,
        as_columns(orders, 3),
    )
