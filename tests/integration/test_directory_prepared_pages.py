"""The directory's unfiltered pages read through libpq on an autocommit connection (the read
pool's): the same rows as psycopg's cursor gives, prepared once per session under names of
their own, prepared again when deallocated, and left to the cursor where the session is not
one this path serves."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from psycopg import AsyncConnection
from psycopg.errors import UndefinedTable

from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from projections.customers.queries import DirectoryRows, directory_rows
from tests.integration.test_customer_360_projection import populate, project

T = TypeVar("T")
OWN_STATEMENTS = (
    "SELECT name FROM pg_prepared_statements WHERE name LIKE '\\_cxl\\_directory\\_page\\_%'"
    " ORDER BY name"
)


def on_connection(
    database: Database,
    read: Callable[[AsyncConnection[Any]], Awaitable[T]],
    **options: Any,
) -> T:
    async def run() -> T:
        async with await AsyncConnection.connect(database.conninfo, **options) as conn:
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


def test_an_autocommit_page_is_the_cursors_page_read_through_its_own_statements(
    projected: Database,
) -> None:
    """The same rows (values and types, the id's text of a listed row included) as the
    cursor reads on a connection outside autocommit, twice, with six statements prepared
    once on the session (three directions, by ``listed_only``)."""

    async def read(conn: AsyncConnection[Any]) -> tuple[list[DirectoryRows], list[str]]:
        pages = await every_unfiltered_page(conn)
        pages += await every_unfiltered_page(conn)
        return pages, await own_statements(conn)

    through_cursor = on_connection(projected, every_unfiltered_page)
    direct, prepared = on_connection(projected, read, autocommit=True)
    assert direct == through_cursor + through_cursor
    assert [[type(value) for value in row] for page in direct for row in page.items] == [
        [type(value) for value in row]
        for page in through_cursor + through_cursor
        for row in page.items
    ]
    assert prepared == [f"_cxl_directory_page_{index}" for index in range(6)]
    assert on_connection(projected, own_statements) == []  # the cursor prepares none of them


def test_a_deallocated_statement_is_prepared_again(projected: Database) -> None:
    async def read(conn: AsyncConnection[Any]) -> tuple[DirectoryRows, DirectoryRows, list[str]]:
        first = await directory_rows(conn, 2, None)
        await conn.execute("DEALLOCATE ALL")
        again = await directory_rows(conn, 2, None)
        return first, again, await own_statements(conn)

    first, again, prepared = on_connection(projected, read, autocommit=True)
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


def test_a_failing_page_raises_psycopgs_error_and_leaves_the_session_usable(
    projected: Database,
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

    message, after = on_connection(projected, read, autocommit=True)
    assert "customer_directory" in message
    assert len(after.items) == 2


def test_a_cancelled_page_is_cancelled_on_the_server_and_the_session_stays_usable(
    projected: Database,
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

    cancelled, after = on_connection(projected, read, autocommit=True)
    assert cancelled
    assert len(after.items) == 2
