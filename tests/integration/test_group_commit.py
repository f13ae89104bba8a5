"""Group-committed writes to the log, on real PostgreSQL: a clash fails only its own command,
ids stay gap-free and commit in order under 16 writers, a failed commit fails the whole group,
and a writer process killed mid-run loses no acknowledged write and leaves no half command."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import (
    IntegrityError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresDatastore
from psycopg.conninfo import conninfo_to_dict

from domain.customer.commands import RegisterCustomer
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.metadata import EventMetadata, acting_as
from infrastructure.bootstrap import open_runtime
from infrastructure.database import Database
from infrastructure.group_commit import GroupCommit
from infrastructure.log_writer import BATCH_BOUNDS, GroupCommittedLog
from tests.support.cli import REPO
from tests.support.ledgers import postgres_ledger
from tests.support.settings import settings_on


class BatchSizes:
    """Records the size of each batch the recorder writes (the real writer does the work)."""

    def __init__(self, recorder: GroupCommittedLog) -> None:
        self.sizes: list[int] = []
        write = recorder.write_batch

        def counted(batch: list[Any]) -> Any:
            self.sizes.append(len(batch))
            return write(batch)

        recorder.group_commit = GroupCommit(counted, BATCH_BOUNDS, recorder.group_commit.wait)


def log_of(ledger: Ledger) -> GroupCommittedLog:
    assert isinstance(ledger.recorder, GroupCommittedLog)
    return ledger.recorder


def wait_for(condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@contextlib.contextmanager
def log_lock_held(database: Database) -> Iterator[None]:
    """Hold the log's write lock from another session (as a writer in another process would),
    so that this process's commands queue up until the block ends."""
    with database.connect() as conn:
        conn.execute("LOCK TABLE ledger_events IN EXCLUSIVE MODE")
        yield


def lock_waiters(database: Database) -> int:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks"
            " WHERE relation = 'ledger_events'::regclass AND NOT granted"
        ).fetchone()
    return int(row[0]) if row else 0


def grouped(
    database: Database, recorder: GroupCommittedLog, calls: list[Callable[[], Any]]
) -> None:
    """Run ``calls`` at once so that they land in one batch: an opening write takes the lead
    and waits for the lock held elsewhere while the others queue behind it; the queue is then
    written as one batch. Each call records its own outcome."""
    threads = [threading.Thread(target=call) for call in calls]
    with log_lock_held(database):
        opener = threading.Thread(target=recorder.insert_events, args=([an_event(uuid4())],))
        opener.start()
        wait_for(lambda: lock_waiters(database) == 1)
        for thread in threads:
            thread.start()
        wait_for(lambda: recorder.group_commit.queued() == len(calls))
    for thread in [opener, *threads]:
        thread.join()


def an_event(originator: UUID, version: int = 1, topic: str = "test:Happened") -> StoredEvent:
    return StoredEvent(originator, version, topic, b"{}")


def registered(customer_id: UUID, name: str, agent: EventMetadata) -> Customer:
    with acting_as(agent):
        return Customer.register(
            customer_id,
            name=name,
            email=f"{name.lower()}@example.org",
            phone=None,
            region=None,
            email_fingerprint=name.lower().ljust(64, "0"),
        )


def log_rows(database: Database) -> list[tuple[int, UUID, int, str]]:
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic"
            " FROM ledger_events ORDER BY notification_id"
        ).fetchall()
    return [(int(r[0]), r[1], int(r[2]), str(r[3])) for r in rows]


