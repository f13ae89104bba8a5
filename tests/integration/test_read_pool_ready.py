"""The read pool hands out a ready connection itself (``ReadPool._ready_connection``), with
psycopg_pool's counts and checks, and leaves every other case to psycopg_pool's ``getconn``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool, PoolClosed

from graphql_api.read_pool import read_pool
from infrastructure.database import Database
from tests.support.read_pools import end_an_idle_session


@pytest.fixture
def pool_getconn_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = AsyncConnectionPool.getconn

    async def counted(self: Any, timeout: float | None = None) -> Any:
        calls.append(1)
        return await original(self, timeout)

    monkeypatch.setattr(AsyncConnectionPool, "getconn", counted)
    return calls


def test_a_ready_connection_is_handed_out_and_counted_as_psycopg_pool_counts(
    database: Database, pool_getconn_calls: list[int]
) -> None:
    async def run() -> dict[str, int]:
        pool = read_pool(database.conninfo, 2, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            for _ in range(3):
                async with pool.connection() as conn:
                    assert conn._pool is pool  # lent: psycopg_pool's mark
                    await conn.execute("SELECT 1")
                assert conn._pool is None  # back in the pool
            return pool.get_stats()
        finally:
            await pool.close()

    stats = asyncio.run(run())
    assert pool_getconn_calls == []  # every one was ready
    assert stats["requests_num"] == 3
    assert stats.get("connections_lost", 0) == 0


def test_with_the_lock_held_psycopg_pool_hands_it_out(
    database: Database, pool_getconn_calls: list[int]
) -> None:
    async def run() -> None:
        pool = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            async with pool._lock:
                getting = asyncio.ensure_future(pool.getconn())
                await asyncio.sleep(0.05)
                assert not getting.done()  # waiting for the lock, in psycopg_pool
            conn = await getting
            await pool.putconn(conn)
            assert pool.get_stats()["requests_num"] == 1
        finally:
            await pool.close()

    asyncio.run(run())
    assert pool_getconn_calls == [1]


def test_a_broken_ready_connection_is_replaced_and_the_request_counted_once(
    database: Database, pg_admin: str
) -> None:
    async def run() -> tuple[int, int, dict[str, int]]:
        pool = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        try:
            ended = await end_an_idle_session(pool, pg_admin)
            await asyncio.sleep(0.1)  # the end of the session reaches the socket
            async with pool.connection() as conn:
                handed = conn.info.backend_pid
            return ended, handed, pool.get_stats()
        finally:
            await pool.close()

    ended, handed, stats = asyncio.run(run())
    assert handed != ended
    assert stats["requests_num"] == 2
    assert stats["connections_lost"] == 1


def test_a_closed_pool_refuses_as_psycopg_pool_does(database: Database) -> None:
    async def run() -> None:
        pool = read_pool(database.conninfo, 1, 3.0)
        await pool.open(wait=True, timeout=10)
        await pool.close()
        with pytest.raises(PoolClosed):
            await pool.getconn()

    asyncio.run(run())
