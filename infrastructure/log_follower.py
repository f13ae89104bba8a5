"""Following the notification log under a lease: the loop that projection runners and process
manager runners share.

A session advisory lock per follower lets several workers share the work: one follows, the
others stand by. Catch-up runs after LISTEN, so an event committed in between goes unnoticed by
neither; a NOTIFY wakes the follower, and the listen timeout only bounds how long a stop request
waits.
"""

from __future__ import annotations

import logging
import threading
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

import psycopg
from eventsourcing.persistence import InterfaceError, Notification, OperationalError
from psycopg import Connection, sql

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.parking import RetryPolicy

log = logging.getLogger(__name__)

EVENT_STORE_UNREACHABLE = (OperationalError, InterfaceError)
"""The event store's wrappers of a lost database: retried soon, like psycopg's own errors."""

Progress = Callable[[int, int], None]
"""Called with (position reached, head position) after each batch."""


class BackgroundTask(Protocol):
    """What a worker thread runs: anything named that runs until asked to stop."""

    @property
    def name(self) -> str: ...

    last_error: str | None

    def run_forever(self, stop: threading.Event) -> None: ...


class LogFollower(ABC):
    """Keeps something up to date with the log, one batch (one transaction) at a time."""

    lease_namespace: ClassVar[str]
    """Prefix of the advisory-lock key: a projection and a process manager never share one."""

    def __init__(
        self, ledger: LedgerCore, database: Database, policy: RetryPolicy | None = None
    ) -> None:
        self.ledger = ledger
        self.database = database
        self.policy = policy or RetryPolicy()
        self.last_error: str | None = None

    @property
    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def run_batch(self, conn: Connection[Any]) -> tuple[int, int]:
        """Handle one batch; return (position reached, head). Reached == head: caught up."""

    @abstractmethod
    def handle(self, conn: Connection[Any], notification: Notification) -> None:
        """Apply (or react to) one stored event alone, inside the caller's transaction: what
        replaying a parked event runs."""

    def catch_up(self, conn: Connection[Any], progress: Progress | None = None) -> int:
        while True:
            reached, head = self.run_batch(conn)
            if progress is not None:
                progress(reached, head)
            if reached >= head:
                return reached

    def run_forever(self, stop: threading.Event) -> None:
        """Hold the lease, then catch up and follow until ``stop`` is set."""
        while not stop.is_set():
            try:
                self._run_while_leased(stop)
            except (psycopg.Error, *EVENT_STORE_UNREACHABLE, OSError) as error:
                self._note_error(error)
                stop.wait(1.0)
            except Exception as error:  # a bug in a handler: keep the server up, report it
                log.exception("%s %s failed", self.lease_namespace, self.name)
                self._note_error(error)
                stop.wait(5.0)

    def _run_while_leased(self, stop: threading.Event) -> None:
        channel = str(getattr(self.ledger.recorder, "channel_name", "ledger_events"))
        with self.database.connect(autocommit=True) as listener, self.database.connect() as conn:
            if not self._acquire_lease(listener, stop):
                return
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            # Catch up after LISTEN, so no event committed in between goes unnoticed.
            self.catch_up(conn)
            self.last_error = None
            while not stop.is_set():
                # Wake on NOTIFY; the timeout only bounds how long a stop request waits.
                notified = any(True for _ in listener.notifies(timeout=0.25, stop_after=1))
                if notified:
                    self.catch_up(conn)

    def _acquire_lease(self, listener: Connection[Any], stop: threading.Event) -> bool:
        key = zlib.crc32(f"cxl-{self.lease_namespace}:{self.name}".encode())
        while not stop.is_set():
            row = listener.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if row and row[0]:
                return True
            stop.wait(2.0)  # another worker has it: stand by
        return False

    def _note_error(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {error}"
        log.warning("%s %s: %s", self.lease_namespace, self.name, self.last_error)
