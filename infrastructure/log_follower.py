"""What every follower of the notification log shares: one batch (one transaction) at a time,
from its own tracking position, with the position row locked meanwhile.

A follower is run by the process's :class:`infrastructure.log_fanout.LogFanOut`, which reads
each batch once and feeds it to every follower it leads, several in one transaction
(:func:`feed_together`) or one alone (:meth:`LogFollower.feed`), or caught up on its own
(:meth:`LogFollower.catch_up`: a job's read model, the erasure index, tests). The advisory-lock
lease that lets several workers share the followers is the fan-out's.
"""

from __future__ import annotations

import logging
import threading
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

from eventsourcing.persistence import InterfaceError, Notification, OperationalError
from psycopg import Connection

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.log_batch import DecodeOnce, LogBatch, read_batch
from infrastructure.parking import RetryPolicy
from projections.tracking import (
    claim_positions,
    lock_position,
    position_of,
    set_position,
    set_positions,
)

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
    commits_elsewhere: ClassVar[bool] = False
    """True for a follower whose work commits on connections of its own (a process manager's
    commands): the log fan-out never makes read models' commits wait for it."""

    def __init__(
        self,
        ledger: LedgerCore,
        database: Database,
        batch_size: int,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.ledger = ledger
        self.database = database
        self.batch_size = batch_size
        self.policy = policy or RetryPolicy()
        self.last_error: str | None = None

    @property
    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def topics(self) -> frozenset[str] | None:
        """The event topics this follower reads (None: every topic)."""

    @abstractmethod
    def apply(
        self, conn: Connection[Any], rows: Sequence[Notification], reached: int, decode: DecodeOnce
    ) -> tuple[int, Exception | None]:
        """Apply (or react to) ``rows``, all the follower's events up to ``reached``, inside the
        caller's transaction; return the position to record, and a transient failure to raise
        once it is recorded (None if there was none)."""

    def apply_together(
        self, conn: Connection[Any], rows: Sequence[Notification], reached: int, decode: DecodeOnce
    ) -> tuple[int, Exception | None]:
        """``apply``, in a transaction shared with other followers (:func:`feed_together`),
        with no savepoint of its own where it can do without: a failure raises, loses the
        shared transaction, and the fan-out feeds each follower alone, where it is retried,
        parked or rested as usual."""
        return self.apply(conn, rows, reached, decode)

    @abstractmethod
    def handle(self, conn: Connection[Any], notification: Notification) -> None:
        """Apply (or react to) one stored event alone, inside the caller's transaction: what
        replaying a parked event runs."""

    @property
    def lease_key(self) -> int:
        """The advisory-lock key of this follower's lease."""
        return zlib.crc32(f"cxl-{self.lease_namespace}:{self.name}".encode())

    def run_batch(self, conn: Connection[Any]) -> tuple[int, int]:
        """Read and handle one batch on its own; return (position reached, head). Reached ==
        head: caught up.

        The head, the batch and its keys are read before the batch's transaction opens, each on
        a connection of the ledger's that is given back at once: behind a transaction-mode
        pooler, a transaction waiting for a second server session while holding one is how a
        few jobs catching up at once took every session and stalled everyone (the pooler's
        queue wait, two minutes by default, was the only way out)."""
        while True:
            with conn.transaction():
                position = position_of(conn, self.name)
            head = self.ledger.head_position()
            if head <= position:
                return position, head
            batch = read_batch(self.ledger, position, head, self.batch_size, self.topics())
            batch.decode.prepare()
            reached = self.feed(conn, batch)
            if reached is not None:
                return reached, head
            # Another worker or a rebuild moved the position meanwhile: read it again.

    def feed(self, conn: Connection[Any], batch: LogBatch) -> int | None:
        """Handle the part of ``batch`` past this follower's position, in a transaction of its
        own that records the new position; return it. None (and nothing done) when the batch
        does not hold what comes next for it (another worker or a rebuild moved it)."""
        with conn.transaction():
            position = lock_position(conn, self.name)
            if not batch.reaches(position):
                return None
            rows = batch.rows_for(position, self.topics())
            reached, failure = self.apply(conn, rows, batch.reached, batch.decode)
            set_position(conn, self.name, reached)
        if failure is not None:
            raise failure
        return reached

    def catch_up(self, conn: Connection[Any], progress: Progress | None = None) -> int:
        while True:
            reached, head = self.run_batch(conn)
            if progress is not None:
                progress(reached, head)
            if reached >= head:
                return reached

    def note_error(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {error}"
        log.warning("%s %s: %s", self.lease_namespace, self.name, self.last_error)


def feed_together(
    conn: Connection[Any],
    followers: Sequence[LogFollower],
    batch: LogBatch,
    positions: Mapping[str, int],
) -> tuple[dict[LogFollower, tuple[int, Exception | None]], list[LogFollower]]:
    """:meth:`LogFollower.feed` for several followers in ONE transaction, each from the
    position the caller knows it at (``positions``, which the batch must reach): their
    positions checked and moved to the batch's end with one statement before anything is
    applied (:func:`claim_positions`), their rows applied after it, one commit. Returns what
    each follower fed returned from ``apply_together`` (the position recorded, a failure to
    deal with now it is), and the followers left out because their position is not the one
    the caller knew (another worker or a rebuild moved it: read it again). A failure of any of
    them raises, and nothing is kept."""
    fed: dict[LogFollower, tuple[int, Exception | None]] = {}
    with conn.transaction():
        claimed = claim_positions(
            conn, {f.name: (positions[f.name], batch.reached) for f in followers}
        )
        for follower in followers:
            if follower.name not in claimed:
                continue
            rows = batch.rows_for(positions[follower.name], follower.topics())
            if rows:
                fed[follower] = follower.apply_together(conn, rows, batch.reached, batch.decode)
            else:
                fed[follower] = (batch.reached, None)
        short = {f.name: reached for f, (reached, _) in fed.items() if reached != batch.reached}
        if short:  # a follower that stopped before the batch's end (none of today's)
            set_positions(conn, short)
    return fed, [follower for follower in followers if follower.name not in claimed]
