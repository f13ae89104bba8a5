"""The event log's writes, group-committed: concurrent commands of one process share one
transaction, one take of the log's write lock, one NOTIFY and one commit (one WAL flush).

The library's recorder commits each command alone under the log's EXCLUSIVE lock, so that
notification ids commit in the order they are issued and no reader passes over an id that
commits later. The lock stays: a batch takes it once, inserts the commands' events in queue
order and commits, so ids still commit in order and each command's events stay contiguous.
What changes is that concurrent writers no longer queue for the lock and an fsync each
(:mod:`infrastructure.group_commit` forms the batches).

A batch is first written optimistically: one pipeline (BEGIN, the lock's timeout, the lock and
the NOTIFY in one statement, one INSERT of every command's fresh keys and events, COMMIT) sent
in one round trip. Should that fail on a clash (a unique violation on (originator_id,
originator_version), a refused key, or a value the column refuses), the
transaction is rolled back and the batch written again carefully, each command inside a
SAVEPOINT of its own: the clashing command gets the library's ``IntegrityError`` (or
``DataError``), exactly what it would have got alone, and the others commit. A command's
``insert_events`` returns only after the COMMIT succeeded: an acknowledged write is durable, and
if the commit fails, every command of the batch gets the error, never a success. One transaction
means a process killed mid-batch leaves nothing of it behind. Rolled-back inserts leave gaps in
the ids (a clash costs the ids its batch drew at once, where the library's recorder loses those
of the clashing command); no reader relies on ids being dense, only on their commit order.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.persistence import DataError, IntegrityError, PersistenceError, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from opentelemetry.trace import Tracer
from psycopg import Connection
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composable, Identifier, Literal

from infrastructure.event_log import LedgerEventsRecorder
from infrastructure.fresh_keys import FreshKey, SubjectKeyTakenError
from infrastructure.group_commit import BatchBounds, GroupCommit, Outcome

BATCH_BOUNDS = BatchBounds(max_items=64, max_size=1000)
"""At most 64 commands per transaction: written one by one, each takes a savepoint, and
PostgreSQL caches 64 subtransaction ids per backend (every snapshot taken meanwhile gets slower
once a transaction has more). At most 1,000 events, so that one transaction holds the log's
lock for a few milliseconds at most; a single larger command is written alone, as before."""
DEFAULT_WAIT_SECONDS = 0.001
"""How long a leader may wait for more commands (``CXL_GROUP_COMMIT_WAIT_MS``)."""

CLASHES = (psycopg.IntegrityError, psycopg.DataError, psycopg.errors.PipelineAborted)
"""What makes a batch written at once try again command by command (a pipeline reports the
statements after a failure as aborted, should that be the first error it passes on)."""
NotificationIds = list[int]

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
        self._batch_statements = (self._batch_sql(with_keys=False), self._batch_sql(with_keys=True))

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
        with self.datastore.get_connection() as conn:
            try:
                return self._write_at_once(conn, batch)
            except CLASHES:
                pass  # rolled back: write again, command by command, so that it fails alone
            return self._write_one_by_one(conn, batch)

    def _write_at_once(
        self, conn: Connection[DictRow], batch: list[CommandWrite]
    ) -> list[Outcome[NotificationIds]]:
        """The whole batch in one round trip of four statements (:meth:`_batch_sql`)."""
        events = [event for command in batch for event in command.events]
        keys = [key for command in batch for key in command.keys]
        params: tuple[list[Any], ...] = _columns(events)
        if keys:
            params = (*_key_columns(keys), *params)
        lock_and_notify, append = self._batch_statements[bool(keys)]
        try:
            with conn.pipeline():
                # Cursors of tuples: the connection's own make a dictionary row maker (and
                # look up the columns' names) for every result, rows or not.
                conn.cursor(row_factory=tuple_row).execute(b"BEGIN")
                conn.cursor(row_factory=tuple_row).execute(lock_and_notify, prepare=True)
                insert = conn.cursor(row_factory=tuple_row)
                insert.execute(append, params, prepare=True)
                conn.cursor(row_factory=tuple_row).execute(b"COMMIT")
        except BaseException:
            with contextlib.suppress(psycopg.Error):
                conn.rollback()
            raise
        ids = iter(row[0] for row in insert.fetchall())
        return [[next(ids) for _ in command.events] for command in batch]

    def _write_one_by_one(
        self, conn: Connection[DictRow], batch: list[CommandWrite]
    ) -> list[Outcome[NotificationIds]]:
        """Each command in a savepoint: one that clashes fails alone."""
        outcomes: list[Outcome[NotificationIds]] = []
        with conn.transaction():
            self._lock_and_notify(conn)
            for command in batch:
                try:
                    with conn.transaction():
                        outcomes.append(self._write_command(conn, command))
                except _KeyRefusedError as refused:
                    outcomes.append(refused.as_outcome())  # its savepoint is rolled back
                except (psycopg.IntegrityError, psycopg.DataError) as error:
                    outcomes.append(_library_error(error))  # its savepoint is rolled back
        return outcomes

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

    def _batch_sql(self, *, with_keys: bool) -> tuple[bytes, bytes]:
        """A batch's two statements between BEGIN and COMMIT, where there were four (the lock's
        timeout, the lock and the NOTIFY, the events, the keys): each statement in the pipeline
        is psycopg's work in Python on the writing thread, per batch.

        The first sets the lock's timeout (``SET LOCAL``, as ``set_config(..., true)``) in
        ``settings`` before ``locked`` (which reads its row) takes the lock and sends the
        NOTIFY (at commit); it names no table, so it locks nothing before the log's lock (an
        INSERT into the log takes its ROW EXCLUSIVE lock as it is parsed: had it come first,
        two writers would each hold that and wait for the other's EXCLUSIVE). The second
        inserts the events, and the command's fresh keys with them, if any (a data-modifying
        WITH runs whether or not it is read; refused, it fails the statement as it failed the
        transaction)."""
        set_timeout = SQL("SELECT set_config('lock_timeout', {}, true) AS lock_timeout").format(
            Literal(f"{self.datastore.lock_timeout}s")
        )
        _set_lock_timeout, take_lock = self.lock_table_statements
        lock_and_notify = SQL(
            "WITH settings AS MATERIALIZED ({set_timeout}),"
            " locked AS MATERIALIZED ({take_lock}, pg_notify({channel}, '') FROM settings)"
            " SELECT count(*) FROM locked"
        ).format(set_timeout=set_timeout, take_lock=take_lock, channel=Literal(self.channel_name))
        append = self._append_statement
        if with_keys:
            append = b"WITH fresh_keys AS (" + INSERT_FRESH_KEYS.encode() + b") " + append
        return lock_and_notify.as_bytes(), append

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


def _columns(events: Sequence[StoredEvent]) -> tuple[list[Any], list[int], list[str], list[bytes]]:
    return (
        [event.originator_id for event in events],
        [event.originator_version for event in events],
        [event.topic for event in events],
        [event.state for event in events],
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


def _library_error(error: psycopg.Error) -> PersistenceError:
    """The error the library's recorder would have raised for this command alone."""
    kind = IntegrityError if isinstance(error, psycopg.IntegrityError) else DataError
    mine = kind(str(error))
    mine.__cause__ = error
    return mine
