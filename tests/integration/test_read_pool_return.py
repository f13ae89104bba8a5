"""The read pool takes an idle connection back itself (``ReadPool._returned_at_once``), as
psycopg_pool's ``putconn`` would, and leaves every other case to that ``putconn``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool

from graphql_api.read_pool import read_pool
from infrastructure.database import Database
from tests.support.read_pools import end_an_idle_session


@pytest.fixture
def pool_putconn_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = AsyncConnectionPool.putconn

    async def counted(self: Any, conn: Any) -> None:
        calls.append(1)
        await original(self, conn)

    monkeypatch.setattr(AsyncConnectionPool, "putconn", counted)
    return calls


def test_an_idle_connection_goes_back_without_psycopg_pools_putconn(
    database: Database, pool_putconn_calls: list[int]
) -> None:
    async def run() -> tuple[int, int, int]:
        pool = read_pool(database.conninfo, 2, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            pids = []
            for _ in range(3):
                async with pool.connection() as conn:
                    await conn.execute("SELECT 1")
                    pids.append(conn.info.backend_pid)
                assert conn._pool is None  # unmarked, as psycopg_pool unmarks it
                assert conn in pool._pool  # ready for the next request
                assert not conn.closed
            assert len(set(pids)) == 1  # the same connection, handed out again
            return pool._lent, pool._free_turns, len(pool._pool)
        finally:
            await pool.close()

    lent, free_turns, ready = asyncio.run(run())
    assert pool_putconn_calls == []
    assert (lent, free_turns) == (0, 2)
    assert ready >= 1


def test_a_connection_left_in_a_transaction_is_rolled_back_by_psycopg_pool(
    database: Database, pool_putconn_calls: list[int]
) -> None:
    async def run() -> tuple[bool, int]:
        pool = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            conn = await pool.getconn()
            await conn.execute("BEGIN")
            await conn.execute("SELECT 1")
            await pool.putconn(conn)
            back = conn in pool._pool
            return back, conn.pgconn.transaction_status
        finally:
            await pool.close()

    back, status = asyncio.run(run())
    assert pool_putconn_calls == [1]
    assert back
    assert status == TransactionStatus.IDLE


def test_an_expired_connection_is_closed_and_replaced_by_psycopg_pool(
    database: Database, pool_putconn_calls: list[int]
) -> None:
    async def run() -> tuple[bool, bool, int, int]:
        pool = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            async with pool.connection() as conn:
                first = conn.info.backend_pid
                conn._expire_at = 0.0  # past its best before date
            closed, kept = conn.closed, conn in pool._pool
            async with pool.connection() as again:
                second = again.info.backend_pid
            return closed, kept, first, second
        finally:
            await pool.close()

    closed, kept, first, second = asyncio.run(run())
    assert pool_putconn_calls == [1]  # the expired one; its replacement came back idle
    assert closed and not kept
    assert first != second


def test_with_the_lock_held_psycopg_pool_takes_it_back(
    database: Database, pool_putconn_calls: list[int]
) -> None:
    async def run() -> bool:
        pool = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            conn = await pool.getconn()
            async with pool._lock:
                returning = asyncio.ensure_future(pool.putconn(conn))
                await asyncio.sleep(0.05)
                assert not returning.done()  # waiting for the lock, in psycopg_pool
            await returning
            return conn in pool._pool
        finally:
            await pool.close()

    assert asyncio.run(run())
    assert pool_putconn_calls == [1]


def test_a_request_waiting_in_psycopg_pools_queue_is_handed_the_connection(
    database: Database, pool_putconn_calls: list[int]
) -> None:
    async def run() -> tuple[int, int, int]:
        pool = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            conn = await pool.getconn()
            # psycopg_pool's own getconn, past the turns: it queues while none is ready.
            waiting = asyncio.ensure_future(AsyncConnectionPool.getconn(pool, 3.0))
            await asyncio.sleep(0.05)
            assert not waiting.done() and len(pool._waiting) == 1
            await pool.putconn(conn)
            handed = await asyncio.wait_for(waiting, 3.0)
            ready = len(pool._pool)
            await AsyncConnectionPool.putconn(pool, handed)
            return handed.info.backend_pid, conn.info.backend_pid, ready
        finally:
            await pool.close()

    handed, returned, ready = asyncio.run(run())
    assert handed == returned  # the waiter got it; it never went into the deque
    assert ready == 0
    assert pool_putconn_calls[:1] == [1]


def test_another_pools_connection_is_refused_as_psycopg_pool_refuses_it(
    database: Database,
) -> None:
    async def run() -> None:
        pool = read_pool(database.conninfo, 1, 3.0)
        other = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        await other.open(wait=True, timeout=10)
        try:
            conn = await other.getconn()
            with pytest.raises(ValueError, match="can't return connection"):
                await pool.putconn(conn)
            await other.putconn(conn)
        finally:
            await pool.close()
            await other.close()

    asyncio.run(run())


def test_a_connection_given_back_to_a_closed_pool_is_closed(database: Database) -> None:
    async def run() -> bool:
        pool = read_pool(database.conninfo, 2, 3.0)
        await pool.open(wait=True, timeout=10)
        conn = await pool.getconn()
        await pool.close(timeout=0.1)
        await pool.putconn(conn)
        return conn.closed

    assert asyncio.run(run())


def test_the_server_ending_an_idle_session_still_replaces_it(
    database: Database, pg_admin: str
) -> None:
    async def run() -> tuple[int, int]:
        pool = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            ended = await end_an_idle_session(pool, pg_admin)
            await asyncio.sleep(0.1)
            async with pool.connection() as conn:
                return ended, conn.info.backend_pid
        finally:
            await pool.close()

    ended, handed = asyncio.run(run())
    assert handed != ended
