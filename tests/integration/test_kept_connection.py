"""The log writer keeps the connection of its last batch for the next one
(``infrastructure.kept_connection``), and gives it back to the pool whenever the pool's own
rules must apply again: a broken connection, a failed batch, a client waiting, a small pool,
an old take, the event store closing."""

from __future__ import annotations

import threading
import time
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from domain.ledger import Ledger
from infrastructure import kept_connection
from infrastructure.database import Database
from infrastructure.kept_connection import KeptConnection
from infrastructure.log_writer import CommandWrite, GroupCommittedLog


def an_event() -> StoredEvent:
    return StoredEvent(uuid4(), 1, "test:Happened", b"{}")


def writer_pid(recorder: GroupCommittedLog) -> int:
    """The server process of the connection the writer keeps (there must be one)."""
    conn = recorder._writer._conn
    assert conn is not None
    return conn.info.backend_pid


def log_of(ledger: Ledger) -> GroupCommittedLog:
    assert isinstance(ledger.recorder, GroupCommittedLog)
    return ledger.recorder


def test_consecutive_batches_are_written_on_the_same_kept_connection(ledger: Ledger) -> None:
    recorder = log_of(ledger)
    recorder.insert_events([an_event()])
    first = writer_pid(recorder)
    recorder.insert_events([an_event()])
    assert writer_pid(recorder) == first


def test_a_kept_connection_the_server_ended_is_replaced_before_the_next_batch(
    ledger: Ledger, pg_admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No batch is tried on the ended session (and retried after a pause): the check before
    the batch gives it back, and the pool replaces it."""
    recorder = log_of(ledger)
    recorder.insert_events([an_event()])
    ended = writer_pid(recorder)
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (ended,))
    tried_on: list[int] = []
    write = recorder._write_batch_on

    def spied(conn: psycopg.Connection[Any], batch: list[CommandWrite]) -> Any:
        tried_on.append(conn.info.backend_pid)
        return write(conn, batch)

    monkeypatch.setattr(recorder, "_write_batch_on", spied)
    assert recorder.insert_events([an_event()])
    assert len(tried_on) == 1 and tried_on[0] != ended
    assert writer_pid(recorder) == tried_on[0]


def test_a_connection_a_batch_failed_on_goes_back_to_the_pool(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = log_of(ledger)
    recorder.insert_events([an_event()])
    failed_on = recorder._writer._conn
    assert failed_on is not None

    def broken(conn: object, batch: object) -> object:
        raise psycopg.OperationalError("the server went away mid-batch")

    monkeypatch.setattr(recorder, "_write_batch_on", broken)
    monkeypatch.setattr("infrastructure.event_store.PAUSE", 0.0)  # the retries' pause
    with pytest.raises(Exception, match="went away"):
        recorder.insert_events([an_event()])
    assert recorder._writer._conn is None
    assert failed_on.info.backend_pid in idle_pids(recorder)


def idle_pids(recorder: GroupCommittedLog) -> set[int]:
    """The server processes of the connections idle in the event store's pool."""
    return {conn.info.backend_pid for conn in recorder.datastore.pool._pool}


def test_the_kept_connection_goes_to_a_client_waiting_for_the_pool(database: Database) -> None:
    with database.pool(3, 5.0) as pool:
        writer: KeptConnection[psycopg.Connection[object]] = KeptConnection()
        others = [pool.getconn(), pool.getconn()]
        mine = writer.take(pool)  # the pool's last connection
        waiting = threading.Thread(target=lambda: pool.putconn(pool.getconn()))
        waiting.start()
        deadline = time.monotonic() + 5
        while not pool._waiting:
            assert time.monotonic() < deadline, "the client never waited"
            time.sleep(0.005)
        assert writer.keep(pool, mine) is False  # the caller gives it back
        pool.putconn(mine)
        waiting.join(5)
        assert not waiting.is_alive()
        for conn in others:
            pool.putconn(conn)


def test_a_small_pool_gets_the_writers_connection_back_after_every_batch(
    database: Database,
) -> None:
    with database.pool(2, 5.0) as pool:
        writer: KeptConnection[psycopg.Connection[object]] = KeptConnection()
        conn = writer.take(pool)
        assert writer.keep(pool, conn) is False
        pool.putconn(conn)


def test_a_connection_kept_too_long_passes_through_the_pool_again(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database.pool(4, 5.0) as pool:
        writer: KeptConnection[psycopg.Connection[object]] = KeptConnection()
        conn = writer.take(pool)
        assert writer.keep(pool, conn) is True
        assert writer.take(pool) is conn  # within its time: kept
        assert writer.keep(pool, conn) is True
        monkeypatch.setattr(kept_connection, "KEPT_FOR_AT_MOST", 0.0)
        again = writer.take(pool)  # given back, then taken from the pool's front
        assert pool.get_stats()["requests_num"] == 2
        writer.give_back(pool)
        pool.putconn(again)


def test_closing_the_event_store_gives_the_kept_connection_back_before_the_pool_closes(
    ledger: Ledger,
) -> None:
    recorder = log_of(ledger)
    recorder.insert_events([an_event()])
    kept = recorder._writer._conn
    assert kept is not None
    ledger.factory.close()
    assert kept.closed


def test_a_client_finding_no_idle_connection_gets_the_kept_one_at_once(
    database: Database,
) -> None:
    """With the pool's other connections all in use and no batch to come, a client asking for
    one is handed the writer's kept connection, not left waiting for the pool's timeout."""
    with database.pool(3, 5.0) as pool:
        opened = [pool.getconn() for _ in range(3)]  # the pool at its bound, all idle after
        for conn in opened:
            pool.putconn(conn)
        writer: KeptConnection[psycopg.Connection[object]] = KeptConnection()
        writer.lend_on_demand(pool)
        mine = writer.take(pool)
        assert writer.keep(pool, mine) is True
        others = [pool.getconn(), pool.getconn()]  # the pool's other two
        handed = pool.getconn(timeout=0.5)  # would raise PoolTimeout if it had to wait
        assert handed is mine
        assert writer._conn is None
        for conn in [*others, handed]:
            pool.putconn(conn)
