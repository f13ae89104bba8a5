"""The event log's writes, group-committed: concurrent commands of one process share one
transaction, one take of the log's write lock, one NOTIFY and one commit (one WAL flush).

The library's recorder commits each command alone under the log's EXCLUSIVE lock, so that
notification ids commit in the order they are issued and no reader passes over an id that
commits later. The lock stays: a batch takes it once, inserts the commands' events in queue
order and commits, so ids still commit in order and each command's events stay contiguous.
What changes is that concurrent writers no longer queue for the lock and an fsync each
(:mod:`infrastructure.group_commit` forms the batches).

A batch is first written optimistically: one statement, in autocommit, calling the function
``cxl_append_ledger_events`` (``migrations/200_append_ledger_events.sql``), which sets the lock's
timeout, takes the lock, sends the NOTIFY and inserts every command's fresh keys and events, in
that order; the statement's implicit transaction commits them before the server answers, and
whatever happens the session is left in no transaction. Should that fail on a clash (a unique
violation on (originator_id, originator_version), a refused key, or a value the column
refuses), nothing of it is kept and the batch is written again carefully, each command inside a
SAVEPOINT of its own: the clashing command gets the library's ``IntegrityError`` (or
``DataError``), exactly what it would have got alone, and the others commit. A command's
``insert_events`` returns only after the COMMIT succeeded: an acknowledged write is durable, and
if the commit fails, every command of the batch gets the error, never a success. One transaction
means a process killed mid-batch leaves nothing of it behind. A refused append draws ids all
the same (a row's id is drawn before the unique index refuses it, and a sequence does not roll
back): the careful path, under the lock, puts the sequence back to the last id a row holds
before it starts and after each command refused (``cxl_reclaim_ledger_ids``,
``migrations/201_append_without_burnt_ids.sql``), so a clash leaves no hole; a crash between the
two may (no reader relies on ids being dense, only on their commit order). The reclaim costs
only the rare batch that failed: looking for the clash before every INSERT instead cost two
thirds of a one-event append's rate (benchmarks/append.py: 2,500/s against 850/s).

On the event store's connections (autocommit) the call goes straight through libpq
(:mod:`infrastructure.libpq_call`), its arrays already binary: psycopg's cursor spent about 95 us
of client CPU more per call converting, looking up and waiting in Python.

The batch was a pipeline of four statements (BEGIN, the lock and the NOTIFY, the INSERT,
COMMIT): three more statements of psycopg's work in Python per batch. Behind PgBouncer 1.18 in
transaction mode that pipeline could also leave its server session taken after the command
returned: leaving a pipeline whose results had not all arrived yet, psycopg sends a Flush after
the Sync; PgBouncer, having released the server at the Sync's ReadyForQuery, links a server
again for the Flush and waits for a ReadyForQuery that a Flush never brings, so the session
stayed with that idle pooled connection until its next statement, and other clients waited
for PgBouncer's queue timeout. No pipeline is used here any more.

A command may bring subject keys made for it (:mod:`infrastructure.fresh_keys`): they are
inserted in its share of the transaction, with its events. If one is refused (its subject has
a key or a tombstone already, or this process's master key is not the database's) the batch is
written again command by command, and that command alone gets ``SubjectKeyTakenError``.

Like the library's application recorder, this one records no tracking: a ``tracking`` argument
is ignored, as there. (Process managers keep their positions in their own table, after the
command; see :mod:`infrastructure.process_manager_runner`.)
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresDatastore
from opentelemetry.trace import Tracer
from psycopg import Connection
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composable, Identifier, Literal

from infrastructure.event_log import RECLAIM_FUNCTION, LedgerEventsRecorder
from infrastructure.fresh_keys import FreshKey, SubjectKeyTakenError
from infrastructure.group_commit import BatchBounds, GroupCommit, Outcome
from infrastructure.kept_connection import KeptConnection
from infrastructure.libpq_call import PreparedCall, bigints

BATCH_BOUNDS = BatchBounds(max_items=64, max_size=1000)
"""At most 64 commands per transaction: written one by one, each takes a savepoint, and
PostgreSQL caches 64 subtransaction ids per backend (every snapshot taken meanwhile gets slower
once a transaction has more). At most 1,000 events, so that one transaction holds the log's
lock for a few milliseconds at most; a single larger command is written alone, as before."""
DEFAULT_WAIT_SECONDS = 0.001
"""How long a leader may wait for more commands (``CXL_GROUP_COMMIT_WAIT_MS``)."""

CLASHES = (psycopg.IntegrityError, psycopg.DataError)
"""What makes a batch written at once try again command by command."""
NotificationIds = list[int]

_RECLAIM_IDS = f"SELECT public.{RECLAIM_FUNCTION}()".encode()
"""Made once as bytes, as the other statements (psycopg composes a string on every execution)."""

INSERT_FRESH_KEYS = """
    INSERT INTO cxl_subject_keys (subject_id, wrapped_key)
    SELECT
        CASE WHEN NOT EXISTS (
            SELECT FROM cxl_master_key_check WHERE check_value <> fresh.master_check
        ) THEN fresh.subject_id END,
        fresh.wrapped_key
    FROM unnest(%b::uuid[], %b::bytea[], %b::bytea[])
        AS fresh(subject_id, wrapped_key, master_check)
