"""``ReadPool.connection()`` lends as psycopg_pool's context does: a block's work is committed
when it succeeds and rolled back when it raises, the connection goes back either way and its
time of use is counted; only the commit of a session with nothing to commit is skipped."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from psycopg import AsyncConnection

from graphql_api.read_pool import ReadPool, read_pool
from infrastructure.database import Database


async def _visible(pool: ReadPool, table: str) -> int:
    async with pool.connection() as conn:
        row = await (await conn.execute(f"SELECT count(*) FROM {table}")).fetchone()
        return int(row[0]) if row else 0


def test_a_block_left_in_a_transaction_is_committed_or_rolled_back(database: Database) -> None:
    table = f"lent_{uuid.uuid4().hex[:8]}"

    async def write(pool: ReadPool, fail: bool) -> AsyncConnection:
        async with pool.connection() as conn:
            await conn.set_autocommit(False)
            await conn.execute(f"INSERT INTO {table} VALUES (1)")
            if fail:
                raise RuntimeError("the block fails")
            return conn

    async def scenario() -> tuple[int, int, dict[str, int]]:
        async with read_pool(database.conninfo, 1, 3.0) as pool:
            async with pool.connection() as conn:
                await conn.execute(f"CREATE TABLE {table} (n int)")
            await write(pool, fail=False)
            committed = await _visible(pool, table)
            with pytest.raises(RuntimeError):
                await write(pool, fail=True)
            after_failure = await _visible(pool, table)
            async with pool.connection() as conn:
                await conn.set_autocommit(True)
                await conn.execute(f"DROP TABLE {table}")
            return committed, after_failure, pool.get_stats()

    committed, after_failure, stats = asyncio.run(scenario())
    assert (committed, after_failure) == (1, 1)
    assert stats["requests_num"] == 6 and "usage_ms" in stats


def test_an_idle_session_goes_back_without_a_commit(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits: list[object] = []
    real = AsyncConnection.commit

    async def counted(self: AsyncConnection) -> None:
        commits.append(self)
        await real(self)

    monkeypatch.setattr(AsyncConnection, "commit", counted)

    async def scenario() -> int:
        async with read_pool(database.conninfo, 1, 3.0) as pool:
            for _ in range(3):
                async with pool.connection() as conn:
                    await conn.execute("SELECT 1")
            return pool.get_stats().get("connections_num", 0)

    asyncio.run(scenario())
    assert commits == []
