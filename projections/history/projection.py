"""Events -> the customer history index.

Each batch is applied set-based: the streams the batch creates are collected first, the
owners of the other streams it touches are read in one query, and all rows go in with one
INSERT per table. Rows are keyed (customer, position) and (stream, customer) and inserted with
ON CONFLICT DO NOTHING, so applying events again changes nothing. Nothing here decrypts
personal data into a table: the index holds ids, types, times and metadata only.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.base import Positioned, Projection
from projections.bulk import Column, insert_rows
from projections.history.schema import DDL, TABLES
from projections.history.subjects import (
    INDEXED,
    TOPICS,
    Customers,
    IndexedEvent,
    named_customers,
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

Owners = dict[int, Customers]
"""Stream id (its integer) -> the customers the stream is about."""


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
        indexed = [(item, kind) for item in batch if (kind := INDEXED.get(type(item.event)))]
        if not indexed:
            return
        # Each event's named customers, found once for both tables.
        named = [named_customers(item.event, kind) for item, kind in indexed]
        created = [
            (item, customers)
            for (item, kind), customers in zip(indexed, named, strict=True)
            if kind.starts_a_stream
        ]
        owners: Owners = {item.event.originator_id.int: customers for item, customers in created}
        others = {
            stream.int: stream
            for item, _ in indexed
            if (stream := item.event.originator_id).int not in owners
        }
        owners.update(_owners_of(cursor, others.values()))
        # While a rebuild loads, both tables take COPY: rows are keyed by (customer, log
        # position) and by the stream the event creates, so none can meet an earlier one.
        _insert_streams(cursor, [item for item, _ in created], owners, self.loading)
        _insert_rows(cursor, indexed, named, owners, self.loading)


def _owners_of(cursor: Cursor[Any], streams: Collection[UUID]) -> Owners:
    if not streams:
        return {}
    found: Owners = {}
    for stream_id, customer_id in cursor.execute(
        "SELECT stream_id, customer_id FROM customer_history_streams"
        " WHERE stream_id = ANY(%b::uuid[])",
        (list(streams),),
    ).fetchall():
        found.setdefault(stream_id.int, {})[customer_id.int] = customer_id
    return found


def _insert_streams(
    cursor: Cursor[Any], created: list[Positioned], owners: Owners, loading: bool
) -> None:
    rows: list[tuple[Any, ...]] = []
    for item in created:
        event = item.event
        customers = owners[event.originator_id.int]
        kind = INDEXED[type(event)].stream_kind
        rows.extend(
            (event.originator_id, customers[key], kind, item.position) for key in sorted(customers)
        )
    on_conflict = "ON CONFLICT (stream_id, customer_id) DO NOTHING"
    insert_rows(cursor, "customer_history_streams", STREAM_COLUMNS, rows, on_conflict, copy=loading)


def _insert_rows(
    cursor: Cursor[Any],
    indexed: list[tuple[Positioned, IndexedEvent]],
    named: list[Customers],
    owners: Owners,
    loading: bool,
) -> None:
    """One row per event and customer it is about: those it names (``named``, in step with
    ``indexed``) and its stream's owners, in the order of their ids. Most events are about one
    customer, who both names and owns the stream: their row is made without merging or
    sorting the two."""
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for (item, kind), customers in zip(indexed, named, strict=True):
        event = item.event
        stream_owners = owners.get(event.originator_id.int)
        about = (
            {**customers, **stream_owners}
            if stream_owners and stream_owners != customers
            else customers
        )
        metadata = event.metadata
        # A row's columns after its customer, the same for each of its customers; the
        # metadata's members as stored (``.value`` is a Python-level property of Enum).
        facts = (
            item.position,
            event.originator_id,
            event.originator_version,
            kind.topic,
            kind.event_type,
            event.timestamp,
            metadata.actor_id,
            metadata.actor_role._value_,
            metadata.channel._value_,
            metadata.correlation_id,
            metadata.causation_id,
        )
        if len(about) == 1:
            for customer in about.values():
                append((customer, *facts))
        else:
            for key in sorted(about):
                append((about[key], *facts))
    on_conflict = "ON CONFLICT (customer_id, position) DO NOTHING"
    insert_rows(cursor, "customer_history", ROW_COLUMNS, rows, on_conflict, copy=loading)
