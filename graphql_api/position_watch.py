"""Read-your-writes waits of one process, answered together.

Before, each waiting request polled the projection positions on its own, with a growing pause
(5, 10, 20, ... 100 ms): 16 mutations at once made 16 pollers, each round costing a pooled
connection's check, a query and a commit, and a write projected just after a poll was seen up
to a pause later (a 40 ms pause for a read model 25 ms behind).

Now one poller per process serves every waiter: while anyone waits it reads the positions of
the read models waited on in one statement, on one connection it holds for the burst
(autocommit: one round trip a look), every ``interval`` seconds, and wakes each waiter whose
position is reached at once. When nobody waits it holds no connection and runs nothing. A
database error during a look is given to every waiter then waiting, as their own poll's would
have been (a SERVICE_UNAVAILABLE answer, see ``graphql_api.unavailable``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from projections.tracking import positions_of

INTERVAL = 0.002
"""Seconds between two looks while someone waits: the most a visible write waits to be seen.
A look is one indexed read of a few rows."""


def _future() -> asyncio.Future[None]:
    return asyncio.get_running_loop().create_future()


@dataclass(eq=False)
class _Waiter:
    name: str
    position: int
    reached: asyncio.Future[None] = field(default_factory=_future)
    looked: asyncio.Future[None] = field(default_factory=_future)
    """Done once a look that began after this waiter came has ended."""


class PositionWatch:
    """Waits until projections reach positions; one poller for the whole process."""

    def __init__(self, pool: AsyncConnectionPool[Any], interval: float = INTERVAL) -> None:
        self._pool = pool
        self._interval = interval
        self._waiters: set[_Waiter] = set()
        self._poller: asyncio.Task[None] | None = None

    async def wait(self, name: str, position: int, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) until projection ``name`` has applied
        ``position``; True if it has. However short the timeout, the answer comes from at
        least one look made after the call (a timeout of 0 asks: is it visible now?)."""
        waiter = _Waiter(name, position)
        self._waiters.add(waiter)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="read-your-writes poller")
        try:
            await asyncio.wait_for(asyncio.shield(waiter.reached), timeout)
        except TimeoutError:
            await asyncio.shield(waiter.looked)
            if not waiter.reached.done():
                return False
            waiter.reached.result()  # a failed look raises here
        finally:
            self._waiters.discard(waiter)
        return True

    async def _poll(self) -> None:
        # Checked again after the connection went back (that awaits): a waiter that came
        # meanwhile saw this poller running and started none.
        while self._waiters:
            try:
                async with self._pool.connection() as conn, _autocommit(conn):
                    while self._waiters:
                        looking = list(self._waiters)  # who came later waits for the next
                        names = sorted({waiter.name for waiter in looking})
                        self._wake_reached(looking, await positions_of(conn, names))
                        if self._waiters:
                            await asyncio.sleep(self._interval)
            except Exception as error:  # each waiter's own query would have raised it
                for waiter in self._waiters:
                    waiter.reached.set_exception(error)
                    if not waiter.looked.done():
                        waiter.looked.set_result(None)
                self._waiters.clear()

    def _wake_reached(self, looking: list[_Waiter], positions: dict[str, int]) -> None:
        for waiter in looking:
            if waiter in self._waiters and positions.get(waiter.name, -1) >= waiter.position:
                waiter.reached.set_result(None)
                self._waiters.discard(waiter)
            if not waiter.looked.done():
                waiter.looked.set_result(None)


@contextlib.asynccontextmanager
async def _autocommit(conn: AsyncConnection[Any]) -> Any:
    """Each look its own statement, no transaction left open between looks; the connection
    goes back to the pool as it came."""
    was = conn.autocommit
    await conn.set_autocommit(True)
    try:
        yield
    finally:
        if not conn.closed:
            await conn.set_autocommit(was)
