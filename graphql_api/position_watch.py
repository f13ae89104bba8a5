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

When the read models are applied in this process and read from the same database, the
thread applying them announces each committed position (``applied``, a
:class:`projections.applied.AppliedPositions`): a waiter is woken by that news as soon as its
read model commits, and the poller looks only every ``backstop`` seconds while every waiter's
read model is led here (a position moved by another process: a lease taken over, a rebuild).
A waiter on a read model another process applies is polled for as before. With a read replica
the news must not be used (the primary having committed a position says nothing of what the
standby shows): the app gives none, and every wait polls the standby.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from projections.applied import AppliedPositions
from projections.tracking import positions_of

INTERVAL = 0.002
"""Seconds between two looks while someone waits: the most a visible write waits to be seen.
A look is one indexed read of a few rows."""
BACKSTOP = 0.05
"""Seconds between two looks while every waiter's read model is applied in this process (its
commits are announced): only a position moved elsewhere waits this long."""


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

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        interval: float = INTERVAL,
        applied: AppliedPositions | None = None,
        backstop: float = BACKSTOP,
    ) -> None:
        self._pool = pool
        self._interval = interval
        self._backstop = backstop
        self._applied = applied
        self._waiters: set[_Waiter] = set()
        self._waited_on: dict[str, int] = {}
        """How many waiters wait on each read model: read by the announcing thread."""
        self._poller: asyncio.Task[None] | None = None
        self._look_now = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe = applied.subscribe(self._heard) if applied is not None else None

    def close(self) -> None:
        """Hear no more news (the app is stopping)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    async def wait(self, name: str, position: int, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) until projection ``name`` has applied
        ``position``; True if it has. However short the timeout, the answer comes from at
        least one look (or one announcement) made after the call (a timeout of 0 asks: is it
        visible now?)."""
        waiter = _Waiter(name, position)
        self._add(waiter)
        # After the waiter is counted: news committed from here on wakes it (``_heard``), and
        # news committed before is read here.
        if self._applied is not None and self._applied.position(name) >= position:
            self._discard(waiter)
            return True
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="read-your-writes poller")
        elif not self._announced_here(name):
            self._look_now.set()  # the poller may be resting for the backstop: poll again
        try:
            await asyncio.wait_for(asyncio.shield(waiter.reached), timeout)
        except TimeoutError:
            self._look_now.set()  # the answer is the next look's: not one a backstop away
            await asyncio.shield(waiter.looked)
            if not waiter.reached.done():
                return False
            waiter.reached.result()  # a failed look raises here
        finally:
            self._discard(waiter)
        return True

    def _add(self, waiter: _Waiter) -> None:
        self._loop = asyncio.get_running_loop()
        self._waiters.add(waiter)
        self._waited_on[waiter.name] = self._waited_on.get(waiter.name, 0) + 1

    def _discard(self, waiter: _Waiter) -> None:
        if waiter in self._waiters:
            self._waiters.discard(waiter)
            left = self._waited_on[waiter.name] - 1
            if left:
                self._waited_on[waiter.name] = left
            else:
                del self._waited_on[waiter.name]

    def _announced_here(self, name: str) -> bool:
        return self._applied is not None and self._applied.leads(name)

    def _heard(self, name: str, position: int) -> None:
        """News of a commit, in the thread that made it: wake the loop if anyone waits on it."""
        loop = self._loop
        if loop is not None and name in self._waited_on:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                loop.call_soon_threadsafe(self._wake_announced, name, position)

    def _wake_announced(self, name: str, position: int) -> None:
        for waiter in list(self._waiters):
            if waiter.name == name and waiter.position <= position:
                waiter.reached.set_result(None)
                if not waiter.looked.done():
                    waiter.looked.set_result(None)
                self._discard(waiter)

    async def _poll(self) -> None:
        # Checked again after the connection went back (that awaits): a waiter that came
        # meanwhile saw this poller running and started none.
        while self._waiters:
            if self._all_announced_here():
                # The news usually answers first: the first look waits for the backstop too
                # (or a waiter's wish for a look), without holding a connection meanwhile.
                await self._rest()
                if not self._waiters:
                    return
            try:
                async with self._pool.connection() as conn, _autocommit(conn):
                    while self._waiters:
                        self._look_now.clear()  # a wish for a look from now on is this one's
                        looking = list(self._waiters)  # who came later waits for the next
                        names = sorted({waiter.name for waiter in looking})
                        positions = await positions_of(conn, names)
                        if self._applied is not None:
                            # Before anyone wakes: a position moved by another process moves
                            # the count of the read model's changes, so a page kept here
                            # from before the write is not what the woken request reads.
                            self._applied.saw(positions)
                        self._wake_reached(looking, positions)
                        if self._waiters:
                            await self._pause()
            except Exception as error:  # each waiter's own query would have raised it
                for waiter in list(self._waiters):
                    waiter.reached.set_exception(error)
                    if not waiter.looked.done():
                        waiter.looked.set_result(None)
                    self._discard(waiter)

    async def _pause(self) -> None:
        """Rest until the next look: ``interval``, or ``backstop`` while every waiter's read
        model announces its commits here."""
        if self._all_announced_here():
            await self._rest()
        else:
            await asyncio.sleep(self._interval)

    def _all_announced_here(self) -> bool:
        return all(self._announced_here(name) for name in self._waited_on)

    async def _rest(self) -> None:
        """``backstop`` seconds, cut short by a waiter that needs a look sooner (the wish is
        cleared when a look begins, never here: one made before the rest must cut it)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._look_now.wait(), self._backstop)

    def _wake_reached(self, looking: list[_Waiter], positions: dict[str, int]) -> None:
        for waiter in looking:
            if waiter in self._waiters and positions.get(waiter.name, -1) >= waiter.position:
                waiter.reached.set_result(None)
                self._discard(waiter)
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
