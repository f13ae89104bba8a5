"""Read-your-writes waits (graphql_api.position_watch): a wait returns once its read model's
position is reached, not at its timeout; every waiter of a process is served by one poller on
one connection; a position never reached times out; a database that cannot answer fails the
waiters as their own query would have; even a zero timeout answers from a look. With news of
the process's own commits (projections.applied), a wait on a read model led here wakes on the
news, a position moved elsewhere is still seen by the backstop look, and a read model another
process leads is polled as before."""

from __future__ import annotations

import asyncio
import threading

import psycopg
import pytest
from psycopg_pool import PoolTimeout

from graphql_api.position_watch import PositionWatch
from graphql_api.read_pool import read_pool
from infrastructure.database import Database
from projections.applied import AppliedPositions
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


def led_here(*names: str) -> AppliedPositions:
    applied = AppliedPositions()
    applied.lead(names)
    return applied


def announced(applied: AppliedPositions, name: str, position: int) -> None:
    """What the worker's thread does once a projection's batch has committed."""
    thread = threading.Thread(target=applied.announce, args=(name, position))
    thread.start()
    thread.join()


def test_news_of_a_commit_wakes_a_wait_without_a_look_at_the_table(database: Database) -> None:
    """The positions table is not moved and the backstop is longer than the test's bound:
    only the announcement from the worker's thread can answer."""
    prepared(database)

    async def scenario() -> bool:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            applied = led_here("a")
            watch = PositionWatch(pool, applied=applied, backstop=LONG)
            waiting = asyncio.ensure_future(watch.wait("a", 7, LONG))
            await asyncio.sleep(0.05)
            announced(applied, "a", 6)  # not yet
            await asyncio.sleep(0.05)
            assert not waiting.done()
            announced(applied, "a", 7)
            return await asyncio.wait_for(waiting, LONG / 3)

    assert asyncio.run(scenario()) is True


def test_news_heard_before_the_wait_answers_it_without_a_connection(database: Database) -> None:
    """A write projected before its mutation began to wait (a fast worker): the news already
    says so, and no look is made."""
    prepared(database)

    async def scenario() -> tuple[bool, int]:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            applied = led_here("a")
            announced(applied, "a", 9)
            watch = PositionWatch(pool, applied=applied, backstop=LONG)
            return await watch.wait("a", 9, 0.0), pool.get_stats().get("requests_num", 0)

    assert asyncio.run(scenario()) == (True, 0)


def test_a_position_moved_by_another_process_is_seen_by_the_backstop(database: Database) -> None:
    """A read model led here whose position another process moved (a lease taken over, a
    rebuild's switch) is never announced here: the backstop look sees it."""
    prepared(database)

    async def scenario() -> bool:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            watch = PositionWatch(pool, applied=led_here("a"), backstop=0.05)
            waiting = asyncio.ensure_future(watch.wait("a", 3, LONG))
            await asyncio.sleep(0.05)
            await project(database, "a", 3)
            return await asyncio.wait_for(waiting, LONG / 3)

    assert asyncio.run(scenario()) is True


def test_a_position_a_look_finds_moved_elsewhere_moves_the_count_before_the_wait_ends(
    database: Database,
) -> None:
    """The count of the read model's changes (projections.row_cache keeps reads under it)
    has moved by the time the woken request reads: a page kept from before another
    process's write is not what it reads."""
    prepared(database)
    applied = led_here("a")
    before = applied.rows_generation("a")

    async def scenario() -> int | None:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            watch = PositionWatch(pool, applied=applied, backstop=0.05)
            waiting = asyncio.ensure_future(watch.wait("a", 3, LONG))
            await asyncio.sleep(0.05)
            await project(database, "a", 3)
            assert await asyncio.wait_for(waiting, LONG / 3)
            return applied.rows_generation("a")

    after = asyncio.run(scenario())
    assert before is not None and after is not None and after > before


def test_a_read_model_led_elsewhere_is_polled_though_news_is_heard(database: Database) -> None:
    """News comes only of what this process applies: a wait on another read model polls at
    the interval, not the backstop (here longer than the test's bound)."""
    prepared(database)

    async def scenario() -> list[bool]:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            applied = led_here("a")
            watch = PositionWatch(pool, applied=applied, backstop=LONG)
            waiting = asyncio.gather(watch.wait("a", 1, LONG), watch.wait("b", 4, LONG))
            await asyncio.sleep(0.05)
            await project(database, "b", 4)
            announced(applied, "a", 1)
            return list(await asyncio.wait_for(waiting, LONG / 3))

    assert asyncio.run(scenario()) == [True, True]


def test_a_zero_timeout_with_news_still_answers_from_a_look(database: Database) -> None:
    """Nothing announced, the table moved: a wait that may not wait looks at once rather
    than after the backstop."""
    prepared(database)

    async def scenario() -> tuple[bool, bool]:
        async with read_pool(database.conninfo, 2, 3.0) as pool:
            watch = PositionWatch(pool, applied=led_here("a"), backstop=LONG)
            await project(database, "a", 4)
            seen = await asyncio.wait_for(watch.wait("a", 4, 0.0), LONG / 3)
            return seen, await asyncio.wait_for(watch.wait("a", 5, 0.0), LONG / 3)

    assert asyncio.run(scenario()) == (True, False)
