"""The multi-row statements of a run of folded fact changes (``changes.FactChanges``): read
the rows it touches once, test its snapshots against the live segments, write what it did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any
from uuid import UUID

from psycopg import Cursor, sql

from projections.bulk import Column, array_literals, as_columns, insert_rows
from projections.segments.membership import Cause
from projections.segments.predicates import COLUMN_OF

if TYPE_CHECKING:
    from projections.segments.changes import LiveSegments, Snapshot


@dataclass(slots=True)
class Facts:
    """One ``segment_facts`` row, changed in memory by a run's steps."""

    customer_id: UUID
    region: str | None = None
    birth_year: int | None = None
    language: str | None = None
    channels: list[str] = field(default_factory=list)
    purchases: int = 0
    last_purchase_at: datetime | None = None
    nps_category: str | None = None
    loyalty_tier: str | None = None
    open_tickets: int = 0
    consents: list[str] = field(default_factory=list)
    onboarding_steps: list[str] = field(default_factory=list)
    recency: int | None = None
    frequency: int | None = None
    monetary: int | None = None

    def values(self) -> tuple[Any, ...]:
        """The row's values in the order of ``FACT_COLUMNS``, as they are (``astuple``
        deep-copies every list, and was a third of a segment rebuild's client time)."""
        return (
            self.customer_id, self.region, self.birth_year, self.language, self.channels,
            self.purchases, self.last_purchase_at, self.nps_category, self.loyalty_tier,
            self.open_tickets, self.consents, self.onboarding_steps, self.recency,
            self.frequency, self.monetary,
        )  # fmt: skip


FACT_COLUMNS: tuple[Column, ...] = (
    ("customer_id", "uuid"),
    ("region", "text"),
    ("birth_year", "integer"),
    ("language", "text"),
    ("channels", "text[]"),
    ("purchases", "bigint"),
    ("last_purchase_at", "timestamptz"),
    ("nps_category", "text"),
    ("loyalty_tier", "text"),
    ("open_tickets", "bigint"),
    ("consents", "text[]"),
    ("onboarding_steps", "text[]"),
    ("recency", "smallint"),
    ("frequency", "smallint"),
    ("monetary", "smallint"),
)
assert [name for name, _ in FACT_COLUMNS] == [f.name for f in fields(Facts)]
CHANGED_COLUMNS = FACT_COLUMNS[:12]
"""What folded events change: the RFM quintiles are only set by the day's recomputation."""


@dataclass(slots=True)
class Stay:
    """A stay the run opens (and maybe closes again)."""

    segment_id: UUID
    customer_id: UUID
    entered: Cause
    left: Cause | None = None

    def leave(self, cause: Cause) -> None:
        self.left = cause

    def row(self) -> tuple[Any, ...]:
        left = self.left
        return (
            self.segment_id, self.customer_id,
            self.entered.at, self.entered.position, self.entered.reason,
            None if left is None else left.at,
            None if left is None else left.position,
            None if left is None else left.reason,
        )  # fmt: skip


STAY_COLUMNS: tuple[Column, ...] = (
    ("segment_id", "uuid"),
    ("customer_id", "uuid"),
    ("entered_at", "timestamptz"),
    ("entered_position", "bigint"),
    ("entered_reason", "text"),
    ("left_at", "timestamptz"),
    ("left_position", "bigint"),
    ("left_reason", "text"),
)


def _unnest(columns: Sequence[Column], alias: str) -> sql.Composed:
    """``unnest`` of one binary array per column, as a relation ``alias`` with the columns'
    names and types (an array column arrives as one text literal per row, cast back)."""
    arrays = sql.SQL(", ").join(
        sql.SQL("%b::{}").format(sql.SQL("text[]" if type_.endswith("[]") else type_ + "[]"))
        for _, type_ in columns
    )
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    values = sql.SQL(", ").join(
        sql.SQL("{0}::{1} AS {0}").format(sql.Identifier(name), sql.SQL(type_))
        for name, type_ in columns
    )
    return sql.SQL("(SELECT {values} FROM unnest({arrays}) AS u ({names})) AS {alias}").format(
        values=values, arrays=arrays, names=names, alias=sql.Identifier(alias)
    )


