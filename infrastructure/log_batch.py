"""A batch of the notification log, read once and decoded at most once per event, whoever it is
handed to: the projections and process managers one log fan-out feeds, or a rebuild.

Decoding (upcasting, JSON, decrypting personal fields with each subject's key) costs far more
than reading the row, so it is done lazily, on the first follower that needs an event, and kept
for the others. The audit chain reads stored rows and never asks. A failed decode is not kept:
each try decodes again, as parking's retries expect.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification
from psycopg import Connection

from domain.shared.application import LedgerCore

Select = Callable[[int, int, int, Sequence[str]], Sequence[Notification]]
"""Reads the log: start (inclusive), limit, stop (inclusive), topics (empty: every topic)."""


class DecodeOnce:
    """The ledger's decoding of stored events, remembered by log position."""

    def __init__(self, mapper: Mapper[UUID], undisclosed: Mapper[UUID] | None = None) -> None:
        self._mapper = mapper
        self._undisclosed_mapper = undisclosed or mapper
        self._events: dict[int, Any] = {}
        self._undisclosed: dict[int, Any] = {}
        self._prepare: Callable[[], None] | None = None

    def prepare_with(self, prepare: Callable[[], None]) -> None:
        """Run ``prepare`` (fetching a batch's keys in one look-up) before the first decode:
        never, if no follower decodes (the audit chain reads stored rows)."""
        self._prepare = prepare

    def prepare(self) -> None:
        """Fetch the keys now, if not yet (a caller about to open a transaction that must not
        wait for another connection meanwhile)."""
        if self._prepare is not None:
            prepare, self._prepare = self._prepare, None
            prepare()

    def __call__(self, row: Notification) -> Any:
        if self._prepare is not None:  # once per batch: not a call per event
            self.prepare()
        event = self._events.get(row.id)
        if event is None:
            event = self._mapper.to_domain_event(row)
            self._events[row.id] = event
        return event

    def undisclosed(self, row: Notification) -> Any:
        """The event with its personal values unread (``value`` None), for a reader that
        stores none: no key look-up, no decryption. An event decoded whole serves as well."""
        event = self._events.get(row.id)
        if event is None:
            event = self._undisclosed.get(row.id)
        if event is None:
            event = self._undisclosed_mapper.to_domain_event(row)
            self._undisclosed[row.id] = event
        return event


@dataclass(frozen=True)
class LogBatch:
    """The stored events of the wanted topics in positions (``after``, ``reached``]: every
    position in that range was read, so a follower at any of them may move to ``reached``."""

    after: int
    reached: int
    rows: Sequence[Notification]
    decode: DecodeOnce = field(repr=False)

    def reaches(self, position: int) -> bool:
        """True if the batch holds what a follower at ``position`` needs next."""
        return self.after <= position < self.reached

    def rows_for(self, position: int, topics: frozenset[str] | None) -> list[Notification]:
        """The rows past ``position`` of ``topics`` (None: every topic)."""
        return [
            row
            for row in self.rows
            if row.id > position and (topics is None or row.topic in topics)
        ]


def read_batch(
    ledger: LedgerCore,
    after: int,
    head: int,
    limit: int,
    topics: Collection[str] | None,
    decode: DecodeOnce | None = None,
    select: Select | None = None,
) -> LogBatch:
    """At most ``limit`` events of ``topics`` (None: all) in (``after``, ``head``], read by
    ``select`` (start inclusive, limit, stop, topics; by default the recorder's
    ``select_notifications``)."""
    if select is None:
        rows = ledger.recorder.select_notifications(
            start=after + 1, limit=limit, stop=head, topics=sorted(topics or ())
        )
    else:
        rows = select(after + 1, limit, head, sorted(topics or ()))
    reached = rows[-1].id if len(rows) == limit else head
    return _batch(ledger, after, reached, rows, decode)


def read_batch_to_head(
    ledger: LedgerCore,
    conn: Connection[Any],
    after: int,
    limit: int,
    topics: Collection[str] | None,
    decode: DecodeOnce | None = None,
) -> tuple[LogBatch, int]:
    """``read_batch`` up to the head of the log as it is now, and that head: with the log's
    recorder, one statement on ``conn`` (autocommit, no transaction left open) for both, where
    the head and the batch took a statement and a pooled connection each."""
    select = getattr(ledger.recorder, "select_notifications_to_head", None)
    if select is None:  # another recorder (in memory): the head first, then the batch
        head = ledger.head_position()
        return read_batch(ledger, after, head, limit, topics, decode), head
    if conn.autocommit:
        rows, head = select(conn, after, limit, sorted(topics or ()))
    else:
        with conn.transaction():
            rows, head = select(conn, after, limit, sorted(topics or ()))
    reached = rows[-1].id if len(rows) == limit else max(head, after)
    return _batch(ledger, after, reached, rows, decode), head


def _batch(
    ledger: LedgerCore,
    after: int,
    reached: int,
    rows: Sequence[Notification],
    decode: DecodeOnce | None,
) -> LogBatch:
    decode = decode or DecodeOnce(ledger.mapper, ledger.undisclosed_mapper)
    decode.prepare_with(lambda: ledger.prepare_to_decode([row.state for row in rows]))
    return LogBatch(after, reached, rows, decode)


def union_of_topics(wanted: Collection[frozenset[str] | None]) -> frozenset[str] | None:
    """Every topic any follower wants; None if one of them wants every topic."""
    topics: set[str] = set()
    for each in wanted:
        if each is None:
            return None
        topics |= each
    return frozenset(topics)
