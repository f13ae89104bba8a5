"""Runs projections: batched catch-up, then live following of the log by LISTEN/NOTIFY.

Each batch is one transaction holding the read-model writes and the new tracking position, so a
crash at any instant leaves the read model exactly at a recorded position. A batch is applied
whole in one savepoint; if one of its events fails, the batch is applied again event by event,
each with bounded retries, and an event that fails every try is parked in the same transaction
(:mod:`infrastructure.parking`), so one bad event never stops the read model. The log fan-out
first applies a batch without that savepoint, in a transaction shared with the other read
models (``apply_together``), and falls back to this path when one of them fails. The lease and
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
from infrastructure.listener import SharedListener
from infrastructure.log_batch import DecodeOnce, LogBatch, read_batch
from infrastructure.log_fanout import COALESCE_SECONDS, LogFanOut
from infrastructure.log_follower import BackgroundTask, LogFollower, Progress
from infrastructure.parking import RetryPolicy, apply_or_park
from projections.applied import AppliedPositions
from projections.base import Positioned, Projection

__all__ = [
    "Progress",
    "ProjectionRunner",
    "ProjectionWorker",
    "RetryPolicy",
    "apply_next_batch",
    "apply_one",
    "apply_rows",
    "decode_ahead",
    "topics_of",
]

log = logging.getLogger(__name__)

STARTUP_WAIT = 5.0
"""Longest wait in ``ProjectionWorker.start`` for the fan-out to try for its leases."""


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
    batch = read_batch(ledger, after, head, batch_size, topics_of(projection))
    apply_rows(conn, projection, batch.rows, batch.decode, policy or RetryPolicy(), parked_as)
    return batch.reached


def decode_ahead(projection: Projection, batch: LogBatch) -> None:
    """Decode ``batch``'s rows as ``projection`` will read them, kept in ``batch.decode`` for
    :func:`apply_rows`: work a reader thread may do while the database applies the batch
    before. A row that fails to decode is left undecoded: applying it decodes it again and
    fails there, retried and parked as usual."""
    if projection.reads_stored_events:
        return
    for row in batch.rows:
        try:
            _decoded(projection, row, batch.decode)
        except Exception:  # noqa: S112 - raised again, and handled, when the row is applied
            continue


def apply_rows(
    conn: Connection[Any],
    projection: Projection,
    rows: Sequence[Notification],
    decode: DecodeOnce,
    policy: RetryPolicy,
    parked_as: str | None = None,
) -> None:
    """Apply ``rows`` whole in one savepoint; if one of them fails, each alone, parking (under
    ``parked_as``, by default the projection's name) each that fails every retry."""
    if rows and not _applied_together(conn, projection, rows, decode):
        for row in rows:
            apply_or_park(
                conn,
                parked_as or projection.name,
                row,
                lambda event: apply_one(conn, projection, event, decode),
                policy,
                may_park=projection.parks_failures,
            )


def apply_one(
    conn: Connection[Any], projection: Projection, row: Notification, decode: DecodeOnce
) -> None:
    """Apply the stored event ``row`` alone, inside the caller's transaction."""
    with conn.cursor() as cursor:
        projection.apply(cursor, [Positioned(row.id, _decoded(projection, row, decode))])


def topics_of(projection: Projection) -> frozenset[str] | None:
    """The topics a projection reads; None when it reads every event (the audit chain)."""
    return frozenset(projection.topics()) or None


def _applied_together(
    conn: Connection[Any], projection: Projection, rows: Sequence[Notification], decode: DecodeOnce
) -> bool:
    """The usual path: the whole batch in one savepoint. False (and nothing written) if an
    event of it failed in a way that is not transient."""
    try:
        with conn.transaction(), conn.cursor() as cursor:
            projection.apply(cursor, _positioned(projection, rows, decode))
        return True
    except Exception as error:
        if is_transient(error):
            raise
        log.warning(
            "%s: a batch of %s events failed (%s: %s); applying them one at a time",
            projection.name, len(rows), *describe(error),
        )  # fmt: skip
        return False


def _positioned(
    projection: Projection, rows: Sequence[Notification], decode: DecodeOnce
) -> list[Positioned]:
    """Each row as ``projection`` reads it (see ``_decoded``), at its position: the choice made
    once for the batch, not per row."""
    if projection.reads_stored_events:
        return [Positioned(row.id, row) for row in rows]
    read = decode if projection.reads_personal_data else decode.undisclosed
    return [Positioned(row.id, read(row)) for row in rows]


def _decoded(projection: Projection, row: Notification, decode: DecodeOnce) -> Any:
    if projection.reads_stored_events:
        return row
    return decode(row) if projection.reads_personal_data else decode.undisclosed(row)


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
        super().__init__(ledger, database, batch_size, policy)
        self.projection = projection
        # Worked out once: a read model's topics are its class's, and the fan-out asks for
        # them several times a pass (a topic string per event class each time, before).
        self._topics = topics_of(projection)

    @property
    def name(self) -> str:
        return self.projection.name

    def topics(self) -> frozenset[str] | None:
        return self._topics

    def apply(
        self, conn: Connection[Any], rows: Sequence[Notification], reached: int, decode: DecodeOnce
    ) -> tuple[int, Exception | None]:
        apply_rows(conn, self.projection, rows, decode, self.policy)
        return reached, None

    def apply_together(
        self, conn: Connection[Any], rows: Sequence[Notification], reached: int, decode: DecodeOnce
    ) -> tuple[int, Exception | None]:
        """The whole batch with no savepoint: when it fails, the shared transaction is lost
        and ``apply`` runs again in one of the read model's own."""
        with conn.cursor() as cursor:
            self.projection.apply(cursor, _positioned(self.projection, rows, decode))
        return reached, None

    def handle(self, conn: Connection[Any], notification: Notification) -> None:
        decode = DecodeOnce(self.ledger.mapper, self.ledger.undisclosed_mapper)
        apply_one(conn, self.projection, notification, decode)


class ProjectionWorker:
    """The background work of one process: its log followers (projections and process
    managers) fed by one :class:`LogFanOut` thread, and one thread per other task (the
    scheduled jobs), started and stopped together. Without a ``listener`` it makes its own
    (its own LISTEN session); the composition root hands it the process's shared one."""

    def __init__(
        self,
        runners: Sequence[BackgroundTask | LogFollower],
        listener: SharedListener | None = None,
        coalesce_seconds: float = COALESCE_SECONDS,
    ) -> None:
        self.runners = list(runners)
        self.coalesce_seconds = coalesce_seconds
        self.followers = [r for r in runners if isinstance(r, LogFollower)]
        self.tasks: list[BackgroundTask] = [r for r in runners if not isinstance(r, LogFollower)]
        self.fanout: LogFanOut | None = None
        self.applied = AppliedPositions()
        """The positions its followers commit, told as they commit (the API's read-your-writes
        waits listen: ``ApiServices.applied``)."""
        self._listener = listener
        self._own_listener: SharedListener | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stop.clear()
        tasks = list(self.tasks)
        if self.followers:
            database = self.followers[0].database
            listener = self._listener
            if listener is None:
                listener = self._own_listener = SharedListener(database)
                listener.start()
            self.fanout = LogFanOut(
                self.followers, listener, database, self.applied, self.coalesce_seconds
            )
            tasks.insert(0, self.fanout)
        for task in tasks:
            thread = threading.Thread(
                target=task.run_forever, args=(self._stop,), name=f"worker-{task.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        if self.fanout is not None:
            # Return once it leads what it can: what is written next is followed at once.
            self.fanout.started.wait(STARTUP_WAIT)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()
        if self._own_listener is not None:
            self._own_listener.stop()
            self._own_listener = None

    def errors(self) -> dict[str, str]:
        found = {t.name: t.last_error for t in self.tasks if t.last_error}
        found.update({f.name: f.last_error for f in self.followers if f.last_error})
        if self.fanout is not None and self.fanout.last_error:
            found[self.fanout.name] = self.fanout.last_error
        return found
