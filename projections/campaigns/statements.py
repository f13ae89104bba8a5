"""The campaigns read model's multi-row statements (``changes.CampaignChanges``): read the rows
a run of folded events touches once, write what it did with one statement per table and kind
of change. Column names come from this package's literals, never input."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor, sql

from projections.bulk import Column, as_columns, insert_rows

CAMPAIGN_COLUMNS: tuple[Column, ...] = (
    ("campaign_id", "uuid"),
    ("seq", "bigint"),
    ("name", "text"),
    ("segment_id", "uuid"),
    ("channel", "text"),
    ("subject", "text"),
    ("body", "text"),
    ("conversion_days", "integer"),
    ("status", "text"),
    ("drafted_at", "timestamptz"),
    ("version", "bigint"),
)
MOVE_COLUMNS: tuple[Column, ...] = (
    ("status", "text"),
    ("scheduled_at", "timestamptz"),
    ("launched_at", "timestamptz"),
    ("cancelled_at", "timestamptz"),
    ("completed_at", "timestamptz"),
    ("batches", "integer"),
)
"""What a campaign's later events set (never to NULL: NULL is "left as it is")."""
BATCH_COLUMNS: tuple[Column, ...] = (("campaign_id", "uuid"), ("batch", "integer"))
RECIPIENT_COLUMNS: tuple[Column, ...] = (
    ("campaign_id", "uuid"),
    ("customer_id", "uuid"),
    ("status", "text"),
    ("reason", "text"),
    ("decided_at", "timestamptz"),
    ("conversion_deadline", "timestamptz"),
    ("converted_at", "timestamptz"),
    ("unsubscribed_at", "timestamptz"),
    ("nps_before", "smallint"),
    ("nps_after", "smallint"),
)
AUDIENCE_COLUMNS: tuple[Column, ...] = (
    ("customer_id", "uuid"),
    ("marketing", "boolean"),
    ("email", "boolean"),
    ("last_nps", "smallint"),
)

Row = tuple[Any, ...]
Audience = tuple[bool, bool, int | None]
"""A ``campaign_audience`` row but its key: marketing, email, last NPS answer."""
Sent = tuple[int, UUID, UUID, datetime, datetime, datetime | None, datetime | None, int | None]
"""A queued recipient row: id, campaign, customer, decided and deadline, then what followed
it (converted, unsubscribed, NPS after)."""
Followed = tuple[int, datetime | None, datetime | None, int | None]
"""A recipient row's id and what followed its message (converted, unsubscribed, NPS after)."""


# -- reading ------------------------------------------------------------------------------


def load_audience(cursor: Cursor[Any], customers: Collection[UUID]) -> dict[UUID, Audience]:
    if not customers:
        return {}
    rows = cursor.execute(
        "SELECT customer_id, marketing, email, last_nps FROM campaign_audience"
        " WHERE customer_id = ANY(%b)",
        (sorted(customers),),
    ).fetchall()
    return {customer: (marketing, email, nps) for customer, marketing, email, nps in rows}


def load_sent(cursor: Cursor[Any], customers: Collection[UUID]) -> list[Sent]:
    """The queued recipient rows of ``customers`` (what their later steps are attributed to)."""
    if not customers:
        return []
    return cursor.execute(
        "SELECT recipient_id, campaign_id, customer_id, decided_at, conversion_deadline,"
        " converted_at, unsubscribed_at, nps_after FROM campaign_recipients"
        " WHERE customer_id = ANY(%b) AND status = 'queued'",
        (sorted(customers),),
    ).fetchall()


def load_conversion_days(cursor: Cursor[Any], campaigns: Collection[UUID]) -> dict[UUID, int]:
    if not campaigns:
        return {}
    rows = cursor.execute(
        "SELECT campaign_id, conversion_days FROM campaigns WHERE campaign_id = ANY(%b)",
        (sorted(campaigns),),
    ).fetchall()
    return dict(rows)


def load_batches(
    cursor: Cursor[Any], batches: Collection[tuple[UUID, int]]
) -> set[tuple[UUID, int]]:
    """Which of ``batches`` were applied before."""
    if not batches:
        return set()
    campaigns, numbers = as_columns(sorted(batches), 2)
    rows = cursor.execute(
        "SELECT b.campaign_id, b.batch FROM campaign_batches b"
        " JOIN unnest(%b::uuid[], %b::integer[]) AS v(campaign_id, batch)"
        " ON b.campaign_id = v.campaign_id AND b.batch = v.batch",
        (campaigns, numbers),
    ).fetchall()
    return {(campaign, batch) for campaign, batch in rows}


