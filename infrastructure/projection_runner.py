"""Runs projections: batched catch-up, then live following of the log by LISTEN/NOTIFY.

Each batch is one transaction holding the read-model writes and the new tracking position, so a
crash at any instant leaves the read model exactly at a recorded position. A session advisory
lock per projection lets several workers share the work: one applies, the others stand by.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import Connection, sql

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from projections.base import Positioned, Projection
from projections.tracking import lock_position, set_position

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (position reached, head position) after each batch."""


def apply_next_batch(
    conn: Connection[Any],
    ledger: LedgerCore,
    projection: Projection,
    after: int,
    batch_size: int,
    head: int,
) -> int:
    """Apply the projection's events in (after, head], at most ``batch_size`` of them, inside
    the caller's transaction; return the position reached (ignored events count as read)."""
    rows = ledger.recorder.select_notifications(
        start=after + 1, limit=batch_size, stop=head, topics=projection.topics()
    )
    reached = rows[-1].id if len(rows) == batch_size else head
    batch = [Positioned(row.id, ledger.mapper.to_domain_event(row)) for row in rows]
    with conn.cursor() as cursor:
        projection.apply(cursor, batch)
    return reached


class ProjectionRunner:
    """Keeps one projection up to date with the log."""

    def __init__(
        self, ledger: LedgerCore, database: Database, projection: Projection, batch_size: int
    ) -> None:
        self.ledger = ledger
        self.database = database
        self.projection = projection
        self.batch_size = batch_size
        self.last_error: str | None = None

    @property
    def name(self) -> str:
        return self.projection.name

    def run_batch(self, conn: Connection[Any]) -> tuple[int, int]:
        """Apply one batch; return (position reached, head). Reached == head: caught up."""
        with conn.transaction():
            position = lock_position(conn, self.name)
            head = self.ledger.head_position()
            if head <= position:
                return position, head
            reached = apply_next_batch(
                conn, self.ledger, self.projection, position, self.batch_size, head
            )
            set_position(conn, self.name, reached)
        return reached, head

    def catch_up(self, conn: Connection[Any], progress: Progress | None = None) -> int:
        while True:
            reached, head = self.run_batch(conn)
            if progress is not None:
                progress(reached, head)
            if reached >= head:
                return reached

    def run_forever(self, stop: threading.Event) -> None:
        """Hold the projection's lease, then catch up and follow until ``stop`` is set."""
        while not stop.is_set():
            try:
                self._run_while_leased(stop)
            except (psycopg.Error, OSError) as error:
                self._note_error(error)
                stop.wait(1.0)
            except Exception as error:  # a bug in a handler: keep the server up, report it
                log.exception("projection %s failed", self.name)
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
                notified = any(True for _ in listener.notifies(timeout=1.0, stop_after=1))
                if notified:
                    self.catch_up(conn)

    def _acquire_lease(self, listener: Connection[Any], stop: threading.Event) -> bool:
        key = zlib.crc32(f"cxl-projection:{self.name}".encode())
        while not stop.is_set():
            row = listener.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if row and row[0]:
                return True
            stop.wait(2.0)  # another worker has it: stand by
        return False

    def _note_error(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {error}"
        log.warning("projection %s: %s", self.name, self.last_error)


class ProjectionWorker:
    """One thread per projection, started and stopped together."""

    def __init__(self, runners: list[ProjectionRunner]) -> None:
        self.runners = runners
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for runner in self.runners:
            thread = threading.Thread(
                target=runner.run_forever,
                args=(self._stop,),
                name=f"projection-{runner.name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    def errors(self) -> dict[str, str]:
        return {r.name: r.last_error for r in self.runners if r.last_error}
