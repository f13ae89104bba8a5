"""The read pool checks a connection as it hands it out without a round trip unless the
server has written to it while it sat idle: a session the server ended (a restart,
``pg_terminate_backend``) is replaced before a request gets it, and a healthy one is handed
out as it is."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import psycopg

from graphql_api.read_pool import check_idle, read_pool
from infrastructure.database import Database
from tests.support.read_pools import end_an_idle_session


def test_a_connection_whose_session_was_ended_while_idle_is_replaced_before_use(
    database: Database, pg_admin: str
) -> None:
    async def run() -> tuple[int, int, int]:
        pool = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            ended = await end_an_idle_session(pool, pg_admin)
            async with pool.connection() as conn:
                row = await (await conn.execute("SELECT pg_backend_pid()")).fetchone()
            return ended, conn.info.backend_pid, row[0] if row else -1
        finally:
            await pool.close()

    ended, handed, answered = asyncio.run(run())
    assert handed != ended
    assert answered == handed


def test_a_healthy_idle_connection_passes_the_check_without_a_message_to_the_server(
    database: Database, tmp_path: Path
) -> None:
    trace = tmp_path / "protocol.trace"

    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(
            database.conninfo, autocommit=True
        ) as conn:
            await conn.execute("SELECT 1")
            with trace.open("w") as sink:
                conn.pgconn.trace(sink.fileno())  # libpq writes each message it sends here
                try:
                    await check_idle(conn)
                finally:
                    conn.pgconn.untrace()

    asyncio.run(run())
    assert trace.read_text() == ""


def test_a_connection_the_server_wrote_to_while_idle_gets_a_round_trip(
    database: Database, tmp_path: Path
) -> None:
    """The counterpart: a NOTIFY to a listening idle session leaves something to read, and
    then the check asks the server (the message it sends shows in the trace)."""
    trace = tmp_path / "protocol.trace"

    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(
            database.conninfo, autocommit=True
        ) as conn:
            await conn.execute("LISTEN read_pool_check")
            with psycopg.connect(database.conninfo, autocommit=True) as other:
                other.execute("NOTIFY read_pool_check")
            await asyncio.sleep(0.2)  # the notification reaches the idle session's socket
            with trace.open("w") as sink:
                conn.pgconn.trace(sink.fileno())
                try:
                    await check_idle(conn)
                finally:
                    conn.pgconn.untrace()

    asyncio.run(run())
    assert "Query" in trace.read_text()


def test_a_connection_numbered_past_1023_is_checked_without_failing(database: Database) -> None:
    """A process holding more than a thousand descriptors (live subscriptions' sockets) gets
    connections numbered past select's limit of 1023: the check still hands them out."""
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1030)]

    async def run() -> int:
        async with await psycopg.AsyncConnection.connect(
            database.conninfo, autocommit=True
        ) as conn:
            await check_idle(conn)
            row = await (await conn.execute("SELECT 1")).fetchone()
            assert row == (1,)
            return conn.fileno()

    try:
        number = asyncio.run(run())
    finally:
        for descriptor in held:
            os.close(descriptor)
    assert number > 1023
