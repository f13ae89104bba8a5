"""Requests take turns before they ask the read pool for a connection: at most ``max_size`` ask
psycopg_pool at once, the others wait for a turn in the order they came (not in psycopg_pool's
own queue, whose condition, lock and task per wait cost a tenth of a listed page's CPU), and
are still counted as waiting; a turn given up (timed out, cancelled) is not lost."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from psycopg import AsyncConnection

from graphql_api.read_pool import PoolExhaustedError, ReadPool, read_pool
from infrastructure.database import Database

SIZE = 2


async def opened(database: Database, timeout: float = 10.0) -> ReadPool:
    pool = read_pool(database.conninfo, SIZE, timeout)
    await pool.open(wait=True, timeout=10)
    return pool


async def settle() -> None:
    for _ in range(20):  # let every started task run up to its wait
        await asyncio.sleep(0)


async def both_free(pool: ReadPool) -> None:
    """Every turn is back: ``SIZE`` requests get a connection together, at once."""
    held = await asyncio.wait_for(asyncio.gather(*(pool.getconn() for _ in range(SIZE))), 5)
    for conn in held:
        await pool.putconn(conn)


def test_requests_past_the_pool_size_wait_for_a_turn_in_order_and_are_counted_waiting(
    database: Database,
) -> None:
    async def run() -> tuple[list[str], int, int, int]:
        pool = await opened(database)
        try:
            held = [await pool.getconn(), await pool.getconn()]
            served: list[str] = []

            async def request(name: str) -> None:
                conn = await pool.getconn()
                served.append(name)
                await pool.putconn(conn)

            tasks = []
            for name in ("first", "second", "third"):
                tasks.append(asyncio.create_task(request(name)))
                await settle()
            waiting = pool.get_stats()["requests_waiting"]
            in_psycopg_queue = len(pool._waiting)
            for conn in held:
                await pool.putconn(conn)
            await asyncio.wait_for(asyncio.gather(*tasks), 5)
            await both_free(pool)
            return served, waiting, in_psycopg_queue, pool.get_stats()["requests_queued"]
        finally:
            await pool.close()

    served, waiting, in_psycopg_queue, queued = asyncio.run(run())
    assert served == ["first", "second", "third"]
    assert waiting == 3
    assert in_psycopg_queue == 0
    assert queued >= 3


def test_a_request_that_times_out_waiting_for_a_turn_is_exhausted_and_gives_it_back(
    database: Database,
) -> None:
    async def run() -> BaseException:
        pool = await opened(database, timeout=0.3)
        try:
            held = [await pool.getconn(), await pool.getconn()]
            try:
                await pool.getconn()
            except PoolExhaustedError as error:
                caught: BaseException = error
            else:
                raise AssertionError("a third connection from a pool of two")
            for conn in held:
                await pool.putconn(conn)
            await both_free(pool)
            return caught
        finally:
            await pool.close()

    assert isinstance(asyncio.run(run()), PoolExhaustedError)


async def both_held_two_waiting(
    pool: ReadPool,
) -> tuple[list[AsyncConnection[Any]], asyncio.Task[Any], asyncio.Task[Any]]:
    """Both connections of ``pool`` held, and two requests waiting for a turn, in order: the
    one the test cancels, then the one after it."""
    held = [await pool.getconn(), await pool.getconn()]
    cancelled = asyncio.create_task(pool.getconn())
    await settle()
    after = asyncio.create_task(pool.getconn())
    await settle()
    return held, cancelled, after


def test_a_request_cancelled_while_waiting_for_a_turn_loses_no_turn(database: Database) -> None:
    async def run() -> list[AsyncConnection[Any]]:
        pool = await opened(database)
        try:
            held, cancelled, after = await both_held_two_waiting(pool)
            cancelled.cancel()
            await settle()
            await pool.putconn(held.pop())
            given = await asyncio.wait_for(after, 5)
            await pool.putconn(given)
            await pool.putconn(held.pop())
            await both_free(pool)
            with pytest.raises(asyncio.CancelledError):
                await cancelled
            return held
        finally:
            await pool.close()

    assert asyncio.run(run()) == []


def test_a_checkout_reads_the_failure_counters_without_copying_the_stats(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        pool = await opened(database)
        try:

            def refused() -> dict[str, int]:
                raise AssertionError("get_stats on a checkout")

            monkeypatch.setattr(pool, "get_stats", refused)
            async with pool.connection() as conn:
                await conn.execute("SELECT 1")
        finally:
            await pool.close()

    asyncio.run(run())


def test_a_later_request_with_a_shorter_wait_times_out_first_and_the_other_still_gets_a_turn(
    database: Database,
) -> None:
    async def run() -> tuple[bool, bool]:
        pool = await opened(database)
        try:
            held = [await pool.getconn(), await pool.getconn()]
            patient = asyncio.create_task(pool.getconn(timeout=5.0))
            await settle()
            hasty = asyncio.create_task(pool.getconn(timeout=0.2))
            with pytest.raises(PoolExhaustedError):
                await asyncio.wait_for(hasty, 3)  # before the first one's deadline
            patient_waiting = not patient.done()
            await pool.putconn(held.pop())
            await pool.putconn(await asyncio.wait_for(patient, 3))
            await pool.putconn(held.pop())
            await both_free(pool)
            return patient_waiting, pool.get_stats()["requests_waiting"] == 0
        finally:
            await pool.close()

    assert asyncio.run(run()) == (True, True)


def test_a_turn_handed_to_a_request_cancelled_before_it_ran_goes_to_the_next(
    database: Database,
) -> None:
    async def run() -> None:
        pool = await opened(database)
        try:
            held, cancelled, after = await both_held_two_waiting(pool)
            await pool.putconn(held.pop())  # the turn goes to `cancelled`'s future...
            cancelled.cancel()  # ...which is cancelled before it runs
            await pool.putconn(await asyncio.wait_for(after, 5))
            await pool.putconn(held.pop())
            await both_free(pool)
            with pytest.raises(asyncio.CancelledError):
                await cancelled
        finally:
            await pool.close()

    asyncio.run(run())