"""
"""Each fresh key, refused with an error if its subject has a row (a key, or an erasure's
tombstone: the primary key), or if this process's master key is not the database's: then the
subject id is NULL, which its column refuses. (Skipping the row, as ``create_key`` does, would
let the rest commit in the same round trip: the events sealed under a key never stored.)"""


@dataclass(frozen=True, slots=True)
class CommandWrite:
    """One command's share of a batch: its stored events and the fresh keys they are sealed
    under."""

    events: Sequence[StoredEvent]
    keys: Sequence[FreshKey] = ()


class GroupCommittedLog(LedgerEventsRecorder):
    """The ledger's events recorder, writing concurrent commands in shared transactions."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        if datastore.enable_db_functions:
            raise ValueError("POSTGRES_ENABLE_DB_FUNCTIONS skips the log's lock: keep it off")
        self.group_commit: GroupCommit[CommandWrite, NotificationIds] = GroupCommit(
            self.write_batch, BATCH_BOUNDS, DEFAULT_WAIT_SECONDS
        )
        self.appended: Callable[[int], None] = _count_nothing
        """Told how many events each command committed (the `/metrics` append counter)."""
        self.tracer: Tracer | None = None
        """Makes one span per command appended (``infrastructure.tracing``); None: off."""
        self._lock_and_notify_statements = self._lock_and_notify_sql()
        self._append_statement = self._append_sql()
        self._append_call = self._append_call_sql()
        self._append_direct = PreparedCall(
            b"cxl_append_ledger_events", _numbered(self._append_call), APPEND_PARAM_TYPES
        )
        self._writer: KeptConnection[Connection[DictRow]] = KeptConnection()
        """The connection the last batch was written on, kept for the next one
        (:mod:`infrastructure.kept_connection`): only the leader of the group commit writes."""
        self._writer.lend_on_demand(datastore.pool)

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        subject_keys: Sequence[FreshKey] = (),
        **kwargs: Any,
    ) -> Sequence[int] | None:
        """Record one command's events, and the fresh ``subject_keys`` they are sealed under
        with them; return their notification ids once committed."""
        if not stored_events:
            return None  # the library's recorder commits an empty transaction and says None
        write = CommandWrite(stored_events, subject_keys)
        if self.tracer is None:
            ids = self.group_commit.submit(write, len(stored_events))
        else:
            ids = self._traced_submit(self.tracer, write, stored_events[0].topic)
        self.appended(len(stored_events))  # only once committed: a failed write raised above
        return ids

    def _traced_submit(self, tracer: Tracer, write: CommandWrite, topic: str) -> NotificationIds:
        """The append in a span: how many events, the first one's type (never its content), and
        the error, should the command's write fail."""
        attributes: dict[str, str | int] = {
            "cxledger.events": len(write.events),
            "cxledger.event.topic": topic,
        }
        with tracer.start_as_current_span("cxledger append", attributes=attributes) as span:
            ids = self.group_commit.submit(write, len(write.events))
            span.set_attribute("cxledger.position", ids[-1])
            return ids

    def write_batch(self, batch: list[CommandWrite]) -> list[Outcome[NotificationIds]]:
        """Write commands in one transaction, in order; one outcome per command."""
        pool = self.datastore.pool
        if pool.closed:  # not opened yet (the library opens it at first use), or closed
            with self.datastore.get_connection() as conn:
                return self._write_batch_on(conn, batch)
        # The pool's own checkout, without the library's wrapper around it (opening the pool
        # again, registering composite types this writer never sends, two generator context
        # managers): about 30 us of client CPU a batch with one writer. Its errors are
        # translated as the wrapper translates them (the retries and callers see the same).
        try:
            conn = self._writer.take(pool)
            kept = False
            try:
                outcomes = self._write_batch_on(conn, batch)
                kept = self._writer.keep(pool, conn)
                return outcomes
            finally:
                if not kept:
                    pool.putconn(conn)
        except psycopg.Error as error:
            raise _persistence_error(error) from error

    def give_back(self) -> None:
        """Give the connection the writer keeps between batches back to its pool (before the
        pool closes)."""
        self._writer.give_back(self.datastore.pool)

    def _write_batch_on(
        self, conn: Connection[DictRow], batch: list[CommandWrite]
    ) -> list[Outcome[NotificationIds]]:
        try:
            return self._write_at_once(conn, batch)
        except CLASHES:
            pass  # rolled back: write again, command by command, so that it fails alone
        return self._write_one_by_one(conn, batch)

    def _write_at_once(
        self, conn: Connection[DictRow], batch: list[CommandWrite]
    ) -> list[Outcome[NotificationIds]]:
        """The whole batch in one statement, one round trip (:meth:`_append_call_sql`)."""
        events = [event for command in batch for event in command.events]
        keys = [key for command in batch for key in command.keys]
        ids = iter(self._call_append(conn, events, keys))
        return [[next(ids) for _ in command.events] for command in batch]

    def _call_append(
        self, conn: Connection[DictRow], events: list[StoredEvent], keys: list[FreshKey]
    ) -> list[int]:
        """Call the append function in a transaction of its own; return the events' ids once
        committed. In autocommit (the library's pools) that is the statement's implicit
        transaction, which commits before the server answers, so an error (a clash, the lock's
        timeout, a failed commit) raises here and leaves the session idle, in no transaction."""
        params: tuple[BinaryArray | None, ...] = (
            *_binary_columns(events),
            *(_binary_key_columns(keys) if keys else (None, None, None)),
        )
        if conn.autocommit:  # the event store's pools: the call is its own transaction
            ids = bigints(self._append_direct.run(conn, params))
            if len(ids) != len(events):
                raise AssertionError(f"{len(ids)} ids for {len(events)} events")
            return ids
        try:
            with conn.transaction(), conn.cursor(row_factory=tuple_row) as cursor:
                cursor.execute(self._append_call, params, prepare=True)
                rows: list[tuple[int]] = cursor.fetchall()
        except BaseException:
            # Nothing to end in autocommit; a connection of another kind of pool is not
            # given back inside a failed transaction either.
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                with contextlib.suppress(psycopg.Error):
                    conn.rollback()
            raise
        if len(rows) != len(events):
            raise AssertionError(f"{len(rows)} ids for {len(events)} events")
        return [row[0] for row in rows]

    def _write_one_by_one(
        self, conn: Connection[DictRow], batch: list[CommandWrite]
    ) -> list[Outcome[NotificationIds]]:
        """Each command in a savepoint: one that clashes fails alone."""
        outcomes: list[Outcome[NotificationIds]] = []
        with conn.transaction():
            self._lock_and_notify(conn)
            self._reclaim_ids(conn)  # those the batch drew at once
            for command in batch:
                try:
                    with conn.transaction():
                        outcomes.append(self._write_command(conn, command))
                except _KeyRefusedError as refused:
                    outcomes.append(refused.as_outcome())  # its savepoint is rolled back
                    self._reclaim_ids(conn)
                except (psycopg.IntegrityError, psycopg.DataError) as error:
                    outcomes.append(_library_error(error))  # its savepoint is rolled back
                    self._reclaim_ids(conn)
        return outcomes

    def _reclaim_ids(self, conn: Connection[DictRow]) -> None:
        """Put the log's sequence back to the last id a row holds (this transaction's own
        included): the ids a refused append drew are drawn again by the next one."""
        conn.execute(_RECLAIM_IDS, prepare=True)

    def _write_command(self, conn: Connection[DictRow], command: CommandWrite) -> NotificationIds:
        """One command's events, then its fresh keys, in the current transaction: events
        first, so that a command whose events clash gets that error, as it would have alone,
        rather than a refused key and a second attempt bound to clash."""
        with conn.cursor(row_factory=tuple_row) as insert:
            insert.execute(self._append_statement, _columns(command.events), prepare=True)
            ids = [row[0] for row in insert.fetchall()]
        if command.keys:
            try:
                _insert_fresh_keys(conn, command.keys)
            except (psycopg.IntegrityError, psycopg.DataError) as error:
                raise _KeyRefusedError(error) from error
        return ids

    def _lock_and_notify(self, conn: Connection[DictRow]) -> None:
        """Take the log's write lock (until the transaction ends) and NOTIFY its readers."""
        for statement in self._lock_and_notify_statements:
            conn.execute(statement, prepare=True)

    def _lock_and_notify_sql(self) -> list[bytes]:
        """The lock's timeout, then the lock and the NOTIFY in one statement (which one comes
        first does not matter: a NOTIFY is sent at COMMIT), as bytes made once: psycopg turns a
        composed statement into bytes on every execution."""
        set_lock_timeout, take_lock = self.lock_table_statements
        lock_and_notify = SQL("{}, pg_notify({}, '')").format(take_lock, Literal(self.channel_name))
        return [_as_bytes(set_lock_timeout), lock_and_notify.as_bytes()]

    def _append_call_sql(self) -> bytes:
        """The call of ``cxl_append_ledger_events`` for a batch, its arrays in binary (the
        function takes ``uuid[]`` ids and writes ``public.ledger_events``)."""
        if self.datastore.originator_id_type != "uuid" or self.datastore.schema != "public":
            raise ValueError("the log's append function writes UUID ids to public.ledger_events")
        return (
            SQL(
                "SELECT * FROM public.cxl_append_ledger_events({},"
                " %b::uuid[], %b::bigint[], %b::text[], %b::bytea[],"
                " %b::uuid[], %b::bytea[], %b::bytea[])"
            )
            .format(Literal(f"{self.datastore.lock_timeout}s"))
            .as_bytes()
        )

    def _append_sql(self) -> bytes:
        """The library's INSERT, given the events as four arrays in binary, not one array of
        a composite type in text, whose fields psycopg dumps in Python (the client's conversion
        of a registration's two events took 138 us, now 47 us, measured in one process on a
        loaded machine). ``unnest`` yields the rows in array
        order, so the ids are issued, and returned, in the events' order, as there."""
        return (
            SQL(
                "INSERT INTO {}.{} (originator_id, originator_version, topic, state)"
                " SELECT * FROM unnest(%b::{}[], %b::bigint[], %b::text[], %b::bytea[])"
                " RETURNING notification_id"
            )
            .format(
                Identifier(self.datastore.schema),
                Identifier(self.events_table_name),
                Identifier(self.datastore.originator_id_type),
            )
            .as_bytes()
        )


