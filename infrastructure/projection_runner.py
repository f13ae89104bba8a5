"""Runs projections: batched catch-up, then live following of the log by LISTEN/NOTIFY.

Each batch is one transaction holding the read-model writes and the new tracking position, so a
crash at any instant leaves the read model exactly at a recorded position. The lease and the
live loop are :class:`infrastructure.log_follower.LogFollower`'s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from psycopg import Connection

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.log_follower import BackgroundTask, LogFollower, Progress
from projections.base import Positioned, Projection
from projections.tracking import lock_position, set_position

__all__ = ["Progress", "ProjectionRunner", "ProjectionWorker", "apply_next_batch"]


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
    decode = (lambda row: row) if projection.reads_stored_events else ledger.mapper.to_domain_event
    batch = [Positioned(row.id, decode(row)) for row in rows]
    with conn.cursor() as cursor:
        projection.apply(cursor, batch)
    return reached


class ProjectionRunner(LogFollower):
    """Keeps one projection up to date with the log."""

    lease_namespace = "projection"

    def __init__(
        self, ledger: LedgerCore, database: Database, projection: Projection, batch_size: int
    ) -> None:
        super().__init__(ledger, database)
        self.projection = projection
        self.batch_size = batch_size

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


class ProjectionWorker:
    """One thread per projection (or process manager, or scheduled job), started and stopped
    together."""

    def __init__(self, runners: Sequence[BackgroundTask]) -> None:
        self.runners = list(runners)
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