def test_a_clash_in_a_group_fails_that_command_alone_and_its_neighbours_commit(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    recorder = log_of(ledger)
    batches = BatchSizes(recorder)
    taken = uuid4()
    ledger.commit(registered(taken, "Taken", agent))
    twin, others = uuid4(), [uuid4() for _ in range(5)]
    commands = {
        "first twin": registered(twin, "Castor", agent),
        "second twin": registered(twin, "Pollux", agent),
        "late": registered(taken, "Late", agent),  # version 1 of a stream that has it already
        **{f"other {i}": registered(other, f"Other{i}", agent) for i, other in enumerate(others)},
    }
    outcomes: dict[str, object] = {}

    def commit(name: str) -> Callable[[], None]:
        def run() -> None:
            try:
                outcomes[name] = ledger.commit(commands[name])
            except ConcurrencyConflictError as conflict:
                outcomes[name] = conflict

        return run

    grouped(database, recorder, [commit(name) for name in commands])

    assert batches.sizes[-1] == len(commands), "the commands were written as one group"
    conflicts = {name for name, o in outcomes.items() if isinstance(o, ConcurrencyConflictError)}
    assert "late" in conflicts and len(conflicts & {"first twin", "second twin"}) == 1
    assert len(conflicts) == 2, f"only the clashing commands fail: {conflicts}"
    rows = log_rows(database)
    events_of = Counter(r[1] for r in rows)
    assert all(events_of[stream] == 1 for stream in (taken, twin, *others))
    winner = next(name for name in ("first twin", "second twin") if name not in conflicts)
    expected_name = "Castor" if winner == "first twin" else "Pollux"
    assert ledger.get_customer(twin).name.value == expected_name
    for name, outcome in outcomes.items():
        if isinstance(outcome, int):
            assert [r[1] for r in rows if r[0] == outcome] == [commands[name].id]


def test_a_group_whose_commit_fails_gives_every_command_the_error_and_writes_nothing(
    ledger: Ledger, database: Database
) -> None:
    """An error at COMMIT (here a deferred check that refuses one command's event) is the
    whole group's: no command of it is acknowledged, none of its events is in the log."""
    recorder = log_of(ledger)
    with database.connect() as conn:
        conn.execute(
            """
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'poison refused at commit' USING ERRCODE = 'unique_violation';
            END $$;
            CREATE CONSTRAINT TRIGGER refuse_poison AFTER INSERT ON ledger_events
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                WHEN (NEW.topic = 'test:Poison') EXECUTE FUNCTION refuse_poison();
            """
        )
    before = log_rows(database)
    streams = [uuid4() for _ in range(6)]
    outcomes: dict[UUID, object] = {}

    def insert(stream: UUID, topic: str) -> Callable[[], None]:
        def run() -> None:
            try:
                outcomes[stream] = recorder.insert_events([an_event(stream, topic=topic)])
            except PersistenceError as error:
                outcomes[stream] = error

        return run

    calls = [insert(s, "test:Poison" if i == 3 else "test:Happened") for i, s in enumerate(streams)]
    grouped(database, recorder, calls)

    assert all(isinstance(outcomes[s], IntegrityError) for s in streams), outcomes
    assert not {r[1] for r in log_rows(database)} & set(streams)
    assert len(log_rows(database)) == len(before) + 1  # only the opening write, alone before
    assert recorder.insert_events([an_event(uuid4())]), "the next group commits as usual"


def a_datastore(database: Database, lock_timeout: int) -> PostgresDatastore:
    """A pool of its own on ``database`` (another process's, as the database sees it)."""
    params = conninfo_to_dict(database.conninfo)
    return PostgresDatastore(
        dbname=str(params["dbname"]),
        host=str(params.get("host", "127.0.0.1")),
        port=str(params.get("port", "5432")),
        user=str(params.get("user", "postgres")),
        password=str(params.get("password", "")),
        pool_size=4,
        lock_timeout=lock_timeout,
    )


def last_drawn_id(database: Database) -> tuple[int, bool]:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT last_value, is_called FROM ledger_events_notification_id_seq"
        ).fetchone()
    assert row is not None
    return int(row[0]), bool(row[1])


def test_a_batch_draws_its_ids_only_once_it_holds_the_log_lock_and_notifies_at_commit(
    ledger: Ledger, database: Database
) -> None:
    """A batch is one statement (``GroupCommittedLog._batch_sql``): while another session holds
    the log's lock, the statement waits for it without having drawn a notification id (ids
    drawn before the lock could commit out of order), and its NOTIFY reaches a listener once
    it has committed, not before."""
    recorder = log_of(ledger)
    recorder.insert_events([an_event(uuid4())])
    drawn_before = last_drawn_id(database)
    results: list[Any] = []
    with psycopg.connect(database.conninfo, autocommit=True) as listener:
        listener.execute(f"LISTEN {recorder.channel_name}")
        with log_lock_held(database):
            writer = threading.Thread(
                target=lambda: results.append(recorder.insert_events([an_event(uuid4())]))
            )
            writer.start()
            wait_for(lambda: lock_waiters(database) == 1)
            time.sleep(0.2)
            assert last_drawn_id(database) == drawn_before, "no id drawn while waiting"
            assert not list(listener.notifies(timeout=0.2, stop_after=1)), "nothing committed"
        writer.join()
        assert list(listener.notifies(timeout=5, stop_after=1)), "notified once committed"
    assert results == [[drawn_before[0] + 1]]
    assert log_rows(database)[-1][0] == drawn_before[0] + 1


def test_a_batch_waits_for_the_log_lock_no_longer_than_the_lock_timeout(
    database: Database, ledger: Ledger
) -> None:
    """The batch's one statement sets the lock's timeout (``POSTGRES_LOCK_TIMEOUT``) before it
    takes the lock: held elsewhere for longer, the write fails with the timeout, not a hang,
    and writes nothing."""
    datastore = a_datastore(database, lock_timeout=1)
    recorder = GroupCommittedLog(datastore, events_table_name="ledger_events")
    stream = uuid4()
    try:
        with log_lock_held(database):
            started = time.monotonic()
            with pytest.raises(OperationalError, match="lock timeout"):
                recorder.insert_events([an_event(stream)])
            waited = time.monotonic() - started
        assert 0.9 < waited < 5
        assert stream not in {r[1] for r in log_rows(database)}
        assert recorder.insert_events([an_event(stream)]), "written once the lock is free"
    finally:
        datastore.close()


