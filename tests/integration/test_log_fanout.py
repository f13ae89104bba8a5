"""One log reader per process: each event is read and decoded once for every projection and
process manager the process leads; leases decide which it leads, and another worker takes over
the followers of one that dies."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import Notification

from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from infrastructure.process_manager_runner import process_manager_runners
from infrastructure.projection_runner import ProjectionRunner, ProjectionWorker
from infrastructure.rebuild import rebuild
from projections.customers.projection import CustomerDirectory
from projections.history.projection import CustomerHistory
from projections.registry import build_projections
from projections.tracking import all_positions
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import TEST_AUDIT_KEYS
from tests.support.renamed_customers import register_renamed


def positions(database: Database) -> dict[str, int]:
    with database.connect() as conn:
        return all_positions(conn)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def every_follower_at(database: Database, names: list[str], head: int) -> Callable[[], bool]:
    return lambda: all(positions(database).get(name, 0) >= head for name in names)


def every_follower(ledger: Ledger, database: Database) -> list[Any]:
    return [
        *(
            ProjectionRunner(ledger, database, p, 100)
            for p in build_projections(TEST_AUDIT_KEYS.chain)
        ),
        *process_manager_runners(ledger, database, 100),
    ]


def test_each_event_is_decoded_once_for_every_projection_and_process_manager(
    ledger: Ledger, database: Database, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_renamed(ledger, agent, 30)
    decoded: Counter[int] = Counter()
    decode = ledger.mapper.to_domain_event

    def counting(stored: Any) -> Any:
        if isinstance(stored, Notification):  # read from the log, not an aggregate's load
            decoded[stored.id] += 1
        return decode(stored)

    monkeypatch.setattr(ledger.mapper, "to_domain_event", counting)  # the real one, counted
    followers = every_follower(ledger, database)
    names = [f.name for f in followers]
    worker = ProjectionWorker(followers)
    worker.start()
    try:
        assert wait_for(every_follower_at(database, names, ledger.head_position()))
        register_renamed(ledger, agent, 5, start=30)  # and live, after the catch-up
        assert wait_for(every_follower_at(database, names, ledger.head_position()))
    finally:
        worker.stop()
    assert worker.errors() == {}
    assert set(decoded) == positions_decoding_followers_read(ledger, followers)
    assert set(decoded.values()) == {1}, "an event was decoded more than once"


def positions_decoding_followers_read(ledger: Ledger, followers: list[Any]) -> set[int]:
    """The positions of the events some follower needs decoded (the audit chain reads stored
    rows: an event only it reads, such as an email claim, is never decoded)."""
    topics: set[str] = set()
    for follower in followers:
        if not getattr(getattr(follower, "projection", None), "reads_stored_events", False):
            topics |= follower.topics() or set()
    rows = ledger.recorder.select_notifications(start=1, limit=10_000)
    return {row.id for row in rows if row.topic in topics}


def test_a_projection_whose_lease_another_worker_holds_is_left_to_it_while_the_rest_go_on(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    with directory_led_elsewhere(ledger, database, agent) as (worker, other_worker, head):
        directory, history = worker.followers
        assert wait_for(every_follower_at(database, [history.name], head))
        time.sleep(0.5)  # time enough to apply the directory too, had it been led here
        assert positions(database).get(directory.name, 0) == 0
        other_worker.execute("SELECT pg_advisory_unlock(%s)", (directory.lease_key,))
        assert wait_for(every_follower_at(database, [directory.name], head), timeout=10)
    assert worker.errors() == {}


@contextmanager
def directory_led_elsewhere(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> Iterator[tuple[ProjectionWorker, psycopg.Connection[Any], int]]:
    """A started worker following the customer directory and history while another session
    (``other_worker``) holds the directory's lease, three customers registered after its start;
    yields (the worker, the other session, the head) and stops the worker on the way out."""
    directory = ProjectionRunner(ledger, database, CustomerDirectory(), 50)
    history = ProjectionRunner(ledger, database, CustomerHistory(), 50)
    worker = ProjectionWorker([directory, history])
    with psycopg.connect(database.conninfo, autocommit=True) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(%s)", (directory.lease_key,))
        worker.start()
        try:
            register_renamed(ledger, agent, 3)
            yield worker, other_worker, ledger.head_position()
        finally:
            worker.stop()


def leader_of(database: Database, lease_key: int) -> str | None:
    """The application name of the session holding a lease (the listener of a process)."""
    with database.connect() as conn:
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objid::bigint = %s"
            # Leases are per database: another database's workers hold the same keys.
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (lease_key,),
        ).fetchone()
    return None if row is None else str(row[0])


def test_two_worker_processes_share_the_followers_and_one_takes_over_when_the_other_is_killed(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    register_renamed(ledger, agent, 150)
    followers = every_follower(ledger, database)
    keys = {f.name: f.lease_key for f in followers}
    env = cli_env(database, CXL_PROJECTION_BATCH_SIZE="7")
    workers = [subprocess.Popen([*CXLEDGER, "project"], cwd=REPO, env=env) for _ in range(2)]
    try:
        assert wait_for(lambda: all(leader_of(database, k) for k in keys.values()))
        leaders = {leader_of(database, k) for k in keys.values()}
        killed = next(w for w in workers if f"listener {w.pid}" in " ".join(map(str, leaders)))
        survivor = next(w for w in workers if w is not killed)
        killed.send_signal(signal.SIGKILL)
        killed.wait(10)
        killed_at = time.monotonic()
        register_renamed(ledger, agent, 20, start=150)
        assert wait_for(
            lambda: all(
                f"listener {survivor.pid}" in str(leader_of(database, k)) for k in keys.values()
            ),
            timeout=10,
        ), "the surviving worker did not take every lease over within seconds"
        took_over = time.monotonic() - killed_at
        assert wait_for(every_follower_at(database, list(keys), ledger.head_position()), 60)
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(10)
    assert took_over < 10
    for projection in (CustomerDirectory(), CustomerHistory()):
        live = table_rows(database, projection.tables[0])
        rebuild(ledger, database, projection, batch_size=1000)
        assert table_rows(database, projection.tables[0]) == live, projection.name


def table_rows(database: Database, table: str) -> list[tuple[Any, ...]]:
    with database.connect() as conn:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def test_the_positions_a_worker_commits_are_announced_in_process_for_what_it_leads(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The read-your-writes news (``worker.applied``): each position the fan-out commits is
    announced once committed, and only the read models whose lease it holds count as led
    here (a wait on the others polls)."""
    with directory_led_elsewhere(ledger, database, agent) as (worker, _, head):
        directory, history = worker.followers
        assert wait_for(lambda: worker.applied.position(history.name) >= head)
        assert positions(database)[history.name] >= head  # announced after its commit
        assert worker.applied.leads(history.name)
        assert not worker.applied.leads(directory.name)
        assert worker.applied.position(directory.name) < head
    assert not worker.applied.leads(history.name), "a stopped worker leads nothing"
