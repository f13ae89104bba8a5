"""Read-your-writes waits (graphql_api.position_watch): a wait returns once its read model's
position is reached, not at its timeout; every waiter of a process is served by one poller on
one connection; a position never reached times out; a database that cannot answer fails the
waiters as their own query would have; even a zero timeout answers from a look."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from psycopg_pool import PoolTimeout

from graphql_api.position_watch import PositionWatch
from graphql_api.read_pool import read_pool
from infrastructure.database import Database
from projections.tracking import DDL

LONG = 30.0
"""A timeout no passing wait comes near: the waits below end because positions move."""


def prepared(database: Database) -> None:
    with psycopg.connect(database.conninfo, autocommit=True) as conn:
        conn.execute(DDL)
        conn.execute("INSERT INTO cxl_projection_positions (name, position) VALUES ('a', 0)")
        conn.execute("INSERT INTO cxl_projection_positions (name, position) VALUES ('b', 0)")


async def project(database: Database, name: str, position: int) -> None:
    """What a projection's transaction does to its tracking position."""
    conn = await psycopg.AsyncConnection.connect(database.conninfo, autocommit=True)
    async with conn:
        await conn.execute(
            "UPDATE cxl_projection_positions SET position = %s WHERE name = %s", (position, name)
        )


def test_a_wait_returns_once_its_position_is_projected(database: Database) -> None:
    prepared(database)

    async def scenario() -> list[bool]:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            watch = PositionWatch(pool)
            waiting = asyncio.gather(watch.wait("a", 7, LONG), watch.wait("b", 3, LONG))
            await asyncio.sleep(0.05)
            await project(database, "a", 7)
            await project(database, "b", 5)
            return list(await waiting)

    assert asyncio.run(scenario()) == [True, True]


def test_many_waiters_share_one_poller_on_one_connection(database: Database) -> None:
    prepared(database)

    async def scenario() -> tuple[list[bool], int]:
        async with read_pool(database.conninfo, 4, 3.0) as pool:
            watch = PositionWatch(pool)
            waits = [watch.wait("a", position, LONG) for position in range(1, 21)]
            waiting = asyncio.gather(*waits)
            for position in range(1, 21, 5):
                await asyncio.sleep(0.01)
                await project(database, "a", position + 4)
            reached = list(await waiting)
            return reached, pool.get_stats()["requests_num"]

    reached, connections_lent = asyncio.run(scenario())
    assert reached == [True] * 20
    assert connections_lent == 1


def test_a_position_never_reached_times_out_and_a_later_wait_still_works(
    database: Database,
) -> None:
    prepared(database)

    async def scenario() -> tuple[bool, bool]:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            watch = PositionWatch(pool)
            late = await watch.wait("a", 1, 0.1)
            await project(database, "a", 1)
            return late, await watch.wait("a", 1, LONG)

    assert asyncio.run(scenario()) == (False, True)


def test_a_zero_timeout_still_answers_from_a_look_made_after_the_call(database: Database) -> None:
    prepared(database)

    async def scenario() -> tuple[bool, bool]:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            watch = PositionWatch(pool)
            await project(database, "a", 4)
            return await watch.wait("a", 4, 0.0), await watch.wait("a", 5, 0.0)

    assert asyncio.run(scenario()) == (True, False)


def test_a_read_model_without_a_position_yet_is_not_reached(database: Database) -> None:
    prepared(database)

    async def scenario() -> bool:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            return await PositionWatch(pool).wait("unknown", 0, 0.1)

    assert asyncio.run(scenario()) is False


def test_a_database_that_cannot_answer_fails_every_waiter(database: Database) -> None:
    prepared(database)

    async def scenario() -> None:
        async with read_pool(database.conninfo, 1, 1.0) as pool:
            watch = PositionWatch(pool)
            async with pool.connection():  # every connection is taken meanwhile
                with pytest.raises(PoolTimeout):
                    await asyncio.gather(watch.wait("a", 1, LONG), watch.wait("b", 1, LONG))

    asyncio.run(scenario())
