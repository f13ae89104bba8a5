"""Events -> the customer history index.

Each batch is applied set-based: the streams the batch creates are collected first, the
owners of the other streams it touches are read in one query, and all rows go in with one
INSERT per table. Rows are keyed (customer, position) and (stream, customer) and inserted with
ON CONFLICT DO NOTHING, so applying events again changes nothing. Nothing here decrypts
personal data into a table: the index holds ids, types, times and metadata only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.base import Positioned, Projection
from projections.bulk import Column, insert_rows
from projections.history.schema import DDL, TABLES
from projections.history.subjects import (
    KIND_OF_EVENT,
    TOPICS,
    TYPE_OF_EVENT,
    named_customers,
    starts_a_stream,
)

ROW_COLUMNS: tuple[Column, ...] = (
    ("customer_id", "uuid"),
    ("position", "bigint"),
    ("stream_id", "uuid"),
    ("stream_version", "bigint"),
    ("topic", "text"),
    ("event_type", "text"),
    ("occurred_at", "timestamptz"),
    ("actor_id", "text"),
    ("actor_role", "text"),
    ("channel", "text"),
    ("correlation_id", "uuid"),
    ("causation_id", "uuid"),
)
STREAM_COLUMNS: tuple[Column, ...] = (
    ("stream_id", "uuid"),
    ("customer_id", "uuid"),
    ("kind", "text"),
    ("first_position", "bigint"),
)

Owners = dict[UUID, set[UUID]]
"""Stream id -> the customers the stream is about."""


class CustomerHistory(Projection):
    """Which log positions are about which customer, with each event's stream, type, time and
    metadata; and which streams are about each customer."""

    name = "customer_history"
    reads_personal_data = False  # ids, types, times and metadata only
    tables = TABLES
    ddl = DDL

    @classmethod
    def topics(cls) -> list[str]:
        # Only the aggregates that belong to customers; the runner skips the rest unread.
        return TOPICS

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        items = [item for item in batch if type(item.event) in KIND_OF_EVENT]
        if not items:
            return
        # Each event's named customers, found once for both tables.
        named = [named_customers(item.event) for item in items]
        created = [
            (item, customers)
            for item, customers in zip(items, named, strict=True)
            if starts_a_stream(item.event)
        ]
        owners: Owners = {item.event.originator_id: customers for item, customers in created}
        others = {item.event.originator_id for item in items} - owners.keys()
        owners.update(_owners_of(cursor, others))
        # While a rebuild loads, both tables take COPY: rows are keyed by (customer, log
        # position) and by the stream the event creates, so none can meet an earlier one.
        _insert_streams(cursor, [item for item, _ in created], owners, self.loading)
        _insert_rows(cursor, items, named, owners, self.loading)


def _owners_of(cursor: Cursor[Any], streams: Iterable[UUID]) -> Owners:
    wanted = list(streams)
    if not wanted:
        return {}
    found: Owners = {}
    for stream_id, customer_id in cursor.execute(
        "SELECT stream_id, customer_id FROM customer_history_streams"
        " WHERE stream_id = ANY(%b::uuid[])",
        (wanted,),
    ).fetchall():
        found.setdefault(stream_id, set()).add(customer_id)
    return found


def _insert_streams(
    cursor: Cursor[Any], created: list[Positioned], owners: Owners, loading: bool
) -> None:
    rows = [
        (item.event.originator_id, customer_id, KIND_OF_EVENT[type(item.event)], item.position)
        for item in created
        for customer_id in sorted(owners[item.event.originator_id])
    ]
    on_conflict = "ON CONFLICT (stream_id, customer_id) DO NOTHING"
    insert_rows(cursor, "customer_history_streams", STREAM_COLUMNS, rows, on_conflict, copy=loading)


def _insert_rows(
    cursor: Cursor[Any],
    items: list[Positioned],
    named: list[set[UUID]],
    owners: Owners,
    loading: bool,
) -> None:
    """One row per event and customer it is about: those it names (``named``, in step with
    ``items``) and its stream's owners."""
    nobody: set[UUID] = set()
    rows = [
        _row(customer_id, item)
        for item, customers in zip(items, named, strict=True)
        for customer_id in sorted(customers | owners.get(item.event.originator_id, nobody))
    ]
    on_conflict = "ON CONFLICT (customer_id, position) DO NOTHING"
    insert_rows(cursor, "customer_history", ROW_COLUMNS, rows, on_conflict, copy=loading)


def _row(customer_id: UUID, item: Positioned) -> tuple[Any, ...]:
    event, metadata = item.event, item.event.metadata
    topic, event_type = TYPE_OF_EVENT[type(event)]
    return (
        customer_id,
        item.position,
        event.originator_id,
        event.originator_version,
        topic,
        event_type,
        event.timestamp,
        metadata.actor_id,
        metadata.actor_role.value,
        metadata.channel.value,
        metadata.correlation_id,
        metadata.causation_id,
    )
