"""The customer directory's multi-row statements: one per table and kind of change, however
many events a batch holds. Column names come from this package's literals, never input."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor, sql

from domain.customer.profile import ONBOARDING_STEPS
from projections.bulk import Column, as_columns, insert_rows

REGISTRATION_COLUMNS: tuple[Column, ...] = (
    ("customer_id", "uuid"),
    ("seq", "bigint"),
    ("name", "text"),
    ("email", "text"),
    ("phone", "text"),
    ("region", "text"),
    ("personal_data_erased", "boolean"),
    ("registered_at", "timestamptz"),
    ("registered_by_role", "text"),
    ("registered_through", "text"),
    ("version", "bigint"),
    ("address", "jsonb"),
    ("language", "text"),
    ("birth_year", "integer"),
)
CONSENT_HISTORY_COLUMNS: tuple[Column, ...] = (
    ("position", "bigint"),
    ("customer_id", "uuid"),
    ("purpose", "text"),
    ("given", "boolean"),
    ("decision", "text"),
    ("changed_at", "timestamptz"),
    ("actor_id", "text"),
    ("actor_role", "text"),
    ("channel", "text"),
)
ONBOARDING_COLUMNS: tuple[Column, ...] = (
    ("customer_id", "uuid"),
    ("step", "text"),
    ("completed_at", "timestamptz"),
)
PURCHASE_COLUMNS: tuple[Column, ...] = (
    ("purchase_id", "uuid"),
    ("customer_id", "uuid"),
    ("order_id", "text"),
    ("amount_minor", "bigint"),
    ("currency", "text"),
    ("channel", "text"),
    ("purchased_at", "timestamptz"),
    ("version", "bigint"),
)
COLUMN_TYPES = {
    "name": "text",
    "email": "text",
    "phone": "text",
    "address": "jsonb",
    "region": "text",
    "language": "text",
    "birth_year": "integer",
}
"""The directory columns a Customer event sets, and their types."""


def insert_registrations(cursor: Cursor[Any], rows: Sequence[Any], *, copy: bool) -> None:
    # A customer id is registered once (the Created event of its stream): COPY is safe.
    on_conflict = "ON CONFLICT (customer_id) DO NOTHING"
    insert_rows(cursor, "customer_directory", REGISTRATION_COLUMNS, rows, on_conflict, copy=copy)


def set_column(cursor: Cursor[Any], column: str, values: Mapping[UUID, Any]) -> None:
    """Set ``column`` of each customer to its value (the batch's last)."""
    statement = sql.SQL(
        "UPDATE customer_directory AS d SET {column} = v.value"
        " FROM unnest(%b::uuid[], %b::{type}[]) AS v(id, value) WHERE d.customer_id = v.id"
    ).format(
        column=sql.Identifier(column),
        type=sql.SQL(COLUMN_TYPES[column]),
    )
    cursor.execute(statement, (list(values), list(values.values())))


def upsert_preferences(
    cursor: Cursor[Any], preferences: Mapping[tuple[UUID, str], tuple[bool, datetime]]
) -> None:
    rows = [(*key, *value) for key, value in preferences.items()]
    if rows:
        cursor.execute(
            """
            INSERT INTO customer_contact_preferences (customer_id, channel, opted_in, changed_at)
            SELECT * FROM unnest(%b::uuid[], %b::text[], %b::boolean[], %b::timestamptz[])
            ON CONFLICT (customer_id, channel)
            DO UPDATE SET opted_in = excluded.opted_in, changed_at = excluded.changed_at
            """,
            as_columns(rows, 4),
        )


def upsert_consents(
    cursor: Cursor[Any], consents: Mapping[tuple[UUID, str], tuple[bool, str, datetime]]
) -> None:
    rows = [(*key, *value) for key, value in consents.items()]
    if rows:
        cursor.execute(
            """
            INSERT INTO customer_consents (customer_id, purpose, given, decision, changed_at)
            SELECT * FROM unnest(%b::uuid[], %b::text[], %b::boolean[], %b::text[],
                %b::timestamptz[])
            ON CONFLICT (customer_id, purpose)
            DO UPDATE SET given = excluded.given, decision = excluded.decision,
                changed_at = excluded.changed_at
            """,
            as_columns(rows, 5),
        )


def insert_consent_history(cursor: Cursor[Any], rows: Sequence[Any], *, copy: bool) -> None:
    # Keyed by log position: COPY is safe into an empty table.
    on_conflict = "ON CONFLICT (position) DO NOTHING"
    insert_rows(
        cursor, "customer_consent_history", CONSENT_HISTORY_COLUMNS, rows, on_conflict, copy=copy
    )


def insert_onboarding_steps(cursor: Cursor[Any], rows: Sequence[Any]) -> None:
    # Never by COPY: a step may be recorded twice, and only the first counts.
    on_conflict = "ON CONFLICT (customer_id, step) DO NOTHING"
    insert_rows(cursor, "customer_onboarding_steps", ONBOARDING_COLUMNS, rows, on_conflict)


def insert_purchases(cursor: Cursor[Any], rows: Sequence[Any], *, copy: bool) -> None:
    # A purchase id is recorded once (the Created event of its stream): COPY is safe.
    on_conflict = "ON CONFLICT (purchase_id) DO NOTHING"
    insert_rows(cursor, "customer_purchases", PURCHASE_COLUMNS, rows, on_conflict, copy=copy)


def apply_refunds(cursor: Cursor[Any], refunds: Sequence[tuple[UUID, int, int]]) -> None:
    """Add each order's refunds past the version its row has reached: the same as applying
    them one by one in log order (an order's versions rise along the log), and a replay adds
    nothing."""
    if refunds:
        cursor.execute(
            """
            UPDATE customer_purchases AS p
            SET refunded_minor = p.refunded_minor + r.amount, version = r.version
            FROM (
                SELECT q.purchase_id, sum(v.amount)::bigint AS amount, max(v.version) AS version
                FROM customer_purchases AS q
                JOIN unnest(%b::uuid[], %b::bigint[], %b::bigint[]) AS v(id, version, amount)
                    ON v.id = q.purchase_id AND v.version > q.version
                GROUP BY q.purchase_id
            ) AS r
            WHERE p.purchase_id = r.purchase_id
            """,
            as_columns(refunds, 3),
        )


def onboarding_figures(cursor: Cursor[Any], customers: Collection[UUID]) -> None:
    """Recompute the onboarding figures of ``customers`` from their steps."""
    if customers:
        cursor.execute(
            """
            UPDATE customer_directory AS d
            SET onboarding_steps = s.done,
                onboarding_state = CASE
                    WHEN s.known = %(needed)s THEN 'completed'
                    WHEN s.done > 0 THEN 'in_progress'
                    ELSE 'not_started' END
            FROM (
                SELECT customer_id, count(*)::int AS done,
                    count(*) FILTER (WHERE step = ANY(%(steps)s))::int AS known
                FROM customer_onboarding_steps WHERE customer_id = ANY(%(customers)b::uuid[])
                GROUP BY customer_id
            ) AS s
            WHERE d.customer_id = s.customer_id
            """,
            {
                "customers": list(customers),
                "steps": list(ONBOARDING_STEPS),
                "needed": len(ONBOARDING_STEPS),
            },
        )


def purchase_figures(cursor: Cursor[Any], customers: Collection[UUID]) -> None:
    """Recompute the purchase figures of ``customers`` from their orders (a replay is
    harmless)."""
    if customers:
        cursor.execute(
            """
            UPDATE customer_directory AS d
            SET purchase_count = s.purchases,
                first_purchase_at = s.first_at,
                last_purchase_at = s.last_at,
                channels = s.channels
            FROM (
                SELECT customer_id, count(*)::int AS purchases, min(purchased_at) AS first_at,
                    max(purchased_at) AS last_at,
                    coalesce(array_agg(DISTINCT channel ORDER BY channel), '{}') AS channels
                FROM customer_purchases WHERE customer_id = ANY(%b::uuid[])
                GROUP BY customer_id
            ) AS s
            WHERE d.customer_id = s.customer_id
            """,
            (list(customers),),
        )