def _params(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[Any]:
    return [
        array_literals(column) if type_.endswith("[]") else column
        for column, (_, type_) in zip(as_columns(rows, len(columns)), columns, strict=True)
    ]


by_int = attrgetter("int")
"""Sort key of a UUID: its integer, the very order of ``UUID.__lt__`` (which is Python code,
and sorting a batch's ids with it cost more than a tenth of a segment rebuild's client time)."""


# -- reading ------------------------------------------------------------------------------


def load_facts(cursor: Cursor[Any], customers: list[UUID]) -> dict[UUID, Facts]:
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in FACT_COLUMNS)
    rows = cursor.execute(
        sql.SQL("SELECT {} FROM segment_facts WHERE customer_id = ANY(%b)").format(names),
        (customers,),
    ).fetchall()
    return {row[0]: Facts(*row) for row in rows}


def load_accounts(cursor: Cursor[Any], accounts: list[UUID]) -> dict[UUID, UUID]:
    if not accounts:
        return {}
    rows = cursor.execute(
        "SELECT account_id, customer_id FROM segment_loyalty_accounts WHERE account_id = ANY(%b)",
        (accounts,),
    ).fetchall()
    return dict(rows)


def load_tickets(cursor: Cursor[Any], tickets: list[UUID]) -> dict[UUID, tuple[UUID, bool]]:
    if not tickets:
        return {}
    rows = cursor.execute(
        "SELECT ticket_id, customer_id, open FROM segment_ticket_owners WHERE ticket_id = ANY(%b)",
        (tickets,),
    ).fetchall()
    return {ticket: (customer, open_) for ticket, customer, open_ in rows}


def tickets_of(cursor: Cursor[Any], customers: list[UUID]) -> dict[UUID, tuple[UUID, bool]]:
    rows = cursor.execute(
        "SELECT ticket_id, customer_id, open FROM segment_ticket_owners"
        " WHERE customer_id = ANY(%b)",
        (customers,),
    ).fetchall()
    return {ticket: (customer, open_) for ticket, customer, open_ in rows}


def matching_segments(
    cursor: Cursor[Any], snapshots: Sequence[Snapshot], segments: LiveSegments
) -> set[tuple[int, UUID]]:
    """(snapshot index, segment) for each live segment whose rule tests the snapshot's changed
    fact (every segment for a registration) and holds on the snapshot's facts."""
    # Only the columns the live rules read are sent: the snapshots' other facts would be
    # dumped into arrays (in Python, value by value) for nothing.
    tested = {COLUMN_OF[f] for _, fields in segments.values() for f in fields}
    kept = [index for index, (name, _) in enumerate(FACT_COLUMNS) if name in tested]
    columns = (
        ("snapshot", "integer"),
        *(FACT_COLUMNS[index] for index in kept),
        ("changed", "text"),
    )
    rows = [
        (
            index,
            *[snapshot.facts[column] for column in kept],
            None if snapshot.changed is None else snapshot.changed.value,
        )
        for index, snapshot in enumerate(snapshots)
    ]
    tests = sql.SQL(" UNION ALL ").join(
        sql.SQL(
            "SELECT snapshot, {segment}::uuid FROM snapshots"
            " WHERE (changed IS NULL OR changed = ANY({fields}::text[])) AND {rule}"
        ).format(
            segment=sql.Literal(segment),
            fields=sql.Literal(sorted(f.value for f in fields)),
            rule=rule,
        )
        for segment, (rule, fields) in sorted(segments.items())
    )
    statement = sql.SQL("WITH snapshots AS (SELECT * FROM {relation}) {tests}").format(
        relation=_unnest(columns, "s"), tests=tests
    )
    cursor.execute(statement, _params(columns, rows))
    return {(index, segment) for index, segment in cursor.fetchall()}


def open_stays(
    cursor: Cursor[Any], customers: list[UUID], segments: list[UUID]
) -> set[tuple[UUID, UUID]]:
    if not customers:
        return set()
    rows = cursor.execute(
        "SELECT segment_id, customer_id FROM segment_memberships"
        " WHERE customer_id = ANY(%b) AND segment_id = ANY(%b) AND left_at IS NULL",
        (customers, segments),
    ).fetchall()
    return {(segment, customer) for segment, customer in rows}


# -- writing ------------------------------------------------------------------------------

CLOSE_COLUMNS: tuple[Column, ...] = (
    ("segment_id", "uuid"),
    ("customer_id", "uuid"),
    ("left_at", "timestamptz"),
    ("left_position", "bigint"),
    ("left_reason", "text"),
)


def close_stays(cursor: Cursor[Any], closed: list[tuple[UUID, UUID, Cause]]) -> None:
    """Close stays that were open before the run (one per segment and customer at most)."""
    if not closed:
        return
    rows = [(segment, customer, c.at, c.position, c.reason) for segment, customer, c in closed]
    cursor.execute(
        sql.SQL(
            "UPDATE segment_memberships m SET left_at = c.left_at,"
            " left_position = c.left_position, left_reason = c.left_reason FROM {}"
            " WHERE m.segment_id = c.segment_id AND m.customer_id = c.customer_id"
            " AND m.left_at IS NULL"
        ).format(_unnest(CLOSE_COLUMNS, "c")),
        _params(CLOSE_COLUMNS, rows),
    )


