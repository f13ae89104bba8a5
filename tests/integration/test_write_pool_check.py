"""The write side's pools (the subject keys', the event store's) check a connection as they
hand it out without a round trip unless the server has written to it while it sat idle: a
session the server ended is replaced before a command gets it, a healthy one is handed out as
it is (``infrastructure.pool_check``)."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg

from infrastructure.database import Database
from infrastructure.event_store import EventStoreFactory
from infrastructure.pool_check import check_idle


def test_a_key_pool_connection_whose_session_was_ended_while_idle_is_replaced_before_use(
    database: Database, pg_admin: str
) -> None:
    with database.pool(1, 3.0) as pool:
        with pool.connection() as conn:
            ended = conn.info.backend_pid
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (ended,))
        with pool.connection() as conn:
            row = conn.execute("SELECT pg_backend_pid()").fetchone()
            handed = conn.info.backend_pid
    assert handed != ended
    assert row is not None and row[0] == handed


def test_the_event_store_pool_checks_its_connections_without_a_round_trip_when_idle(
    database: Database,
) -> None:
    factory = EventStoreFactory(database.eventsourcing_env(2))
    try:
        assert factory.datastore.pool._check is check_idle
    finally:
        factory.datastore.close()


def test_a_healthy_idle_connection_passes_the_check_without_a_message_to_the_server(
    database: Database, tmp_path: Path
) -> None:
    trace = tmp_path / "protocol.trace"
    with psycopg.connect(database.conninfo, autocommit=True) as conn:
        conn.execute("SELECT 1")
        with trace.open("w") as sink:
            conn.pgconn.trace(sink.fileno())  # libpq writes each message it sends here
            try:
                check_idle(conn)
            finally:
                conn.pgconn.untrace()
    assert trace.read_text() == ""


def test_a_connection_the_server_wrote_to_while_idle_gets_a_round_trip(
    database: Database, tmp_path: Path
) -> None:
    """The counterpart: a NOTIFY to a listening idle session leaves something to read, and
    then the check asks the server (the message it sends shows in the trace)."""
    trace = tmp_path / "protocol.trace"
    with psycopg.connect(database.conninfo, autocommit=True) as conn:
        conn.execute("LISTEN write_pool_check")
        with psycopg.connect(database.conninfo, autocommit=True) as other:
            other.execute("NOTIFY write_pool_check")
        time.sleep(0.2)  # the notification reaches the idle session's socket
        with trace.open("w") as sink:
            conn.pgconn.trace(sink.fileno())
            try:
                check_idle(conn)
            finally:
                conn.pgconn.untrace()
    assert "Query" in trace.read_text()