APPEND_PARAM_TYPES = (2951, 1016, 1009, 1001, 2951, 1001, 1001)
"""The oids of the append call's parameters: uuid[], bigint[], text[], bytea[] (the events),
uuid[], bytea[], bytea[] (the fresh keys)."""


def _numbered(statement: bytes) -> bytes:
    """``statement`` with its ``%b`` placeholders numbered as libpq's (``$1``...)."""
    parts = statement.split(b"%b")
    numbered = [parts[0]]
    for index, part in enumerate(parts[1:], start=1):
        numbered.append(b"$%d" % index + part)
    return b"".join(numbered)


def _columns(events: Sequence[StoredEvent]) -> tuple[list[Any], list[int], list[str], list[bytes]]:
    return (
        [event.originator_id for event in events],
        [event.originator_version for event in events],
        [event.topic for event in events],
        [event.state for event in events],
    )


class BinaryArray(bytes):
    """A one-dimensional array without NULLs, already in PostgreSQL's binary format, with the
    oid of its type: psycopg sends it as it is (:class:`_BinaryArrayDumper`). Its own list
    dumper looks at the list's items to choose a dumper for them and calls it item by item,
    in Python, on every execution: about a fifth of a registration's client CPU went to the
    seven arrays of its batch (cProfile, one thread)."""

    oid: int = 0


