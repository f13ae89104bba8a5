"""Events -> the customer history index.

Each batch is applied set-based: the streams the batch creates are collected first, the
owners of the other streams it touches are read in one query, and all rows go in with one
INSERT per table. Rows are keyed (customer, position) and (stream, customer) and inserted with
ON CONFLICT DO NOTHING, so applying events again changes nothing. Nothing here decrypts
personal data into a table: the index holds ids, types, times and metadata only.

What the index keeps of an event (``Indexed``) is made from the event (``indexed_event``) or,
while a rebuild loads, from its stored state's few fields (``stored_indexed``, through
``from_stored``): a rebuild of the benchmark's log made and held 40,000 whole events it read
three fields of (client CPU about a sixth less without them).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import Notification
from psycopg import Cursor

from domain.shared.metadata import EventMetadata
from projections.base import Positioned, Projection
from projections.bulk import Column, insert_rows
from projections.history.schema import DDL, TABLES
from projections.history.subjects import (
    INDEXED,
    INDEXED_BY_TOPIC,
    STORED_FIELDS,
    TOPICS,
    Customers,
    IndexedEvent,
    named_customers,
    named_in,
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

Facts = tuple[int, UUID, int, str, str, datetime, str, str, str, UUID, UUID]
"""A row's columns after its customer (``ROW_COLUMNS[1:]``), the same for each customer the
event is about."""
FieldsOf = Callable[[bytes, Collection[str]], dict[str, Any] | None]
"""Decodes the named top-level fields of a stored state only (None: decode it whole)."""


class Indexed(NamedTuple):
    """What the index keeps of one indexed event: its row's columns after the customer, its
    class's entry of ``INDEXED``, the customers it names."""

    facts: Facts
    kind: IndexedEvent
    named: Customers


def indexed_event(position: int, event: Any, kind: IndexedEvent) -> Indexed:
    """What the index keeps of ``event`` (of an ``INDEXED`` class) at ``position``."""
    facts = _facts(
        position,
        event.originator_id,
        event.originator_version,
        kind,
        event.timestamp,
        event.metadata,
    )
    return Indexed(facts, kind, named_customers(event, kind))


def _facts(
    position: int,
    stream_id: UUID,
    version: int,
    kind: IndexedEvent,
    timestamp: datetime,
    metadata: EventMetadata,
) -> Facts:
    return (
        position,
        stream_id,
        version,
        kind.topic,
        kind.event_type,
        timestamp,
        metadata.actor_id,
        # The members as stored (``.value`` is a Python-level property of Enum).
        metadata.actor_role._value_,
        metadata.channel._value_,
        metadata.correlation_id,
        metadata.causation_id,
    )


def stored_indexed(row: Notification, fields_of: FieldsOf) -> Indexed | None:
    """What :func:`indexed_event` keeps of the event ``row`` stores, read from the stored
    state's few fields the index needs (``STORED_FIELDS``, each decoded as the whole state
    would decode it) without making the event; None when that might not be the same: a class
    whose attributes the state alone may not answer for (``INDEXED_BY_TOPIC``), a state an
    upcaster would change, a field missing or not of its usual type. The caller decodes the
    event whole then. A rebuild reads every event of the log this way; building each event
    (the walk of its whole state, its personal values, the mapper) was most of its decoding."""
    known = INDEXED_BY_TOPIC.get(row.topic)
    stream_id = row.originator_id
    if known is None or type(stream_id) is not UUID:
        return None
    kind, class_version = known
    state = fields_of(row.state, STORED_FIELDS)
    if state is None or state.get("class_version", 1) != class_version:
        return None
    metadata = state.get("metadata")
    timestamp = state.get("timestamp")
    if type(metadata) is not EventMetadata or type(timestamp) is not datetime:
        return None
    facts = _facts(row.id, stream_id, row.originator_version, kind, timestamp, metadata)
    return Indexed(facts, kind, named_in(state, kind, stream_id))


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

    def from_stored(self, row: Notification, fields_of: FieldsOf) -> Indexed | None:
        """While a rebuild loads: what ``apply`` takes of ``row`` in place of its event, made
        from the stored state (:func:`stored_indexed`), or None to decode the event whole."""
        return stored_indexed(row, fields_of)

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        # Each item's event, or what a rebuild made of its stored row (``from_stored``).
        indexed: list[Indexed] = []
        append = indexed.append
        for item in batch:
            event = item.event
            if type(event) is Indexed:
                append(event)
            elif (kind := INDEXED.get(type(event))) is not None:
                append(indexed_event(item.position, event, kind))
        if not indexed:
            return
        created = [one for one in indexed if one.kind.starts_a_stream]
        owners: Owners = {one.facts[1].int: one.named for one in created}
        others = {
            stream.int: stream for one in indexed if (stream := one.facts[1]).int not in owners
        }
        owners.update(_owners_of(cursor, others.values()))
        # While a rebuild loads, both tables take COPY: rows are keyed by (customer, log
        # position) and by the stream the event creates, so none can meet an earlier one.
        _insert_streams(cursor, created, owners, self.loading)
        _insert_rows(cursor, indexed, owners, self.loading)


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
    cursor: Cursor[Any], created: list[Indexed], owners: Owners, loading: bool
) -> None:
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for facts, kind, _ in created:
        position, stream_id = facts[0], facts[1]
        customers = owners[stream_id.int]
        if len(customers) == 1:  # most streams: one customer, no generator or sort
            for customer in customers.values():
                append((stream_id, customer, kind.stream_kind, position))
        else:
            for key in sorted(customers):
                append((stream_id, customers[key], kind.stream_kind, position))
    on_conflict = "ON CONFLICT (stream_id, customer_id) DO NOTHING"
    insert_rows(cursor, "customer_history_streams", STREAM_COLUMNS, rows, on_conflict, copy=loading)


def _insert_rows(
    cursor: Cursor[Any], indexed: list[Indexed], owners: Owners, loading: bool
) -> None:
    """One row per event and customer it is about: those it names and its stream's owners,
    in the order of their ids. Most events are about one customer, who both names and owns
    the stream: their row is made without merging or sorting the two."""
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for facts, _, customers in indexed:
        stream_owners = owners.get(facts[1].int)
        about = (
            {**customers, **stream_owners}
            if stream_owners and stream_owners != customers
            else customers
        )
        if len(about) == 1:
            for customer in about.values():
                append((customer, *facts))
        else:
            for key in sorted(about):
                append((about[key], *facts))
    on_conflict = "ON CONFLICT (customer_id, position) DO NOTHING"
    insert_rows(cursor, "customer_history", ROW_COLUMNS, rows, on_conflict, copy=loading)
