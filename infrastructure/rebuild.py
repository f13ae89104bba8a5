"""Rebuild a read model from the log without taking it offline.

The new version is built in a shadow schema while the old one keeps serving; then, holding the
projection's position lock (which pauses its live worker), the rebuild applies the last few
events, swaps the tables into place and records the position, in one transaction.

The log is read in batches of at least ``REBUILD_BATCH_SIZE`` events, each read once and
decoded once (:mod:`infrastructure.log_batch`) and handed whole to the projection in one
transaction: a rebuild is not a live worker, and per-batch costs (the round trips of reading,
the position, the commit) were a large share of its time at the live batch size.

While the database applies one batch, a decoder thread decodes the next, and a reader thread
reads the one after it: the client's decoding (JSON, upcasting, decryption), the server's
writing and the server's reading overlap instead of taking turns (with one thread reading then
decoding, each batch's SELECT, about a fifth of that thread's wall time, waited on the server
before its decoding began). Each batch is read walking the positions' index, never sorting the
rest of the log (``NotificationsSelection.select_notifications_in_position_order``). The first
batch is read and decoded while the shadow tables are made (a small read model's rebuild of two
or three batches waited for both in turn). Only the build reads ahead; the last events, applied
under the position lock, are read and decoded as they are applied.

The projection builds as a copy marked ``loading``: its tables are empty shadow tables that
each event reaches once, so rows only ever inserted go in by COPY (``projections.bulk``).

The build runs with the heap that was there before it frozen (``gc.freeze``): a batch's rows and
events live until it is applied, so the collector promotes them and runs full collections, each
of which walked the whole process (modules, the schema, the key cache) for nothing the rebuild
made. That was a sixth to a fifth of a rebuild's CPU (benchmarks/rebuild.py, ``cpu s``). The
youngest generation is collected after ``YOUNG_COLLECTION_THRESHOLD`` net allocations instead
of the default 700: each collection of the older ones walked the batches in flight again, and
they came ten times as often (a further twentieth of customer_history's CPU). At 10,000 the
collections still walked each batch in flight several times over (it holds about ten objects an
event, 5,000 events, and three batches are in flight: reading, decoding, applying): 100,000, about
the objects of two batches, lets most of a batch die by its reference counts before any
collection meets it (customer_history's client CPU about 9% less, the directory's 2%). The
builds of the benchmark's five read models leave no cyclic garbage at all (``gc.collect()`` after
one built without the collector finds none), so collecting rarely holds nothing back; what the
rebuild allocates is still collected, and both settings are put back when the build ends.

The build's threads share one interpreter lock, and the applying thread lets go of it at each
round trip to the database: coming back, it waited for the busy decoder to give it up, which
the interpreter asks of a thread only after the switch interval (5 ms by default). A rebuild
makes tens to hundreds of round trips (COPY flushes, statements, commits), so the database sat
idle while the decoder decoded. The build asks for the lock sooner (``BUILD_SWITCH_INTERVAL``) and
puts the interval back when it ends.

A read model that reads the personal values of only some of its events says which
(``personal_data_of``, event classes): the build decodes its other events with their personal
values unread, as for a read model that reads none (no key, no decryption): the survey dashboard
reads a registration for its region only, and decrypted its name and email (about 4.6 us each).
Its live worker decodes every event whole (the fan-out shares one decoding among its followers).

A read model may make its own item of a stored row while it loads (``from_stored``, given the
row and the ledger transcoder's ``decode_fields``): the decoder thread hands it each row, and
it reads the few fields of the stored state it needs instead of the whole event (the customer
history: the time, the metadata and the subject ids). Where it makes nothing (None) or fails,
the row is decoded whole, as for any read model, with the ledger's errors (retried and parked
as usual). Its ``apply`` takes both: the live path and the catch-up under the lock give events.

An event the new version cannot apply after bounded retries is parked, not fatal: under
``rebuild:NAME`` while building, and at the swap those rows replace the read model's parked
events (the old ones were about the tables being dropped).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from psycopg import Connection, sql

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.event_store import retried_while_reachable
from infrastructure.log_batch import DecodeOnce, LogBatch, Select, read_batch
from infrastructure.log_reads import NotificationsSelection
from infrastructure.projection_runner import (
    Progress,
    RetryPolicy,
    apply_next_batch,
    apply_rows,
    decode_ahead,
    topics_of,
)
from infrastructure.transcoder import LedgerTranscoder
from projections.base import Projection
from projections.parked import clear_parked, promote_rebuilt, rebuild_name
from projections.tracking import lock_position, set_position

YOUNG_COLLECTION_THRESHOLD = 100_000
"""Net allocations between collections of the youngest generation while a rebuild builds."""
BUILD_SWITCH_INTERVAL = 0.0005
"""Seconds a thread may keep the interpreter lock while another waits for it, during a build
(the interpreter's default is 0.005): the applying thread back from the database waits at most
this long for the decoder."""
REBUILD_BATCH_SIZE = 5_000
"""Fewest events per rebuild batch (measured by benchmarks/rebuild.py: 500 gave 0.024 of COPY's
rate for customer_directory, 5,000 about 1.5 times that)."""


def rebuild(
    ledger: LedgerCore,
    database: Database,
    projection: Projection,
    batch_size: int,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
) -> int:
    """Rebuild ``projection`` from the first event; return the position it reached."""
    shadow = sql.Identifier(f"cxl_rebuild_{projection.name}")
    apply = _Applier(
        ledger, loading(projection), max(batch_size, REBUILD_BATCH_SIZE), policy or RetryPolicy()
    )
    head = ledger.head_position()
    with _readers() as readers, database.connect() as conn:
        # The first batch is read and decoded (on a connection of the ledger's) while the
        # shadow tables are made: nothing else could overlap either. Its decoding is the
        # build's, so the collector's settings for the build already hold.
        with _fewer_collections(), _prompt_switches():
            first = _Upcoming.start(readers, apply, 0, head) if head > 0 else None
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(shadow))
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(shadow))
            conn.execute(sql.SQL("SET search_path TO {}, public").format(shadow))
            conn.execute(projection.ddl)
            clear_parked(conn, rebuild_name(projection.name))  # an interrupted rebuild's
            conn.commit()
            reached = _build(conn, apply, head, readers, first, progress)
        with conn.transaction():
            lock_position(conn, projection.name)
            reached = _catch_up(conn, apply, reached, ledger.head_position())
            for table in projection.tables:
                _swap(conn, shadow, sql.Identifier(table))
            promote_rebuilt(conn, projection.name)
            set_position(conn, projection.name, reached)
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(shadow))
        conn.execute("SET search_path TO DEFAULT")
        conn.commit()
    return reached


def loading(projection: Projection) -> Projection:
    """A copy of ``projection`` that fills empty shadow tables (COPY where it may)."""
    loader = copy.copy(projection)
    loader.loading = True
    return loader


class _Applier:
    """Applies the next batch of the rebuilt projection, parking under its rebuild name."""

    def __init__(
        self, ledger: LedgerCore, projection: Projection, batch_size: int, policy: RetryPolicy
    ) -> None:
        self.ledger = ledger
        self.projection = projection
        self.batch_size = batch_size
        self.policy = policy
        self.unread_topics = _unread_topics(projection)
        """The topics whose events the build decodes with their personal values unread."""
        self.select = _select_in_position_order(ledger)
        """How the build reads the log: walking its positions' index, never sorting the rest."""
        self.from_stored = _from_stored(ledger, projection)
        """What the projection makes of a stored row in place of its event, if it does."""

    def __call__(self, conn: Connection[Any], after: int, head: int) -> int:
        return apply_next_batch(
            conn,
            self.ledger,
            self.projection,
            after,
            self.batch_size,
            head,
            self.policy,
            parked_as=rebuild_name(self.projection.name),
        )

    def read(self, after: int, head: int) -> LogBatch:
        """The next batch past ``after``, read (on a connection of the ledger's), not decoded."""
        topics = topics_of(self.projection)
        select = self.select
        if self.from_stored is None and not self.unread_topics:
            return read_batch(self.ledger, after, head, self.batch_size, topics, select=select)
        decode = (
            _PartlyDisclosed(self.ledger, self.unread_topics)
            if self.from_stored is None
            else _FromStored(self.ledger, self.unread_topics, self.from_stored)
        )
        batch = read_batch(self.ledger, after, head, self.batch_size, topics, decode, select)
        if self.unread_topics:
            # Keys for the events decoded whole only (in place of read_batch's, for every one).
            disclosed = [row.state for row in batch.rows if row.topic not in self.unread_topics]
            decode.prepare_with(lambda: self.ledger.prepare_to_decode(disclosed))
        return batch

    def decoded(self, read: Future[LogBatch]) -> LogBatch:
        """The batch ``read`` gives, once read, decoded as the projection will read it (its
        keys fetched first, by the thread that decodes it: the key cache keeps each thread's
        latest batch of keys)."""
        batch = read.result()
        decode_ahead(self.projection, batch)
        return batch

    def apply_batch(self, conn: Connection[Any], batch: LogBatch) -> int:
        """Apply ``batch`` inside the caller's transaction; return the position reached."""
        parked_as = rebuild_name(self.projection.name)
        apply_rows(conn, self.projection, batch.rows, batch.decode, self.policy, parked_as)
        return batch.reached


class _PartlyDisclosed(DecodeOnce):
    """The ledger's decoding, except that the events of ``unread_topics`` decode with their
    personal values unread (``DecodeOnce.undisclosed``)."""

    def __init__(self, ledger: LedgerCore, unread_topics: frozenset[str]) -> None:
        super().__init__(ledger.mapper, ledger.undisclosed_mapper)
        self._unread_topics = unread_topics

    def __call__(self, row: Notification) -> Any:
        if row.topic in self._unread_topics:
            return self.undisclosed(row)
        return super().__call__(row)


_UNMADE = object()
"""What ``_FromStored`` keeps for a row the projection made nothing of (decoded whole)."""


class _FromStored(_PartlyDisclosed):
    """The build's decoding for a read model that makes its items of stored rows itself
    (``from_stored``): each row comes as what it makes of it, or, where it makes nothing
    (None) or fails, as the ledger's decoding gives it (with the ledger's errors, retried and
    parked as usual)."""

    def __init__(
        self,
        ledger: LedgerCore,
        unread_topics: frozenset[str],
        from_stored: Callable[[Notification], Any],
    ) -> None:
        super().__init__(ledger, unread_topics)
        self._from_stored = from_stored
        self._made: dict[int, Any] = {}

    def _made_of(self, row: Notification) -> Any:
        made = self._made.get(row.id)
        if made is None:
            try:
                made = self._from_stored(row)
            except Exception:  # decoded whole instead, which raises its own error
                made = None
            self._made[row.id] = _UNMADE if made is None else made
        return None if made is _UNMADE else made

    def __call__(self, row: Notification) -> Any:
        if self._prepare is not None:  # the batch's keys, before what it makes opens a value
            self.prepare()
        made = self._made_of(row)
        return super().__call__(row) if made is None else made

    def undisclosed(self, row: Notification) -> Any:
        made = self._made_of(row)
        return super().undisclosed(row) if made is None else made


def _from_stored(
    ledger: LedgerCore, projection: Projection
) -> Callable[[Notification], Any] | None:
    """The projection's ``from_stored`` with the fields of a stored state decoded by the
    ledger's own transcoder (the one its events are decoded with: personal values unread for
    a read model that reads none), or None: the projection makes nothing of stored rows, or
    the ledger's mapper does more than decode JSON (a cipher, a compressor)."""
    make = getattr(projection, "from_stored", None)
    mapper = ledger.mapper if projection.reads_personal_data else ledger.undisclosed_mapper
    transcoder = mapper.transcoder
    if (
        make is None
        or projection.reads_stored_events
        or mapper.cipher is not None
        or mapper.compressor is not None
        or not isinstance(transcoder, LedgerTranscoder)
    ):
        return None
    return functools.partial(make, fields_of=transcoder.decode_fields)


def _select_in_position_order(ledger: LedgerCore) -> Select | None:
    """The ledger's read of the log by its positions' index (retried as its other reads are),
    or None (the recorder's ``select_notifications``) for a recorder without it."""
    recorder = ledger.recorder
    if not isinstance(recorder, NotificationsSelection):
        return None
    return functools.partial(_in_position_order, recorder)


_in_position_order = retried_while_reachable(
    NotificationsSelection.select_notifications_in_position_order
)


def _unread_topics(projection: Projection) -> frozenset[str]:
    """The topics of ``projection`` whose events' personal values it never reads: those not of
    its ``personal_data_of`` classes, if it names them (none otherwise)."""
    read: frozenset[type] | None = getattr(projection, "personal_data_of", None)
    if read is None or not projection.reads_personal_data:
        return frozenset()
    topics = topics_of(projection) or frozenset()
    return topics - {get_topic(event_class) for event_class in read}


def _build(
    conn: Connection[Any],
    apply: _Applier,
    head: int,
    readers: _Readers,
    first: _Upcoming | None,
    progress: Progress | None,
) -> int:
    """Apply every batch up to ``head``, each in its own transaction, while the next one is
    decoded and the one after it read (the log below ``head`` no longer changes); ``first``:
    the first batch, being read (None when ``head`` is 0)."""
    reached = 0
    upcoming = first
    while upcoming is not None and reached < head:
        current, upcoming = upcoming, None
        # The next read starts as soon as this one has answered: it overlaps this batch's
        # decoding and the applying of the one before.
        read = current.read.result()
        if read.reached < head:
            upcoming = _Upcoming.start(readers, apply, read.reached, head)
        batch = current.decoded.result()
        with conn.transaction():
            reached = apply.apply_batch(conn, batch)
        if progress is not None:
            progress(reached, head)
    return reached


@dataclass(frozen=True)
class _Upcoming:
    """A batch being read by the reader thread, then decoded by the decoder thread."""

    read: Future[LogBatch]
    decoded: Future[LogBatch]

    @classmethod
    def start(cls, readers: _Readers, apply: _Applier, after: int, head: int) -> _Upcoming:
        read = readers.reader.submit(apply.read, after, head)
        return cls(read, readers.decoder.submit(apply.decoded, read))


@dataclass(frozen=True)
class _Readers:
    """The build's two helper threads: one reads the log, the other decodes what was read."""

    reader: ThreadPoolExecutor
    decoder: ThreadPoolExecutor


@contextlib.contextmanager
def _readers() -> Iterator[_Readers]:
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild-reader") as reader,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild-decoder") as decoder,
    ):
        yield _Readers(reader, decoder)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Exempt the objects that exist now from garbage collection until the block ends: they
    are not the rebuild's and not its garbage, and full collections walked every one of them
    again and again. They go back to the collector afterwards (the oldest generation). Young
    objects are collected less often meanwhile; the thresholds found are restored."""
    young, middle, old = gc.get_threshold()
    gc.freeze()
    if young:  # 0: automatic collection is off, and stays off
        gc.set_threshold(max(young, YOUNG_COLLECTION_THRESHOLD), middle, old)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)
        gc.unfreeze()


@contextlib.contextmanager
def _prompt_switches() -> Iterator[None]:
    """Hand the interpreter lock to a waiting thread within ``BUILD_SWITCH_INTERVAL`` until the
    block ends (never later than it was); the interval found is restored."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, BUILD_SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _catch_up(conn: Connection[Any], apply: _Applier, reached: int, head: int) -> int:
    while reached < head:
        reached = apply(conn, reached, head)
    return reached


def _swap(conn: Connection[Any], shadow: sql.Identifier, table: sql.Identifier) -> None:
    conn.execute(sql.SQL("DROP TABLE IF EXISTS public.{} CASCADE").format(table))
    conn.execute(sql.SQL("ALTER TABLE {}.{} SET SCHEMA public").format(shadow, table))