class UuidArray(BinaryArray):
    oid = 2951  # uuid[]


class BigintArray(BinaryArray):
    oid = 1016  # int8[]


class TextArray(BinaryArray):
    oid = 1009  # text[]


class ByteaArray(BinaryArray):
    oid = 1001  # bytea[]


class _BinaryArrayDumper(Dumper):
    format = Format.BINARY

    def __init__(self, cls: type, context: Any = None) -> None:
        super().__init__(cls, context)
        self.oid = getattr(cls, "oid", 0)

    def dump(self, obj: Any) -> bytes:
        return bytes(obj)


A = TypeVar("A", bound=BinaryArray)

for _array_type in (UuidArray, BigintArray, TextArray, ByteaArray):
    # Globally, for these types only: nothing else is dumped differently.
    psycopg.adapters.register_dumper(_array_type, _BinaryArrayDumper)

_HEAD = struct.Struct("!iiiii")  # dimensions, has NULLs, item oid, length, lower bound
_EMPTY_HEAD = struct.Struct("!iii")  # no dimension, no NULLs, item oid
_LENGTH = struct.Struct("!i")
_UUID_LENGTH = _LENGTH.pack(16)
_BIGINT_LENGTH = _LENGTH.pack(8)
_BIGINT = struct.Struct("!q")


