"""The async pool that read queries (and read-your-writes waits) use.

Each connection is checked as it is handed out, so one that a database restart broke is
replaced rather than failing the request (:func:`check_idle`: a round trip only for a
connection the server has written to while it sat idle, as it does when it ends a session);
connecting, waiting for a free connection and
giving up on reconnection are all bounded by ``timeout``, so that while the database is down
a request fails within seconds, and once it is back the next request connects at once.

psycopg_pool raises the same PoolTimeout whether the pool had no connection to give because
requests held them all (the server is saturated: the client should come back shortly, BUSY)
or because none could be made (the database is out of reach: SERVICE_UNAVAILABLE). The pool
here tells them apart when it gives up: it was *exhausted* if at least one connection was
lent to a request and no connection failed (to connect, or its check) while this request
waited. Requests holding connections do not keep them through an outage (their queries fail
at once), and an outage shows as failed connections; so a timeout with every connection lent
and none failing is saturation. "At least one lent" rather than "every one": a connection
being handed from one request to the next is counted by neither for a moment.

Requests queue for a turn before they ask psycopg_pool (:class:`ReadPool`): at most
``max_size`` of them ask it at once, so it nearly always has a connection ready and the others
wait on a future each, handed its turn when a connection comes back, under one timer for the
whole pool; not in psycopg_pool's queue (a condition, its lock and a task for
``asyncio.wait_for`` per wait, and a locked hand-over on every return), which was about a
tenth of a listed page's CPU with 16 clients on 8 connections, nor behind a semaphore and an
``asyncio.timeout`` per wait, which cost a third of a contended checkout's CPU.

``connection()`` lends a connection as psycopg_pool's does (its context commits on success and
rolls back on an error, then the connection goes back, its time of use counted), with two
cuts: a class instead of an async generator (no generator, no ``asynccontextmanager`` frames),
and no ``commit()`` where it has nothing to do, which it finds only after taking the
connection's lock and running a generator through ``wait``: a session idle outside any
transaction, as every autocommit read leaves it (``_nothing_to_commit``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import select
from collections import deque
from time import monotonic
from types import TracebackType
from typing import Any, TypeVar

from psycopg import AsyncConnection, OperationalError
from psycopg.abc import PQGen
from psycopg.pq import ConnStatus, TransactionStatus
from psycopg_pool import AsyncConnectionPool, PoolTimeout

# The pool's counters of connections that could not be made, and of those found broken when
# handed out or given back.
_CONNECTIONS_ERRORS = AsyncConnectionPool._CONNECTIONS_ERRORS
_CONNECTIONS_LOST = AsyncConnectionPool._CONNECTIONS_LOST
_RETURNS_BAD = AsyncConnectionPool._RETURNS_BAD
_USAGE_MS = AsyncConnectionPool._USAGE_MS
_IDLE = TransactionStatus.IDLE
_pool_log = logging.getLogger("psycopg.pool")  # psycopg_pool's logger, for its lines
RV = TypeVar("RV")


class PoolExhaustedError(PoolTimeout):
    """Requests held the pool's connections for the whole wait: the server is busy."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"every read connection stayed in use for {waited:.1f} s")
        self.retry_after = max(1, math.ceil(waited))
        """Seconds a client should wait before it asks again (Retry-After)."""


_LEAST_WAIT = 0.001
"""The wait left to psycopg_pool when a turn came at the deadline: it refuses a wait of zero
before it looks for a ready connection."""