def test_two_processes_writing_at_once_neither_deadlock_nor_interleave_their_ids(
    database: Database, ledger: Ledger
) -> None:
    """Two recorders on their own pools (two processes, as far as the database can tell),
    eight writers each: every write commits (a batch takes the log's lock before its INSERT
    locks anything: the other way round two batches each hold the table's ROW EXCLUSIVE lock
    and wait for the other's EXCLUSIVE, a deadlock), and the log is gap-free and in order."""
    recorders = [
        log_of(ledger),
        GroupCommittedLog(a_datastore(database, 10), events_table_name="ledger_events"),
    ]
    errors: list[BaseException] = []
    written: list[UUID] = []

    def write(recorder: GroupCommittedLog) -> None:
        for _ in range(20):
            stream = uuid4()
            try:
                recorder.insert_events([an_event(stream), an_event(stream, 2)])
                written.append(stream)
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=write, args=(r,)) for r in recorders for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        recorders[1].datastore.close()
    assert not errors
    rows = log_rows(database)
    assert [r[0] for r in rows] == list(range(1, 2 * 8 * 20 * 2 + 1))
    assert all(rows[i][1] == rows[i + 1][1] for i in range(0, len(rows), 2))
    assert {r[1] for r in rows} == set(written)


def test_sixteen_writers_get_gap_free_ids_that_commit_in_order(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """A reader following the log meanwhile never sees an id before every lower one: ids are
    issued in commit order. Afterwards the log is 1..n without a gap, each registration's two
    events side by side where the ledger said."""
    batches = BatchSizes(log_of(ledger))
    writing, disorder, results = threading.Event(), [], []
    writing.set()

    def follow() -> None:
        last = 0
        with psycopg.connect(database.conninfo, autocommit=True) as conn:
            while writing.is_set():
                ids = [int(r[0]) for r in conn.execute(
                    "SELECT notification_id FROM ledger_events WHERE notification_id > %s"
                    " ORDER BY notification_id", (last,)
                )]  # fmt: skip
                if ids != list(range(last + 1, last + 1 + len(ids))):
                    disorder.append((last, ids[:3]))
                last = ids[-1] if ids else last

    def write(writer: int) -> None:
        for n in range(25):
            command = RegisterCustomer(f"Writer {writer} No {n}", f"w{writer}-{n}@example.org")
            results.append(ledger.register_customer(command, agent))

    follower = threading.Thread(target=follow)
    follower.start()
    writers = [threading.Thread(target=write, args=(i,)) for i in range(16)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    follower.join()

    assert not disorder
    rows = log_rows(database)
    assert [r[0] for r in rows] == list(range(1, 16 * 25 * 2 + 1))
    at = {r[0]: r for r in rows}
    assert all(at[result.position - 1][1] == result.aggregate_id for result in results)
    assert len(results) == 16 * 25 and max(batches.sizes) > 1


@pytest.mark.timeout(180)
def test_sixteen_writers_killed_mid_run_lose_no_acknowledged_write_and_half_write_none(
    database: Database, agent: EventMetadata
) -> None:
    with postgres_ledger(database):
        pass  # migrated; the child process writes through a ledger of its own
    acknowledged = kill_writer_after(database, acknowledgements=400)

    rows = log_rows(database)
    assert len(acknowledged) >= 400
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1)), "ids gap-free up to the kill"
    topics = [r[3].rsplit(":", 1)[-1] for r in rows]
    assert topics == ["Customer.Registered", "EmailClaim.Claimed"] * (len(rows) // 2)
    at = {r[0]: r for r in rows}
    for customer_id, position in acknowledged:
        assert at[position - 1][1] == customer_id, "acknowledged where the ledger said"
    streams = [r[1] for r in rows]
    assert len(streams) == len(set(streams)), "no event is there twice"
    with postgres_ledger(database) as ledger:
        ledger.register_customer(RegisterCustomer("After", "after@crash.example"), agent)


def kill_writer_after(database: Database, acknowledgements: int) -> list[tuple[UUID, int]]:
    """Start the 16-writer child, SIGKILL it once it has acknowledged that many writes, and
    return every acknowledgement it printed before it died."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.acknowledging_writer", database.conninfo],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    lines: list[str] = []
    try:
        while len(lines) < acknowledgements and (line := child.stdout.readline()):
            lines.append(line)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    lines += child.stdout.read().splitlines(keepends=True)
    complete = [line.split() for line in lines if line.endswith("\n")]
    return [(UUID(customer), int(position)) for customer, position in complete]


def test_the_group_commit_wait_setting_reaches_the_log_recorder(database: Database) -> None:
    settings = settings_on(database, group_commit_wait_ms=7)
    with open_runtime(settings) as runtime:
        assert log_of(runtime.ledger).group_commit.wait == pytest.approx(0.007)
