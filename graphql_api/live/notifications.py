"""One LISTEN per API process, fanned out to the subscriptions it serves.

The survey projection NOTIFYs its channel with a survey's id as payload inside the
transaction that changes the read model, so a notification arrives only once its change is
visible. Each API process listens for itself, so any number of replicas push updates. Under
`serve` it listens through the process's shared listener (a :class:`NotificationSource`: one
LISTEN session for the whole process); alone (tests) on a connection of its own.
Subscriptions do not get a queue of notifications: each has a flag that a notification raises,
so a burst of a thousand responses costs each of them one recomputation per interval.

With a read replica (CXL_READ_DATABASE_URL) the figures are read from a standby that may not
have replayed the change a notification announces: the notification is then passed on with
the primary's position of the read model at that moment (``primary_position``), and a
subscription waits for the standby to reach it before it recomputes (see
:mod:`graphql_api.live.subscriptions`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from uuid import UUID

import anyio
import anyio.to_thread
import psycopg
from anyio.abc import TaskStatus
from psycopg import sql

from graphql_api.notification_source import NotificationSource

log = logging.getLogger(__name__)

MIN_INTERVAL = 0.2
"""Seconds between two recomputations of one subscription, at least."""
HEARTBEAT = 10.0
"""Seconds of silence after which the connection is checked (a dead peer sends nothing)."""
RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)
APPLICATION_NAME = "cxledger dashboard listener"
"""How the listener's session shows in pg_stat_activity."""


class DashboardWatch:
    """One subscription's interest: a survey (None: any), and a flag raised on a change."""

    def __init__(self, survey_id: UUID | None, min_interval: float) -> None:
        self.key = None if survey_id is None else str(survey_id)
        self.min_interval = min_interval
        self._changed = asyncio.Event()

    def notice(self) -> None:
        self._changed.set()

    async def changes(self) -> AsyncIterator[None]:
        """One item per change, or per burst of changes: at most one per ``min_interval``."""
        while True:
            await self._changed.wait()
            woke = time.monotonic()
            self._changed.clear()  # what arrives from now on needs another recomputation
            yield
            await asyncio.sleep(max(0.0, woke + self.min_interval - time.monotonic()))


class DashboardNotifications:
    """Follows the dashboard channel on its own connection; reconnects when it drops."""

    def __init__(
        self,
        conninfo: str,
        channel: str,
        min_interval: float = MIN_INTERVAL,
        heartbeat: float = HEARTBEAT,
        source: NotificationSource | None = None,
        primary_position: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self.conninfo = conninfo
        self.primary_position = primary_position
        self.replica_target = 0
        """The primary's position of the read model when the latest change was announced: a
        standby shows that change once it has replayed this far (0: no replica, no wait)."""
        self._fetching = False
        self._pending: set[str] = set()
        self.source = source
        self.channel = channel
        self.min_interval = min_interval
        self.heartbeat = heartbeat
        self._watches: dict[str | None, set[DashboardWatch]] = {}

    @contextlib.contextmanager
    def watch(self, survey_id: UUID | None) -> Iterator[DashboardWatch]:
        """Watch one survey (None: every survey) for as long as the block runs."""
        watch = DashboardWatch(survey_id, self.min_interval)
        self._watches.setdefault(watch.key, set()).add(watch)
        try:
            yield watch
        finally:
            watchers = self._watches.get(watch.key, set())
            watchers.discard(watch)
            if not watchers:
                self._watches.pop(watch.key, None)

    @property
    def watching(self) -> int:
        return sum(len(watches) for watches in self._watches.values())

    def deliver(self, survey_id: str) -> None:
        if self.primary_position is None:
            self._notice(survey_id)
            return
        # One look at the primary for a burst: notifications arriving meanwhile wait for it.
        self._pending.add(survey_id)
        if not self._fetching:
            self._fetching = True
            asyncio.get_running_loop().create_task(self._after_primary())

    async def _after_primary(self) -> None:
        assert self.primary_position is not None
        try:
            while self._pending:
                announced, self._pending = self._pending, set()
                try:
                    reached = await self.primary_position()
                    self.replica_target = max(self.replica_target, reached)
                except psycopg.Error as error:  # the subscriptions recompute without waiting
                    log.warning("cannot read the primary's dashboard position (%s)", error)
                for survey_id in announced:
                    self._notice(survey_id)
        finally:
            self._fetching = False

    def _notice(self, survey_id: str) -> None:
        for key in (survey_id, None):
            for watch in self._watches.get(key, ()):
                watch.notice()

    def _wake_everyone(self) -> None:
        for watches in self._watches.values():
            for watch in watches:
                watch.notice()

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Listen until cancelled. The first connection must succeed (as the pool's must);
        later drops are retried, and everyone recomputes after a reconnection, since
        notifications sent meanwhile are lost."""
        if self.source is not None:
            await self._run_on(self.source, task_status)
            return
        conn = await self._listen()
        task_status.started()
        while True:
            try:
                async with conn:
                    await self._follow(conn)
            except psycopg.Error as error:
                log.warning("lost the %s listener (%s); reconnecting", self.channel, error)
            conn = await self._reconnect()
            self._wake_everyone()

    async def _run_on(self, source: NotificationSource, task_status: TaskStatus[None]) -> None:
        loop = asyncio.get_running_loop()

        def notified(payload: str) -> None:  # in the listener's thread
            loop.call_soon_threadsafe(self.deliver, payload)

        def reconnected() -> None:
            loop.call_soon_threadsafe(self._wake_everyone)

        unsubscribe = await anyio.to_thread.run_sync(
            source.subscribe, self.channel, notified, reconnected
        )
        task_status.started()
        try:
            await anyio.sleep_forever()
        finally:
            unsubscribe()

    async def _listen(self) -> psycopg.AsyncConnection[Any]:
        conn = await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True, application_name=APPLICATION_NAME
        )
        await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        return conn

    async def _follow(self, conn: psycopg.AsyncConnection[Any]) -> None:
        while True:
            async for notify in conn.notifies(timeout=self.heartbeat):
                self.deliver(notify.payload)
            await conn.execute("SELECT 1")  # silence: make sure the peer is still there

    async def _reconnect(self) -> psycopg.AsyncConnection[Any]:
        attempt = 0
        while True:
            await anyio.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
            try:
                return await self._listen()
            except psycopg.Error as error:
                attempt += 1
                log.warning("cannot listen on %s yet (%s)", self.channel, error)
