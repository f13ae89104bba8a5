"""The projection runner applies every event exactly once, in batches, across crashes."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from typing import Any

import psycopg
import pytest
from psycopg import Cursor

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner, ProjectionWorker
from infrastructure.rebuild import rebuild
from projections.customers.projection import CustomerDirectory
from projections.tracking import all_positions
from tests.support.cli import CXLEDGER, REPO, cli_env


def register_many(ledger: Ledger, metadata: EventMetadata, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        ledger.register_customer(RegisterCustomer(f"Customer {i}", f"c{i}@example.org"), metadata)


def directory_rows(database: Database) -> list[tuple[Any, ...]]:
    with database.connect() as conn:
        return conn.execute("SELECT * FROM customer_directory ORDER BY seq").fetchall()


def wait_until_projected(ledger: Ledger, database: Database, timeout: float = 15) -> None:
    """Wait (bounded) for the directory to reach the log head; the asserts that follow say
    whether it did."""
    deadline = time.monotonic() + timeout
    while position(database) < ledger.head_position() and time.monotonic() < deadline:
        time.sleep(0.02)


def position(database: Database) -> int:
    with database.connect() as conn:
        return all_positions(conn).get(CustomerDirectory.name, 0)


class FailsOnThirdEvent(CustomerDirectory):
    """A projection that loses its connection in the middle of its first batch, after writing
    two rows: a crash, not a bad event, so nothing is parked and the batch is not kept."""

    rows_written_before_crash: int | None = None

    def apply(self, cursor: Cursor[Any], batch: Any) -> None:
        super().apply(cursor, batch[:2])  # the batch holds only the topics it handles
        row = cursor.execute("SELECT count(*) FROM customer_directory").fetchone()
        self.rows_written_before_crash = row[0] if row else None
        raise psycopg.OperationalError("server closed the connection unexpectedly")


def test_catch_up_applies_every_event_once_in_batches(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    register_many(ledger, agent, 25)
    runner = ProjectionRunner(ledger, database, CustomerDirectory(), batch_size=4)
    reached: list[int] = []
    with database.connect() as conn:
        runner.catch_up(conn, progress=lambda done, head: reached.append(done))
        runner.catch_up(conn)  # a second catch-up finds nothing to do
    assert len(directory_rows(database)) == 25
    assert position(database) == ledger.head_position() == 50
    assert len(reached) >= 7 and reached == sorted(reached)


def test_a_crash_inside_a_batch_rolls_back_its_writes_and_its_position(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    register_many(ledger, agent, 5)
    failing = FailsOnThirdEvent()
    crashing = ProjectionRunner(ledger, database, failing, batch_size=10)
    with database.connect() as conn, pytest.raises(psycopg.OperationalError):
        crashing.run_batch(conn)
    assert failing.rows_written_before_crash == 2
    assert directory_rows(database) == [] and position(database) == 0
    with database.connect() as conn:
        ProjectionRunner(ledger, database, CustomerDirectory(), batch_size=10).catch_up(conn)
    assert [row[2] for row in directory_rows(database)] == [f"Customer {i}" for i in range(5)]


def test_a_live_worker_follows_new_events(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    worker = ProjectionWorker([ProjectionRunner(ledger, database, CustomerDirectory(), 50)])
    worker.start()
    try:
        register_many(ledger, agent, 3)
        wait_until_projected(ledger, database)
    finally:
        worker.stop()
    assert len(directory_rows(database)) == 3
    assert worker.errors() == {}


def test_two_workers_share_a_projection_without_applying_an_event_twice(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    workers = [
        ProjectionWorker([ProjectionRunner(ledger, database, CustomerDirectory(), 3)])
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        register_many(ledger, agent, 20)
        wait_until_projected(ledger, database)
    finally:
        for worker in workers:
            worker.stop()
    assert len(directory_rows(database)) == 20
    assert all(worker.errors() == {} for worker in workers)


def test_a_worker_killed_mid_batch_resumes_to_exactly_the_rebuilt_read_model(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    register_many(ledger, agent, 400)
    head = ledger.head_position()
    worker = subprocess.Popen(
        [*CXLEDGER, "project"],
        cwd=REPO,
        env=cli_env(database, CXL_PROJECTION_BATCH_SIZE="7"),
    )
    try:
        deadline = time.monotonic() + 60
        while position(database) < head // 4 and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    killed_at = position(database)
    assert 0 < killed_at < head, "the kill should land while the worker is catching up"
    # What survived the kill is exactly the events up to the recorded position.
    assert all(row[1] <= killed_at for row in directory_rows(database))
    with database.connect() as conn:
        ProjectionRunner(ledger, database, CustomerDirectory(), batch_size=7).catch_up(conn)
    resumed = directory_rows(database)
    rebuild(ledger, database, CustomerDirectory(), batch_size=100)
    assert resumed == directory_rows(database)
    assert len(resumed) == 400


def test_rebuild_swaps_in_an_identical_read_model_while_writes_continue(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    register_many(ledger, agent, 30)
    worker = ProjectionWorker([ProjectionRunner(ledger, database, CustomerDirectory(), 5)])
    worker.start()
    writer = threading.Thread(target=register_many, args=(ledger, agent, 30, 30))
    try:
        writer.start()
        progress: list[tuple[int, int]] = []
        reached = rebuild(
            ledger,
            database,
            CustomerDirectory(),
            batch_size=4,
            progress=lambda done, head: progress.append((done, head)),
        )
        writer.join()
        wait_until_projected(ledger, database)
    finally:
        worker.stop()
    assert progress and progress[-1][0] == progress[-1][1]
    assert reached <= position(database) == ledger.head_position()
    live = directory_rows(database)
    assert len(live) == 60
    rebuild(ledger, database, CustomerDirectory(), batch_size=50)
    assert directory_rows(database) == live
