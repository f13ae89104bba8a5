"""A read through the API's pool opens no transaction: each statement stands alone, so a use
of the pool costs no BEGIN and no COMMIT round trip; a caller that needs a transaction still
gets one when it asks."""

from __future__ import annotations

import asyncio

from psycopg.pq import TransactionStatus

from graphql_api.read_pool import read_pool
from infrastructure.database import Database


def test_a_read_leaves_no_transaction_open(database: Database) -> None:
    async def scenario() -> tuple[bool, TransactionStatus]:
        async with read_pool(database.conninfo, 2, 3.0) as pool, pool.connection() as conn:
            await conn.execute("SELECT 1")
            return conn.autocommit, conn.info.transaction_status

    assert asyncio.run(scenario()) == (True, TransactionStatus.IDLE)


def test_an_explicit_transaction_still_holds_its_statements_together(database: Database) -> None:
    async def scenario() -> TransactionStatus:
        async with (
            read_pool(database.conninfo, 2, 3.0) as pool,
            pool.connection() as conn,
            conn.transaction(),
        ):
            await conn.execute("SELECT 1")
            return conn.info.transaction_status

    assert asyncio.run(scenario()) == TransactionStatus.INTRANS
