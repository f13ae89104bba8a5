"""A dashboard page's independent reads, side by side: each on its own connection of the read
pool, at most ``width`` of them at once, all inside the page's one slot for expensive work.

The reads of a page do not depend on each other (the version comparison waits for the
breakdown it compares, nothing else), so the page costs its slowest read rather than their
sum, as GraphQL resolves the same fields side by side. Each connection reads its own snapshot:
the figures of one page may be a few milliseconds apart, as a GraphQL answer's fields are.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

T = TypeVar("T")

MOST_AT_ONCE = 4
"""A page's reads at once, at most: a trend, the figures, two breakdowns (the rest are cheap)."""


def page_width(pool_size: int, heavy_slots: int) -> int:
    """Connections one page may hold at once: with every slot for expensive work taken by a
    page, ``heavy_slots`` connections of the pool are still free for cheap queries."""
    return max(1, min(MOST_AT_ONCE, (pool_size - heavy_slots) // max(1, heavy_slots)))


class PageReads:
    """Runs a page's reads on pooled connections, at most ``width`` at once."""

    def __init__(self, pool: AsyncConnectionPool[Any], width: int) -> None:
        self._pool = pool
        self._room = asyncio.Semaphore(width)

    async def one(self, read: Callable[[AsyncConnection[Any]], Awaitable[T]]) -> T:
        """``read`` on a connection of its own, once there is room."""
        async with self._room, self._pool.connection() as conn:
            return await read(conn)

    @asynccontextmanager
    async def together(self) -> AsyncIterator[asyncio.TaskGroup]:
        """A task group whose first failure is raised as itself (a bad time zone is a 400 and
        a busy pool a 503, as when the reads ran one after another); the others are
        cancelled."""
        try:
            async with asyncio.TaskGroup() as group:
                yield group
        except BaseExceptionGroup as failed:
            first: BaseException = failed
            while isinstance(first, BaseExceptionGroup):
                first = first.exceptions[0]
            raise first from None
