"""The directory's unfiltered pages, and one customer by id, read through libpq on an
autocommit connection (the read pool's): the same rows as psycopg's cursor gives, prepared
once per session under names of their own, prepared again when deallocated, and left to the
cursor where the session is not one this path serves."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

import pytest
import uvloop
from psycopg import AsyncConnection, OperationalError
from psycopg.errors import UndefinedTable

from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from graphql_api.read_pool import ReadConnection, read_pool
from infrastructure.database import Database
from projections.customers.queries import (
    CustomerView,
    DirectoryRows,
    customer_by_id,
    directory_rows,
)
from tests.integration.test_customer_360_projection import populate, project

T = TypeVar("T")
OWN_STATEMENTS = (
    "SELECT name FROM pg_prepared_statements WHERE name LIKE '\\_cxl\\_directory\\_page\\_%'"
    " ORDER BY name"
)


def on_connection(
    database: Database,
    read: Callable[[AsyncConnection[Any]], Awaitable[T]],
    kind: type[AsyncConnection[Any]] = AsyncConnection,
    **options: Any,
) -> T:
    async def run() -> T:
        async with await kind.connect(database.conninfo, **options) as conn:
            return await read(conn)

    return asyncio.run(run())


async def every_unfiltered_page(conn: AsyncConnection[Any]) -> list[DirectoryRows]:
    """Forward from the start and from a cursor, backward from the end and from a cursor,
    every columns and the listed ones, a full page and a short one."""
    pages = []
    for listed_only in (False, True):
        for size in (2, 10):
            pages.append(await directory_rows(conn, size, None, listed_only=listed_only))
            pages.append(await directory_rows(conn, size, 2, listed_only=listed_only))
            pages.append(
                await directory_rows(conn, size, None, backward=True, listed_only=listed_only)
            )
            pages.append(
                await directory_rows(conn, size, 4, backward=True, listed_only=listed_only)
            )
    return pages


async def own_statements(conn: AsyncConnection[Any]) -> list[str]:
    return [row[0] for row in await (await conn.execute(OWN_STATEMENTS)).fetchall()]


@pytest.fixture
def projected(ledger: Ledger, database: Database, agent: EventMetadata) -> Database:
    populate(ledger, agent)
    project(ledger, database)
    return database


KINDS = pytest.mark.parametrize("kind", [AsyncConnection, ReadConnection])
"""A connection awaiting its answer through psycopg's wait, and the read pool's, through its
kept reader (``ReadConnection.readable``)."""


@KINDS
def test_an_autocommit_page_is_the_cursors_page_read_through_its_own_statements(
    projected: Database, kind: type[AsyncConnection[Any]]
) -> None:
    """The same rows (values and types, the id's text of a listed row included) as the
    cursor reads on a connection outside autocommit, twice, with six statements prepared
    once on the session (three directions, by ``listed_only``)."""

    async def read(conn: AsyncConnection[Any]) -> tuple[list[DirectoryRows], list[str]]:
        pages = await every_unfiltered_page(conn)
        pages += await every_unfiltered_page(conn)
        return pages, await own_statements(conn)

    through_cursor = on_connection(projected, every_unfiltered_page)
    direct, prepared = on_connection(projected, read, kind, autocommit=True)
    assert direct == through_cursor + through_cursor
    assert [[type(value) for value in row] for page in direct for row in page.items] == [
        [type(value) for value in row]
        for page in through_cursor + through_cursor
        for row in page.items
    ]
    assert prepared == [f"_cxl_directory_page_{index}" for index in range(6)]
    assert on_connection(projected, own_statements) == []  # the cursor prepares none of them


ONE_CUSTOMER = "SELECT name FROM pg_prepared_statements WHERE name = '_cxl_directory_customer'"


async def customers_and_a_stranger(conn: AsyncConnection[Any]) -> list[CustomerView | None]:
    """Each customer of the directory by id (twice), and an id that is nobody's."""
    ids: list[UUID] = [row[0] for row in (await directory_rows(conn, 50, None)).items]  # ids
    assert ids
    return [await customer_by_id(conn, customer) for customer in [*ids, *ids, uuid4()]]


@KINDS
def test_one_customer_by_id_is_the_cursors_row_read_through_its_own_statement(
    projected: Database, kind: type[AsyncConnection[Any]]
) -> None:
    """``customer_by_id``: the same view (values and types) as the cursor reads outside
    autocommit, None for an unknown id, through its own statement prepared on the session
    (prepared again after a DEALLOCATE ALL); left to the cursor where the session prepares
    nothing."""

    async def read(conn: AsyncConnection[Any]) -> tuple[list[CustomerView | None], int]:
        views = await customers_and_a_stranger(conn)
        await conn.execute("DEALLOCATE ALL")
        again = await customers_and_a_stranger(conn)
        assert again == views
        return views, len(await (await conn.execute(ONE_CUSTOMER)).fetchall())

    through_cursor = on_connection(projected, customers_and_a_stranger)
    assert through_cursor[-1] is None and all(through_cursor[:-1])
    direct, prepared = on_connection(projected, read, kind, autocommit=True)
    assert direct == through_cursor
    assert [type(v) for v in direct] == [type(v) for v in through_cursor]
    for mine, theirs in zip(direct, through_cursor, strict=True):
        if mine is not None and theirs is not None:
            assert [type(getattr(mine, f)) for f in mine.__slots__] == [
                type(getattr(theirs, f)) for f in theirs.__slots__
            ]
    assert prepared == 1

    async def unprepared(conn: AsyncConnection[Any]) -> tuple[list[CustomerView | None], int]:
        views = await customers_and_a_stranger(conn)
        return views, len(await (await conn.execute(ONE_CUSTOMER)).fetchall())

    on_pooler = on_connection(projected, unprepared, autocommit=True, prepare_threshold=None)
    assert on_pooler == (through_cursor, 0)


@KINDS
def test_a_deallocated_statement_is_prepared_again(
    projected: Database, kind: type[AsyncConnection[Any]]
) -> None:
    async def read(conn: AsyncConnection[Any]) -> tuple[DirectoryRows, DirectoryRows, list[str]]:
        first = await directory_rows(conn, 2, None)
        await conn.execute("DEALLOCATE ALL")
        again = await directory_rows(conn, 2, None)
        return first, again, await own_statements(conn)

    first, again, prepared = on_connection(projected, read, kind, autocommit=True)
    assert first == again and len(first.items) == 2
    assert prepared == ["_cxl_directory_page_0"]


def test_a_transaction_block_or_a_session_preparing_nothing_is_left_to_the_cursor(
    projected: Database,
) -> None:
    """Inside ``conn.transaction()`` (a failed statement would abort the block, so a
    deallocated statement could not be prepared again in it) and with ``prepare_threshold``
    None (behind a transaction-mode pooler) the cursor reads the page as before."""

    async def in_block(conn: AsyncConnection[Any]) -> tuple[list[DirectoryRows], list[str]]:
        async with conn.transaction():
            pages = await every_unfiltered_page(conn)
        return pages, await own_statements(conn)

    expected = on_connection(projected, every_unfiltered_page)
    assert on_connection(projected, in_block, autocommit=True) == (expected, [])
    assert on_connection(projected, in_block, autocommit=True, prepare_threshold=None) == (
        expected,
        [],
    )

    async def unprepared(conn: AsyncConnection[Any]) -> tuple[list[DirectoryRows], list[str]]:
        return await every_unfiltered_page(conn), await own_statements(conn)

    assert on_connection(projected, unprepared, autocommit=True, prepare_threshold=None) == (
        expected,
        [],
    )


@KINDS
def test_a_failing_page_raises_psycopgs_error_and_leaves_the_session_usable(
    projected: Database, kind: type[AsyncConnection[Any]]
) -> None:
    async def read(conn: AsyncConnection[Any]) -> tuple[str, DirectoryRows]:
        await directory_rows(conn, 2, None)  # prepared
        await conn.execute("ALTER TABLE customer_directory RENAME TO directory_aside")
        try:
            with pytest.raises(UndefinedTable) as raised:
                await directory_rows(conn, 2, None)
        finally:
            await conn.execute("ALTER TABLE directory_aside RENAME TO customer_directory")
        return str(raised.value), await directory_rows(conn, 2, None)

    message, after = on_connection(projected, read, kind, autocommit=True)
    assert "customer_directory" in message
    assert len(after.items) == 2


@KINDS
def test_a_cancelled_page_is_cancelled_on_the_server_and_the_session_stays_usable(
    projected: Database, kind: type[AsyncConnection[Any]]
) -> None:
    """As psycopg's cursor leaves it: the wait cancelled (a request given up), the query is
    cancelled on the server and its answer drained, so the next page reads normally."""

    async def read(conn: AsyncConnection[Any]) -> tuple[bool, DirectoryRows]:
        await directory_rows(conn, 2, None)  # prepared
        async with await AsyncConnection.connect(projected.conninfo) as locker:
            await locker.execute("LOCK TABLE customer_directory IN ACCESS EXCLUSIVE MODE")
            blocked = asyncio.ensure_future(directory_rows(conn, 2, None))
            await asyncio.sleep(0.3)
            blocked.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await blocked
            cancelled = blocked.cancelled()
            await locker.rollback()
        return cancelled, await directory_rows(conn, 2, None)

    cancelled, after = on_connection(projected, read, kind, autocommit=True)
    assert cancelled
    assert len(after.items) == 2


def watched(conn: AsyncConnection[Any]) -> bool:
    """Whether the running loop has a reader for the connection's socket (taken off to
    tell, and put back). uvloop's ``remove_reader`` does not say whether it removed one:
    there, what the connection believes."""
    loop = asyncio.get_running_loop()
    fd = conn.pgconn.socket
    believed = cast(ReadConnection, conn)._watched is not None
    removed = loop.remove_reader(fd)
    if removed or (removed is None and believed):
        loop.add_reader(fd, cast(ReadConnection, conn)._woken)
    return believed if removed is None else removed


def loop_reader(fd: int) -> bool:
    """Whether the running loop had a reader for ``fd`` (removed); False under uvloop, which
    does not say."""
    return bool(asyncio.get_running_loop().remove_reader(fd))


async def waiting_page(database: Database, conn: AsyncConnection[Any]) -> DirectoryRows:
    """A page held up by a lock for a moment, so that it waits for its answer (its statement
    prepared first: a PREPARE would wait for the lock instead, through psycopg)."""
    await directory_rows(conn, 2, None)
    async with await AsyncConnection.connect(database.conninfo) as locker:
        await locker.execute("LOCK TABLE customer_directory IN ACCESS EXCLUSIVE MODE")
        page = asyncio.ensure_future(directory_rows(conn, 2, None))
        await asyncio.sleep(0.2)
        await locker.rollback()
        return await page


LOOPS = pytest.mark.parametrize("run", [asyncio.run, uvloop.run], ids=["asyncio", "uvloop"])
"""asyncio's own loop and uvloop (the server's)."""


@LOOPS
def test_the_read_pools_connection_keeps_its_reader_between_pages_and_psycopgs_waits(
    projected: Database, run: Callable[[Coroutine[Any, Any, Any]], Any]
) -> None:
    """Registered by a page that had to wait for its answer and kept after it; a psycopg
    statement on the same connection takes it off (psycopg registers and removes its own),
    the next page that waits puts it back; closing the connection takes it off before the
    socket goes. What the connection believes (``_watched``) is what the loop has."""

    async def read() -> list[tuple[bool, bool]]:
        seen = []
        pool = read_pool(projected.conninfo, 1, 5.0)
        await pool.open(wait=True)
        try:
            async with pool.connection() as conn:
                assert isinstance(conn, ReadConnection)
                first = await waiting_page(projected, conn)
                seen.append((conn._watched is not None, watched(conn)))
                await conn.execute("SELECT 1")
                seen.append((conn._watched is not None, watched(conn)))
                assert await waiting_page(projected, conn) == first
                seen.append((conn._watched is not None, watched(conn)))
                fd = conn.pgconn.socket
                await conn.close()
                seen.append((conn._watched is not None, loop_reader(fd)))
        finally:
            await pool.close()
        return seen

    assert run(read()) == [(True, True), (False, False), (True, True), (False, False)]


@LOOPS
def test_a_reader_woken_with_nobody_waiting_takes_itself_off(
    projected: Database, run: Callable[[Coroutine[Any, Any, Any]], Any]
) -> None:
    """The server ends an idle session: its socket turns readable (for good, at its end) with
    no page waiting, and the reader removes itself rather than being called at every turn of
    the loop; the connection is found broken when next lent, as before."""

    async def read() -> tuple[bool, bool, int]:
        async with await ReadConnection.connect(projected.conninfo, autocommit=True) as conn:
            await waiting_page(projected, conn)
            kept = watched(conn)
            async with await AsyncConnection.connect(projected.conninfo, autocommit=True) as admin:
                await admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
            for _ in range(50):
                await asyncio.sleep(0.02)
                if conn._watched is None:
                    break
            gone = conn._watched is None and not watched(conn)
            with pytest.raises(OperationalError):
                await directory_rows(conn, 2, None)
            return kept, gone, len((await fresh_page(projected)).items)

    assert run(read()) == (True, True, 2)


async def fresh_page(database: Database) -> DirectoryRows:
    async with await ReadConnection.connect(database.conninfo, autocommit=True) as conn:
        return await directory_rows(conn, 2, None)


@LOOPS
def test_a_session_lost_during_the_wait_is_closed_and_no_longer_watched(
    projected: Database, run: Callable[[Coroutine[Any, Any, Any]], Any]
) -> None:
    """The server ends the session while a page waits for it (blocked on a lock): the page
    raises psycopg's OperationalError, and the connection is closed, its reader off, before
    the descriptor's number can be another socket's."""

    async def read() -> tuple[bool, bool, bool]:
        conn = await ReadConnection.connect(projected.conninfo, autocommit=True)
        await directory_rows(conn, 2, None)
        fd = conn.pgconn.socket
        async with await AsyncConnection.connect(projected.conninfo) as locker:
            await locker.execute("LOCK TABLE customer_directory IN ACCESS EXCLUSIVE MODE")
            blocked = asyncio.ensure_future(directory_rows(conn, 2, None))
            await asyncio.sleep(0.3)
            async with await AsyncConnection.connect(projected.conninfo, autocommit=True) as admin:
                await admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
            with pytest.raises(OperationalError):
                await blocked
            await locker.rollback()
        return conn.closed, conn._watched is None, loop_reader(fd)

    assert run(read()) == (True, True, False)
