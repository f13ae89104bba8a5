"""A pipeline ends with its Sync (:mod:`infrastructure.pipeline_exit`): a Flush sent after it
re-linked a transaction-mode PgBouncer's server session to a client that had finished, and every
other client waited out PgBouncer's queue timeout. The messages the client sends are read from
libpq's protocol trace."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg import Connection
from psycopg._pipeline_base import BasePipeline

from infrastructure.database import Database
from tests.support.pgbouncer import pgbouncer_in_front_of

SLOW = "SELECT pg_sleep(0.05), %s::int AS n"
"""A statement still running when the client has sent its Sync (so psycopg's own exit would
have sent a Flush for it)."""


@pytest.fixture
def conn(database: Database) -> Iterator[Connection[Any]]:
    with psycopg.connect(database.conninfo, autocommit=True) as connection:
        yield connection


def sent_messages(conn: Connection[Any], work: Callable[[], None]) -> list[str]:
    """The names of the protocol messages ``conn`` sends while ``work`` runs."""
    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            work()
        finally:
            conn.pgconn.untrace()
        trace.seek(0)
        lines = trace.read().splitlines()
    return [line.split("\t")[2] for line in lines if line.startswith("F\t")]


def test_a_pipeline_sends_nothing_after_its_sync_and_gets_every_result(
    conn: Connection[Any],
) -> None:
    """Pins: the pipeline's last message is its Sync (no Flush after it), and the results of
    its statements still reach their cursors."""
    cursors = []

    def work() -> None:
        with conn.pipeline():
            cursors.append(conn.execute(SLOW, (1,)))
            cursors.append(conn.execute(SLOW, (2,)))

    sent = sent_messages(conn, work)
    assert sent[-1] == "Sync"
    assert "Flush" not in sent
    assert [cursor.fetchone()[1] for cursor in cursors] == [1, 2]  # type: ignore[index]


def test_executemany_sends_nothing_after_its_sync(conn: Connection[Any]) -> None:
    """Pins: ``executemany`` (which psycopg runs in a pipeline of its own) ends with its Sync."""
    conn.execute("CREATE TEMPORARY TABLE numbers (n int)")

    def work() -> None:
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO numbers SELECT %s FROM pg_sleep(0.02)", [(1,), (2,)])

    sent = sent_messages(conn, work)
    assert sent[-1] == "Sync"
    assert "Flush" not in sent
    assert conn.execute("SELECT count(*) FROM numbers").fetchone() == (2,)


def test_a_failing_pipeline_raises_and_leaves_the_connection_usable(
    conn: Connection[Any],
) -> None:
    """Pins the error path: a statement that fails in the pipeline raises its own error at the
    pipeline's end, and the connection serves the next statement."""
    with pytest.raises(psycopg.errors.DivisionByZero), conn.pipeline():
        conn.execute(SLOW, (1,))
        conn.execute("SELECT 1 / 0")
        conn.execute(SLOW, (3,))
    assert conn.execute("SELECT 42").fetchone() == (42,)


def test_behind_pgbouncer_a_client_descheduled_after_its_sync_holds_no_server_session(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pins the stall this module's fix ends: a client whose thread pauses between sending its
    pipeline's Sync and reading its results (a loaded machine; simulated by a sleep) leaves
    PgBouncer's only server session free for the next client. With psycopg's own exit, the
    Flush sent after the pause re-linked the session and the next client waited out the queue
    timeout (19 of 20 pipelines, measured)."""
    reading = BasePipeline._fetch_gen

    def descheduled(self: BasePipeline, *, flush: bool) -> Any:
        time.sleep(0.05)  # longer than the statement: its ReadyForQuery is back meanwhile
        return (yield from reading(self, flush=flush))

    monkeypatch.setattr(BasePipeline, "_fetch_gen", descheduled)
    with pgbouncer_in_front_of(
        database.conninfo, server_connections=1, query_wait_timeout=2
    ) as pooled:
        kwargs: dict[str, Any] = {"autocommit": True, "prepare_threshold": None}
        with psycopg.connect(pooled, **kwargs) as first, psycopg.connect(pooled, **kwargs) as other:
            for n in range(3):
                with first.pipeline():
                    first.execute("SELECT pg_sleep(0.01)")
                assert other.execute("SELECT %s::int", (n,)).fetchone() == (n,)
