"""The log writer's connection, kept between its batches instead of going back to the pool.

Each batch checked a connection out of the event store's pool and gave it back: with one
writer, about a tenth of a registration's client CPU (py-spy, ``--gil``: ``getconn`` 2%,
``putconn`` 9%: the pool's lock, its state checks, its log call, the hand-over to a waiting
client). Only the group commit's leader writes, one batch at a time, so the connection the last
batch used can wait here for the next one, still counted by the pool as checked out: the
process holds no more connections than the pool's bound.

It goes back to the pool, where the pool's own rules apply again (a broken connection replaced,
an old one retired, a waiting client served), whenever:
- another client asks the pool for a connection and the pool has none idle
  (:meth:`KeptConnection.lend_on_demand` wraps the pool's ``getconn``): a kept connection must
  never make anyone wait, even when no batch comes after it (a first version gave it back only
  at the next batch: a pool left with no idle connection after a lone write could keep a client
  waiting while the writer's connection sat idle);
- the pool has a client waiting for a connection when a batch ends;
- the pool is small (fewer than ``SMALLEST_POOL_KEPT_FROM`` connections): a command's reads
  must never find every connection held by writers;
- it has been kept for ``KEPT_FOR_AT_MOST`` seconds since the pool handed it out, so that the
  pool still sees each connection regularly (its lifetime, its checks);
- a batch failed on it (the pool rolls back or discards it);
- the check before a batch finds it closed or spoken to by the server (what
  ``infrastructure.pool_check.check_idle``, the pool's check on checkout, looks at first);
- the event store closes (``EventStoreFactory.close``).
"""

from __future__ import annotations

import select
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from psycopg import Connection
from psycopg.pq import ConnStatus
from psycopg_pool import ConnectionPool

C = TypeVar("C", bound=Connection[Any])

KEPT_FOR_AT_MOST = 1.0
"""Seconds a connection may go from batch to batch before it passes through the pool again."""
SMALLEST_POOL_KEPT_FROM = 3
"""A pool of fewer connections gets the writer's back after every batch."""


class KeptConnection(Generic[C]):
    """At most one connection of a pool, kept between the batches of one writer at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        """Guards the hand-over of ``_conn``: the writer takes it while another thread may be
        giving it back to the pool for a client (no connection may go to both)."""
        self._conn: C | None = None
        self._since = 0.0
        self._poller: select.poll | None = None
        self._polled: C | None = None
        """The connection ``_poller`` watches: made once per connection kept, as the check
        that made a poll object and registered the socket on every call cost most of it."""

    def take(self, pool: ConnectionPool[C]) -> C:
        """The kept connection if it may serve another batch, else one from ``pool``."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            if time.monotonic() - self._since < KEPT_FOR_AT_MOST and self._quiet(conn):
                return conn
            pool.putconn(conn)  # the pool checks it again as it hands one out
        conn = pool.getconn()
        self._since = time.monotonic()
        return conn

    def keep(self, pool: ConnectionPool[C], conn: C) -> bool:
        """Keep ``conn`` (a batch succeeded on it) unless the pool needs it: True if kept,
        False if the caller must give it back."""
        if pool.closed or pool.max_size < SMALLEST_POOL_KEPT_FROM or _has_waiting(pool):
            return False
        with self._lock:
            self._conn = conn
        return True

    def _quiet(self, conn: C) -> bool:
        """Whether ``conn`` looks usable as it is: open, and nothing from the server waiting
        to be read (``infrastructure.pool_check``'s check, which the pool runs on checkout;
        one that fails it goes back to the pool, whose own check decides)."""
        if conn.closed or conn.pgconn.status != ConnStatus.OK:
            return False
        if self._polled is not conn or self._poller is None:
            self._poller = select.poll()
            self._poller.register(conn.fileno(), select.POLLIN)
            self._polled = conn
        return not self._poller.poll(0)

    def give_back(self, pool: ConnectionPool[C]) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            pool.putconn(conn)

    def lend_on_demand(self, pool: ConnectionPool[C]) -> None:
        """Make ``pool`` take the kept connection back before it hands one out while it has
        none idle: whoever asks then gets it (or one the pool makes) rather than waiting
        for the writer's next batch. The pool's ``getconn`` is wrapped on this instance (its
        ``connection()`` calls it too); with idle connections nothing changes."""
        handed_out: Callable[..., C] = pool.getconn

        def getconn(timeout: float | None = None) -> C:
            if self._conn is not None and not pool._pool:
                self.give_back(pool)
            return handed_out(timeout)

        pool.getconn = getconn  # type: ignore[method-assign]


def _has_waiting(pool: ConnectionPool[Any]) -> bool:
    """Whether a client waits for one of ``pool``'s connections. psycopg_pool has no public
    view of it but its statistics, which copy and sum every counter: its queue of waiting
    clients (a deque, read without its lock: a length is read atomically)."""
    return bool(pool._waiting)
