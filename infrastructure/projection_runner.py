"""Runs projections: batched catch-up, then live following of the log by LISTEN/NOTIFY.

Each batch is one transaction holding the read-model writes and the new tracking position, so a
crash at any instant leaves the read model exactly at a recorded position. A batch is applied
whole in one savepoint; if one of its events fails, the batch is applied again event by event,
each with bounded retries, and an event that fails every try is parked in the same transaction
(:mod:`infrastructure.parking`), so one bad event never stops the read model. The lease and
the live loop are :class:`infrastructure.log_follower.LogFollower`'s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification
from psycopg import Connection

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.failures import describe, is_transient
from infrastructure.log_follower import BackgroundTask, LogFollower, Progress
from infrastructure.parking import RetryPolicy, apply_or_park
from projections.base import Positioned, Projection
from projections.tracking import lock_position, set_position

__all__ = [
    "Progress",
    "ProjectionRunner",
    "ProjectionWorker",
    "RetryPolicy",
    "apply_next_batch",
    "apply_one",
]

log = logging.getLogger(__name__)


def apply_next_batch(
    conn: Connection[Any],
    ledger: LedgerCore,
    projection: Projection,
    after: int,
    batch_size: int,
    head: int,
    policy: RetryPolicy | None = None,
    parked_as: str | None = None,
) -> int:
    """Apply the projection's events in (after, head], at most ``batch_size`` of them, inside
    the caller's transaction, parking (under ``parked_as``, by default the projection's name)
    each event that fails every retry; return the position reached (ignored events count as
    read)."""
    rows = ledger.recorder.select_notifications(
        start=after + 1, limit=batch_size, stop=head, topics=projection.topics()
    )
    reached = rows[-1].id if len(rows) == batch_size else head
    if rows and not _applied_together(conn, ledger, projection, rows):
        for row in rows:
            apply_or_park(
                conn,
                parked_as or projection.name,
                row,
                lambda event: apply_one(conn, ledger, projection, event),
                policy or RetryPolicy(),
                may_park=projection.parks_failures,
            )
    return reached


def apply_one(
    conn: Connection[Any], ledger: LedgerCore, projection: Projection, row: Notification
) -> None:
    """Apply the stored event ``row`` alone, inside the caller's transaction."""
    with conn.cursor() as cursor:
        projection.apply(cursor, [Positioned(row.id, _decoded(ledger, projection, row))])


def _applied_together(
    conn: Connection[Any], ledger: LedgerCore, projection: Projection, rows: Sequence[Notification]
) -> bool:
    """The usual path: the whole batch in one savepoint. False (and nothing written) if an
    event of it failed in a way that is not transient."""
    try:
        with conn.transaction(), conn.cursor() as cursor:
            projection.apply(
                cursor, [Positioned(row.id, _decoded(ledger, projection, row)) for row in rows]
            )
        return True
    except Exception as error:
        if is_transient(error):
            raise
        log.warning(
            "%s: a batch of %s events failed (%s: %s); applying them one at a time",
            projection.name, len(rows), *describe(error),
        )  # fmt: skip
        return False


def _decoded(ledger: LedgerCore, projection: Projection, row: Notification) -> Any:
    return row if projection.reads_stored_events else ledger.mapper.to_domain_event(row)


class ProjectionRunner(LogFollower):
    """Keeps one projection up to date with the log."""

    lease_namespace = "projection"

    def __init__(
        self,
        ledger: LedgerCore,
        database: Database,
        projection: Projection,
        batch_size: int,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(ledger, database, policy)
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
                conn, self.ledger, self.projection, position, self.batch_size, head, self.policy
            )
            set_position(conn, self.name, reached)
        return reached, head

    def handle(self, conn: Connection[Any], notification: Notification) -> None:
        apply_one(conn, self.ledger, self.projection, notification)


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