class ReadPool(AsyncConnectionPool[AsyncConnection[Any]]):
    """An AsyncConnectionPool that says, when it times out, whether it was exhausted, and lets
    at most ``max_size`` requests ask for a connection at once (the others wait for a turn,
    first come first served: asyncio's semaphore lets none pass a waiter)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lent = 0
        self._free_turns = self.max_size
        self._turn_waiters: deque[tuple[float, asyncio.Future[None]]] = deque()
        """Requests waiting for a turn, first come first, with their deadlines (shown as
        psycopg_pool's ``requests_waiting``); one given up stays until a turn passes it."""
        self._queued = 0
        self._turn_timer: asyncio.TimerHandle | None = None
        self._turn_timer_at = math.inf

    def connection(  # type: ignore[override]  # the same context, as a class
        self, timeout: float | None = None
    ) -> Lent:
        """A connection lent for the ``async with`` block (see the module)."""
        return Lent(self, timeout)

    async def getconn(self, timeout: float | None = None) -> AsyncConnection[Any]:
        failures = self._failures()
        wait = self.timeout if timeout is None else timeout
        deadline = monotonic() + wait
        if self._free_turns > 0 and not self._queued:
            self._free_turns -= 1  # free: taken at once, no suspension
        else:
            await self._wait_for_turn(wait, deadline, failures)
        try:
            connection = await self._ready_connection()
            if connection is None:
                connection = await super().getconn(max(deadline - monotonic(), _LEAST_WAIT))
        except PoolTimeout as error:
            self._pass_turn()
            if self._lent > 0 and self._failures() == failures:
                raise PoolExhaustedError(wait) from error
            raise
        except BaseException:
            self._pass_turn()
            raise
        self._lent += 1
        return connection

    async def _wait_for_turn(self, wait: float, deadline: float, failures: int) -> None:
        """Wait up to ``wait`` seconds for a turn, counted as psycopg_pool counts its waits.

        A future handed its turn by ``_pass_turn``, with one timer for the pool rather than
        ``asyncio.timeout`` per wait (its context manager, timer and task bookkeeping were
        about a twentieth of a listed page's CPU with 16 clients on 8 connections): the timer
        is set for the earliest deadline of a waiter, and wakes, fails and drops only those
        whose deadline has passed."""
        started = monotonic()
        self._queued += 1
        self._stats[self._REQUESTS_QUEUED] += 1
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        self._turn_waiters.append((deadline, turn))
        if deadline < self._turn_timer_at:
            self._arm_turn_timer(loop, deadline)
        try:
            await turn
        except TimeoutError as error:
            self._stats[self._REQUESTS_ERRORS] += 1
            if self._lent > 0 and self._failures() == failures:
                raise PoolExhaustedError(wait) from error
            raise PoolTimeout(f"couldn't get a connection after {wait:.2f} sec") from error
        except BaseException:
            # Cancelled: a turn handed over meanwhile goes to the next waiter (a future
            # cancelled in the wait is done, and passed over by ``_pass_turn``).
            if turn.done() and not turn.cancelled() and turn.exception() is None:
                self._pass_turn()
            raise
        finally:
            self._queued -= 1
            self._stats[self._REQUESTS_WAIT_MS] += int(1000.0 * (monotonic() - started))

    async def _ready_connection(self) -> AsyncConnection[Any] | None:
        """psycopg_pool's ``getconn`` for its usual case here, a connection ready (a request
        with a turn nearly always finds one), or None for ``getconn`` itself (none ready, its
        lock held, the pool closed, the connection found broken).

        The same steps (its log lines, its request count, the pop from its deque and its
        low-water mark, the check, the connection marked as lent) without the four coroutines
        and the lock's acquire and release around them: about 2% of a listed page's CPU in
        process. Not taking the lock is safe where nobody holds it: the pop does not suspend,
        so nothing can run between the test and it. A connection that fails its check goes
        back as psycopg_pool's check loop sends it back (its ``_putconn``: counted lost,
        replaced), and ``getconn`` then waits for another with its own back-off."""
        ready = self._pool
        if self._closed or not ready or self._lock.locked():
            return None
        _pool_log.info("connection requested from %r", self.name)
        self._stats[self._REQUESTS_NUM] += 1
        conn = ready.popleft()
        if len(ready) < self._nconns_min:
            self._nconns_min = len(ready)
        try:
            await self._check_connection(conn)
        except Exception:
            self._stats[self._REQUESTS_NUM] -= 1  # getconn counts the request again
            await self._putconn(conn, from_getconn=True)
            return None
        except BaseException:
            await self._putconn(conn, from_getconn=True)
            raise
        _pool_log.info("connection given by %r", self.name)
        conn._pool = self
        return conn

    def _pass_turn(self) -> None:
        """A turn given back: to the first request still waiting, else free."""
        waiters = self._turn_waiters
        while waiters:
            _, turn = waiters.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self._free_turns += 1

    def _arm_turn_timer(self, loop: asyncio.AbstractEventLoop, at: float) -> None:
        if self._turn_timer is not None:
            self._turn_timer.cancel()
        # A delay from now: the deadlines are time.monotonic()'s, the loop's clock its own.
        self._turn_timer = loop.call_later(at - monotonic(), self._turns_timed_out, loop)
        self._turn_timer_at = at

    def _turns_timed_out(self, loop: asyncio.AbstractEventLoop) -> None:
        self._turn_timer, self._turn_timer_at = None, math.inf
        now, kept, earliest = monotonic(), deque[tuple[float, asyncio.Future[None]]](), math.inf
        for deadline, turn in self._turn_waiters:
            if turn.done():
                continue
            if deadline <= now:
                turn.set_exception(TimeoutError())
            else:
                kept.append((deadline, turn))
                earliest = min(earliest, deadline)
        self._turn_waiters = kept
        if kept:
            self._arm_turn_timer(loop, earliest)

    async def putconn(self, conn: AsyncConnection[Any]) -> None:
        self._lent -= 1
        try:
            if not self._returned_at_once(conn):
                await super().putconn(conn)
        finally:
            self._pass_turn()

    def _returned_at_once(self, conn: AsyncConnection[Any]) -> bool:
        """psycopg_pool's ``putconn`` for its usual case here, done without suspending: the
        connection idle, not expired, the pool open, nobody waiting in psycopg_pool's queue
        (the turns keep it nearly always empty) and its lock free. False, with nothing done,
        for ``putconn`` itself in every other case (its rollback, close, replacement, hand-over
        to a waiter).

        The same steps (the check that the connection is this pool's, its log line, the
        connection unmarked and appended, the full-pool event) without the five coroutines
        down to the lock and the lock's acquire and release around the append. Not taking the
        lock is safe where nobody holds it: nothing here suspends, so nothing can run between
        the test and the append. No reset function is tested for rather than assumed: a pool
        given one hands every return to psycopg_pool's worker."""
        if (
            self._closed
            or self._reset is not None
            or self._waiting
            or self._lock.locked()
            or conn.pgconn.transaction_status != _IDLE
        ):
            return False
        self._check_pool_putconn(conn)  # raises for another pool's connection, as putconn
        if conn._created_at <= self._drained_at or conn._expire_at <= monotonic():
            return False  # closed and replaced by putconn
        _pool_log.info("returning connection to %r", self.name)
        conn._pool = None
        ready = self._pool
        ready.append(conn)
        if self._pool_full_event and len(ready) >= self._min_size:
            self._pool_full_event.set()
        return True

    def _get_measures(self) -> dict[str, int]:
        measures = super()._get_measures()
        measures[self._REQUESTS_WAITING] += self._queued
        return measures

    def _failures(self) -> int:
        # The counters themselves: get_stats() also measures the pool and copies both into a
        # new dict, on every checkout (nothing here resets them: pop_stats is never called).
        stats = self._stats
        return stats[_CONNECTIONS_ERRORS] + stats[_CONNECTIONS_LOST] + stats[_RETURNS_BAD]


class ReadConnection(AsyncConnection[Any]):
    """The read pool's connection: its socket stays watched by the event loop between the
    waits of ``readable()``.

    psycopg registers a reader for the socket before every wait and removes it after; under uvloop
    each registration makes and closes a poll handle (two ``epoll_ctl`` and an ``ioctl``: about
    8 us a wait on the development machine), and its wait sets a timer and drives a generator
    around it. ``projections.customers.queries`` awaits a page's answer through ``readable()``,
    where a wait costs the callback's exchange only: a listed page took about 9% less of the
    app's CPU (in process, alternated with psycopg's wait). A psycopg wait on the same socket
    replaces the reader and removes it (``wait``: the connection then knows it has none), and
    the next ``readable()`` registers it again. Woken with nobody waiting, the reader removes
    itself if the socket has something to read (the server ending an idle session, a notice), or
    the loop would call it at every turn; a wake-up for what a wait has read meanwhile
    (asyncio's own loop reports a socket again before the woken task has read it) is passed
    over. ``close()`` removes it before the socket is closed, and a caller that saw libpq let go
    of the socket during ``readable()``'s wait closes the connection at once: a closed
    descriptor's number is soon another socket's, whose reader must not be this one's."""

    _watched: tuple[asyncio.AbstractEventLoop, int] | None = None
    _waiter: asyncio.Future[None] | None = None

    async def readable(self) -> None:
        """Until the socket has something to read (or the wait is cancelled)."""
        loop = asyncio.get_running_loop()
        if self._watched is None:
            self._watched = (loop, self.pgconn.socket)
        # Again each time: cheap where the reader is still there, and psycopg may have
        # removed it since.
        watched_loop, fd = self._watched
        watched_loop.add_reader(fd, self._woken)
        self._waiter = waiter = loop.create_future()
        try:
            await waiter
        finally:
            self._waiter = None

    def _woken(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            if not waiter.done():
                waiter.set_result(None)
        elif self._watched is not None and _has_input(self._watched[1]):
            self._unwatch()

    def _unwatch(self) -> None:
        if self._watched is not None:
            loop, fd = self._watched
            self._watched = None
            loop.remove_reader(fd)

    async def wait(self, gen: PQGen[RV], *args: Any, **kwargs: Any) -> RV:
        # psycopg's wait registers its own reader, in place of this one, and removes it.
        self._watched = None
        return await super().wait(gen, *args, **kwargs)

    async def close(self) -> None:
        self._unwatch()
        await super().close()


def _has_input(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class Lent:
    """``ReadPool.connection()``'s context: psycopg_pool's ``connection()`` step by step."""

    __slots__ = ("_conn", "_pool", "_since", "_timeout")

    def __init__(self, pool: ReadPool, timeout: float | None) -> None:
        self._pool = pool
        self._timeout = timeout

    async def __aenter__(self) -> AsyncConnection[Any]:
        self._conn = conn = await self._pool.getconn(self._timeout)
        self._since = monotonic()
        return conn

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        conn, pool = self._conn, self._pool
        try:
            if exc_type is not None or not _nothing_to_commit(conn):
                await conn.__aexit__(exc_type, exc, traceback)  # commit, or roll back
        finally:
            await pool.putconn(conn)
            pool._stats[_USAGE_MS] += int(1000.0 * (monotonic() - self._since))


def _nothing_to_commit(conn: AsyncConnection[Any]) -> bool:
    """Whether ``conn.commit()`` would do nothing but take the lock: psycopg's
    ``_commit_gen`` returns at once for a session idle outside any transaction, and raises
    within a transaction block or a two-phase one (left to ``__aexit__``, as is a closed
    connection, which it skips)."""
    return (
        not conn.closed
        and not conn._num_transactions
        and conn._tpc is None
        and conn.pgconn.transaction_status == _IDLE
    )


async def check_idle(conn: AsyncConnection[Any]) -> None:
    """Raise if ``conn`` is broken, with a round trip only when it may be.

    An idle connection has nothing to read: the server writes to it only to end it (a
    restart, a shutdown, ``pg_terminate_backend``: an error message, then the socket closes,
    which reads as an end of file) or to report something unasked (a notice, a changed
    parameter). So a socket with nothing to read is handed out as it is, and one with
    something gets psycopg_pool's own check (a round trip, which fails on a closed session).
    The round trip on every checkout cost as much as the page query of a list it served.
    A session cut off between this check and its query fails that query, as one cut off
    between the round trip and the query did."""
    if conn.closed or conn.pgconn.status != ConnStatus.OK:
        raise OperationalError("the connection is closed")
    # poll, not select: select refuses a descriptor past 1023, which a server holding many
    # live subscriptions' sockets hands its new connections.
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    if poller.poll(0):
        await AsyncConnectionPool.check_connection(conn)


def read_pool(
    conninfo: str, max_size: int, timeout: float, prepared_statements: bool = True
) -> ReadPool:
    """``prepared_statements`` False behind a transaction-mode pooler (PgBouncer): a statement
    prepared on one server session is unknown to the next."""
    extra: dict[str, Any] = {} if prepared_statements else {"prepare_threshold": None}
    return ReadPool(
        conninfo,
        connection_class=ReadConnection,
        min_size=1,
        max_size=max_size,
        open=False,
        check=check_idle,
        timeout=timeout,
        # A short reconnection attempt: a later request starts a new one at once, instead of
        # waiting out an ever longer back-off that began during the outage.
        reconnect_timeout=timeout,
        # Autocommit: a read is one statement or a few, each with its own snapshot either way
        # (READ COMMITTED), so a transaction around them only cost a BEGIN and a COMMIT, two
        # round trips per use; a caller that needs one opens it (``conn.transaction()``).
        kwargs={
            "connect_timeout": max(2, math.ceil(timeout)),  # libpq's minimum: 2 s
            "autocommit": True,
            **extra,
        },
    )