def insert_stays(cursor: Cursor[Any], stays: list[Stay], loading: bool) -> None:
    """The new stays in the order they opened: their ids follow the log, as one event at a time
    gives them."""
    insert_rows(cursor, "segment_memberships", STAY_COLUMNS, [s.row() for s in stays], copy=loading)


def write_facts(
    cursor: Cursor[Any], facts: dict[UUID, Facts], created: set[UUID], loading: bool
) -> None:
    """Insert the rows the run created, update the others to their last state."""
    new = [_changed_values(facts[c]) for c in sorted(created, key=by_int)]
    if loading:
        new = _lists_as_literals(new)
    insert_rows(
        cursor,
        "segment_facts",
        CHANGED_COLUMNS,
        new,
        "ON CONFLICT (customer_id) DO NOTHING",
        copy=loading,
    )
    old = [_changed_values(facts[c]) for c in sorted(facts, key=by_int) if c not in created]
    if not old:
        return
    cursor.execute(_UPDATE_FACTS, _params(CHANGED_COLUMNS, old))


def _lists_as_literals(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``rows`` of ``CHANGED_COLUMNS`` with each list as its array's text literal, for the text
    COPY of a rebuild: psycopg's text ``write_row`` adapts a list in Python, value by value
    (with its dumper looked up for the list and each element), a ``str`` in C; the server reads
    the literal into the same array. About half the client time of a batch of new rows."""
    if not rows:
        return rows
    columns = as_columns(rows, _CHANGED)
    for index in _LIST_COLUMNS:
        columns[index] = array_literals(columns[index])
    return list(zip(*columns, strict=True))


def _changed_values(row: Facts) -> tuple[Any, ...]:
    """The row's values of ``CHANGED_COLUMNS``, as they are (``astuple`` deep-copied every
    list of every row of a batch: a twentieth of the fan-out's time for a run of answers)."""
    return row.values()[:_CHANGED]


_CHANGED = len(CHANGED_COLUMNS)
_LIST_COLUMNS = tuple(i for i, (_, type_) in enumerate(CHANGED_COLUMNS) if type_.endswith("[]"))


_UPDATE_FACTS = sql.SQL(
    "UPDATE segment_facts f SET {} FROM {} WHERE f.customer_id = r.customer_id"
).format(
    sql.SQL(", ").join(
        sql.SQL("{0} = r.{0}").format(sql.Identifier(name)) for name, _ in CHANGED_COLUMNS[1:]
    ),
    _unnest(CHANGED_COLUMNS, "r"),
)
"""Set each changed row's columns to the run's last state (composed once)."""


def write_spend(cursor: Cursor[Any], spend: dict[tuple[UUID, str], tuple[int, int]]) -> None:
    rows = [
        (c, currency, n, amount)
        for (c, currency), (n, amount) in sorted(
            spend.items(), key=lambda item: (item[0][0].int, item[0][1])
        )
    ]
    insert_rows(
        cursor,
        "segment_spend",
        (("customer_id", "uuid"), ("currency", "text"), ("purchases", "bigint"),
         ("amount_minor", "numeric")),
        rows,
        "ON CONFLICT (customer_id, currency) DO UPDATE"
        " SET purchases = segment_spend.purchases + EXCLUDED.purchases,"
        " amount_minor = segment_spend.amount_minor + EXCLUDED.amount_minor",
    )  # fmt: skip


def write_tickets(cursor: Cursor[Any], tickets: dict[UUID, tuple[UUID, bool]]) -> None:
    rows = [
        (t, customer, open_)
        for t, (customer, open_) in sorted(tickets.items(), key=lambda item: item[0].int)
    ]
    insert_rows(
        cursor,
        "segment_ticket_owners",
        (("ticket_id", "uuid"), ("customer_id", "uuid"), ("open", "boolean")),
        rows,
        "ON CONFLICT (ticket_id) DO UPDATE SET open = EXCLUDED.open",
    )


def write_accounts(cursor: Cursor[Any], accounts: dict[UUID, UUID]) -> None:
    rows = sorted(accounts.items(), key=lambda item: item[0].int)
    insert_rows(
        cursor,
        "segment_loyalty_accounts",
        (("account_id", "uuid"), ("customer_id", "uuid")),
        rows,
        "ON CONFLICT (account_id) DO NOTHING",
    )
