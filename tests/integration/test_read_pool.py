"""The read pool tells a saturated server from an unreachable database when it times out: with
every connection lent to a request it raises PoolExhaustedError (BUSY for clients); when
connections fail while it waits (the database refuses new ones and the idle ones were cut off)
it raises a plain PoolTimeout (SERVICE_UNAVAILABLE), even though a request still holds one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import PoolTimeout

from graphql_api.read_pool import PoolExhaustedError, ReadPool, read_pool
from infrastructure.database import Database

TIMEOUT = 1.0


def dbname(database: Database) -> str:
    return str(conninfo_to_dict(database.conninfo)["dbname"])


@pytest.fixture
def refusing(database: Database, pg_admin: str) -> Iterator[Database]:
    """The test database; ``refuse_connections`` stops it accepting any, until the test ends."""
    yield database
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(
                sql.Identifier(dbname(database))
            )
        )


def refuse_connections(database: Database, pg_admin: str, keep: int) -> None:
    """New connections to the database are refused, and every session but backend ``keep``
    is ended: as a database restart does to a pool, except for the one still lent."""
    name = dbname(database)
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name))
        )
        # Wait (up to 5 s) for each session to have ended, not only been told to: a pool
        # checking its idle connection a moment earlier would find it still alive.
        admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> %s",
            (name, keep),
        )


async def opened(database: Database, size: int) -> ReadPool:
    pool = read_pool(database.conninfo, size, TIMEOUT)
    await pool.open(wait=True, timeout=10)
    return pool


def test_a_pool_whose_every_connection_is_lent_raises_exhausted_after_its_timeout(
    database: Database,
) -> None:
    async def run() -> tuple[BaseException, float]:
        pool = await opened(database, 2)
        held = [await pool.getconn(), await pool.getconn()]
        started = time.monotonic()
        try:
            await pool.getconn()
        except PoolTimeout as error:
            return error, time.monotonic() - started
        finally:
            for conn in held:
                await pool.putconn(conn)
            await pool.close()
        raise AssertionError("the pool gave a third connection")

    error, waited = asyncio.run(run())
    assert isinstance(error, PoolExhaustedError)
    assert error.retry_after == 1
    assert TIMEOUT - 0.1 <= waited < TIMEOUT + 1.5


def test_connections_failing_while_waiting_mean_unreachable_even_with_one_still_lent(
    refusing: Database, pg_admin: str
) -> None:
    async def run() -> BaseException:
        pool = await opened(refusing, 2)
        held = await pool.getconn()
        async with pool.connection():
            pass  # a second connection, idle in the pool from now on
        refuse_connections(refusing, pg_admin, held.info.backend_pid)
        try:
            await pool.getconn()
        except PoolTimeout as error:
            return error
        finally:
            await pool.putconn(held)
            await pool.close()
        raise AssertionError("the pool connected to a database that refuses connections")

    error = asyncio.run(run())
    assert not isinstance(error, PoolExhaustedError), error