# -- writing ------------------------------------------------------------------------------


def insert_campaigns(cursor: Cursor[Any], rows: Sequence[Row], *, copy: bool) -> None:
    # A campaign id is drafted once (the Created event of its stream): COPY is safe.
    on_conflict = "ON CONFLICT (campaign_id) DO NOTHING"
    insert_rows(cursor, "campaigns", CAMPAIGN_COLUMNS, rows, on_conflict, copy=copy)


def move_campaigns(cursor: Cursor[Any], moves: Mapping[UUID, tuple[int, dict[str, Any]]]) -> None:
    """Set each campaign's columns its events of the run set (the last value of each) and its
    version, unless its row already holds that version or a later one (applied before)."""
    if not moves:
        return
    rows = [
        (campaign, version, *(values.get(name) for name, _ in MOVE_COLUMNS))
        for campaign, (version, values) in moves.items()
    ]
    columns = (("campaign_id", "uuid"), ("version", "bigint"), *MOVE_COLUMNS)
    arrays = sql.SQL(", ").join(sql.SQL("%b::{}[]").format(sql.SQL(type_)) for _, type_ in columns)
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    sets = sql.SQL(", ").join(
        sql.SQL("{0} = coalesce(v.{0}, c.{0})").format(sql.Identifier(name))
        for name, _ in MOVE_COLUMNS
    )
    statement = sql.SQL(
        "UPDATE campaigns AS c SET {sets}, version = v.version FROM unnest({arrays}) AS v ({names})"
        " WHERE c.campaign_id = v.campaign_id AND c.version < v.version"
    ).format(sets=sets, arrays=arrays, names=names)
    cursor.execute(statement, as_columns(rows, len(columns)))


def insert_batches(cursor: Cursor[Any], rows: Sequence[Row], *, copy: bool) -> None:
    # Only batches not applied before come here (see ``load_batches``).
    on_conflict = "ON CONFLICT DO NOTHING"
    insert_rows(cursor, "campaign_batches", BATCH_COLUMNS, rows, on_conflict, copy=copy)


def insert_recipients(cursor: Cursor[Any], rows: Sequence[Row], *, copy: bool) -> None:
    """Rows in the order given, which is the order of their generated ids (a batch's members
    as its event lists them, batches in log order)."""
    on_conflict = "ON CONFLICT (campaign_id, customer_id) DO NOTHING"
    insert_rows(cursor, "campaign_recipients", RECIPIENT_COLUMNS, rows, on_conflict, copy=copy)


def update_followed(cursor: Cursor[Any], rows: Sequence[Followed]) -> None:
    """Write what followed each of these (loaded) recipient rows' message."""
    if rows:
        cursor.execute(
            "UPDATE campaign_recipients AS r SET converted_at = v.converted_at,"
            " unsubscribed_at = v.unsubscribed_at, nps_after = v.nps_after"
            " FROM unnest(%b::bigint[], %b::timestamptz[], %b::timestamptz[], %b::smallint[])"
            " AS v(recipient_id, converted_at, unsubscribed_at, nps_after)"
            " WHERE r.recipient_id = v.recipient_id",
            as_columns(rows, 4),
        )


def write_audience(
    cursor: Cursor[Any], audience: Mapping[UUID, Audience], created: Collection[UUID], *, copy: bool
) -> None:
    """Each changed audience row whole (as the run left it). ``copy``: the rows ``created``
    were not there when loaded, so they go in by COPY; the others by upsert."""
    new = [(customer, *row) for customer, row in audience.items() if customer in created]
    old = [(customer, *row) for customer, row in audience.items() if customer not in created]
    upsert = (
        "ON CONFLICT (customer_id) DO UPDATE SET marketing = excluded.marketing,"
        " email = excluded.email, last_nps = excluded.last_nps"
    )
    if copy:
        insert_rows(cursor, "campaign_audience", AUDIENCE_COLUMNS, new, copy=True)
    else:
        old = new + old
    insert_rows(cursor, "campaign_audience", AUDIENCE_COLUMNS, old, upsert)
