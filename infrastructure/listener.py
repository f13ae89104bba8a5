"""The process's one LISTEN connection, shared by everything in it that listens or leases.

The log fan-out (new events), the key-eviction cache (erased subjects) and the API's live
subscriptions (dashboard changes) each subscribe to a channel here, instead of each holding a
connection of its own. The same session holds the process's advisory-lock leases: LISTEN and
session-level locks both need a real server session, which a transaction-mode pooler does not
give, so this connection goes straight to PostgreSQL (``Database.connect(direct=True)``).

One thread owns the connection: it waits for notifications, hands each to its channel's
callbacks, and between waits runs the calls other threads queued for the connection
(:meth:`SharedListener.call`: LISTEN for a new channel, taking or releasing a lease). psycopg
keeps notifications that arrive while a call runs, so none is lost. When the connection is
lost every lease on it is gone: :attr:`generation` counts connections, so a holder sees it,
and each subscriber's ``on_reconnect`` is called, since notifications sent meanwhile are lost.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from psycopg import Connection, sql

from infrastructure.database import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
APPLICATION_NAME = "cxledger listener {pid}"
"""How the listener's session shows in pg_stat_activity: whose process holds which lease."""
POLL_SECONDS = 0.05
"""Longest wait for notifications before queued calls run: the latency of a call."""
HEARTBEAT_SECONDS = 10.0
"""Silence after which the connection is checked (a dead peer sends nothing)."""
LIVENESS: dict[str, str | int] = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 20_000,
}
"""libpq's TCP liveness settings for the listener's session (ignored on a Unix socket). The
leases are advisory locks of this session: on a half-open connection (the server or the
network gone without a reset) the heartbeat's ``SELECT 1`` waited as long as TCP retries its
send, about a quarter of an hour, with the process still believing it led its read models
(and kept their pages, ``projections.row_cache``). With these, an idle session is probed
after 5 s and given up after three unanswered probes, and one with unanswered data after 20 s."""
CALL_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Subscription:
    channel: str
    on_notify: Callable[[str], None]
    on_reconnect: Callable[[], None] | None


class ListenerUnavailableError(Exception):
    """The listener has no connection (the database cannot be reached, or it stopped)."""


class SharedListener:
    """One LISTEN connection (and its advisory-lock leases) for the whole process."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._subscriptions: list[Subscription] = []
        self._calls: queue.SimpleQueue[tuple[Callable[[Connection[Any]], Any], Future[Any]]]
        self._calls = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self.generation = 0
        """How many connections the listener has made: a lease taken in an older one is lost."""

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        self._fail_pending()

    @property
    def connected(self) -> bool:
        """False from the moment its session is known lost until a new one listens."""
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def subscribe(
        self,
        channel: str,
        on_notify: Callable[[str], None],
        on_reconnect: Callable[[], None] | None = None,
    ) -> Callable[[], None]:
        """Call ``on_notify(payload)`` (in the listener's thread: keep it short) for each
        notification on ``channel``; return what ends the subscription. Once this returns
        while the listener is connected, the LISTEN is in force."""
        subscription = Subscription(channel, on_notify, on_reconnect)
        with self._lock:
            self._subscriptions.append(subscription)
        # If it fails, the next connection listens to every subscribed channel.
        if self._connected.is_set():
            with contextlib.suppress(ListenerUnavailableError, psycopg.Error, TimeoutError):
                self.call(lambda conn: _listen(conn, channel))

        def unsubscribe() -> None:
            with self._lock:
                if subscription in self._subscriptions:
                    self._subscriptions.remove(subscription)

        return unsubscribe

    def call(self, work: Callable[[Connection[Any]], T], timeout: float = CALL_TIMEOUT) -> T:
        """Run ``work`` on the listener's connection, in its thread, and return its result."""
        if self._thread is None or not self._connected.is_set():
            raise ListenerUnavailableError("the listener is not connected")
        future: Future[T] = Future()
        self._calls.put((work, future))
        return future.result(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._serve_one_connection()
            except Exception as error:  # a lost connection: connect again, never die
                log.warning("listener: %s", error)
            self._connected.clear()
            self._fail_pending()
            self._stop.wait(1.0)

    def _serve_one_connection(self) -> None:
        with self._database.connect(
            autocommit=True,
            direct=True,
            application_name=APPLICATION_NAME.format(pid=os.getpid()),
            **LIVENESS,
        ) as conn:
            for channel in {s.channel for s in self._current()}:
                _listen(conn, channel)
            self.generation += 1
            self._connected.set()
            if self.generation > 1:
                self._tell_reconnected()
            last_heard = time.monotonic()
            while not self._stop.is_set():
                for notify in conn.notifies(timeout=POLL_SECONDS):
                    self._deliver(notify.channel, notify.payload)
                    last_heard = time.monotonic()
                self._run_calls(conn)
                if time.monotonic() - last_heard > HEARTBEAT_SECONDS:
                    conn.execute("SELECT 1")
                    last_heard = time.monotonic()

    def _current(self) -> list[Subscription]:
        with self._lock:
            return list(self._subscriptions)

    def _deliver(self, channel: str, payload: str) -> None:
        for subscription in self._current():
            if subscription.channel == channel:
                try:
                    subscription.on_notify(payload)
                except Exception:  # one subscriber's bug must not deafen the others
                    log.exception("listener: a subscriber of %s failed", channel)

    def _tell_reconnected(self) -> None:
        for subscription in self._current():
            if subscription.on_reconnect is not None:
                try:
                    subscription.on_reconnect()
                except Exception:
                    log.exception("listener: a subscriber of %s failed", subscription.channel)

    def _run_calls(self, conn: Connection[Any]) -> None:
        while True:
            try:
                work, future = self._calls.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work(conn))
            except Exception as error:
                future.set_exception(error)
                if conn.broken:
                    raise

    def _fail_pending(self) -> None:
        while True:
            try:
                _work, future = self._calls.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                future.set_exception(ListenerUnavailableError("the listener lost its connection"))


def _listen(conn: Connection[Any], channel: str) -> None:
    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