def _array(kind: type[A], item_oid: int, count: int, items: Iterable[bytes]) -> A:
    """``items`` (each an item's length and bytes) as an array of ``kind``; an empty one
    has no dimension, as PostgreSQL writes it."""
    if count == 0:
        return kind(_EMPTY_HEAD.pack(0, 0, item_oid))
    return kind(_HEAD.pack(1, 0, item_oid, count, 1) + b"".join(items))


def uuid_array(values: Sequence[UUID | str]) -> UuidArray:
    parts = (_UUID_LENGTH + (v.bytes if isinstance(v, UUID) else UUID(v).bytes) for v in values)
    return _array(UuidArray, 2950, len(values), parts)


def bigint_array(values: Sequence[int]) -> BigintArray:
    return _array(BigintArray, 20, len(values), (_BIGINT_LENGTH + _BIGINT.pack(v) for v in values))


def text_array(values: Sequence[str]) -> TextArray:
    # UTF-8: psycopg's connections' encoding (client_encoding), which the server decodes from.
    encoded = [v.encode() for v in values]
    return _array(TextArray, 25, len(values), (_LENGTH.pack(len(v)) + v for v in encoded))


def bytea_array(values: Sequence[bytes]) -> ByteaArray:
    return _array(ByteaArray, 17, len(values), (_LENGTH.pack(len(v)) + v for v in values))


def _binary_columns(
    events: Sequence[StoredEvent],
) -> tuple[UuidArray, BigintArray, TextArray, ByteaArray]:
    return (
        uuid_array([event.originator_id for event in events]),
        bigint_array([event.originator_version for event in events]),
        text_array([event.topic for event in events]),
        bytea_array([event.state for event in events]),
    )


def _binary_key_columns(keys: Sequence[FreshKey]) -> tuple[UuidArray, ByteaArray, ByteaArray]:
    return (
        uuid_array([key.subject_id for key in keys]),
        bytea_array([key.wrapped for key in keys]),
        bytea_array([key.master_check for key in keys]),
    )


def _as_bytes(statement: Any) -> bytes:
    if isinstance(statement, Composable):
        return statement.as_bytes()
    return statement.encode() if isinstance(statement, str) else bytes(statement)


def _key_columns(keys: Sequence[FreshKey]) -> tuple[list[Any], list[bytes], list[bytes]]:
    return (
        [key.subject_id for key in keys],
        [key.wrapped for key in keys],
        [key.master_check for key in keys],
    )


def _insert_fresh_keys(conn: Connection[DictRow], keys: Sequence[FreshKey]) -> None:
    conn.execute(INSERT_FRESH_KEYS, _key_columns(keys), prepare=True)


class _KeyRefusedError(Exception):
    """A command's fresh key was refused (inside the writer only: its command gets
    ``SubjectKeyTakenError``)."""

    def __init__(self, error: psycopg.Error) -> None:
        super().__init__(str(error))
        self.error = error

    def as_outcome(self) -> SubjectKeyTakenError:
        taken = SubjectKeyTakenError(f"a fresh subject key was refused: {self.error}")
        taken.__cause__ = self.error
        return taken


def _count_nothing(events: int) -> None:
    return None


_TRANSLATED: tuple[tuple[type[psycopg.Error], type[PersistenceError]], ...] = (
    (psycopg.InterfaceError, InterfaceError),
    (psycopg.OperationalError, OperationalError),
    (psycopg.DataError, DataError),
    (psycopg.IntegrityError, IntegrityError),
    (psycopg.InternalError, InternalError),
    (psycopg.ProgrammingError, ProgrammingError),
    (psycopg.NotSupportedError, NotSupportedError),
    (psycopg.DatabaseError, DatabaseError),
)
"""psycopg's errors as the library's ``PostgresDatastore.get_connection`` translates them, in
its order (the first class that matches)."""


def _persistence_error(error: psycopg.Error) -> PersistenceError:
    """``error`` as the library's connection wrapper raises it (its cause set by the caller)."""
    for theirs, ours in _TRANSLATED:
        if isinstance(error, theirs):
            return ours(str(error))
    return PersistenceError(str(error))


def _library_error(error: psycopg.Error) -> PersistenceError:
    """The error the library's recorder would have raised for this command alone."""
    kind = IntegrityError if isinstance(error, psycopg.IntegrityError) else DataError
    mine = kind(str(error))
    mine.__cause__ = error
    return mine
