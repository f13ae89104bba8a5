"""One log reader per process, feeding every projection and process manager it leads.

Before, each follower ran its own thread with two connections and read, decoded and decrypted
the same rows as the eleven others; every commit woke twelve threads under one GIL. Now one
thread, on one working connection, wakes on the shared listener's NOTIFY, reads each batch of
the log once and decodes each event at most once (:mod:`infrastructure.log_batch`), and gives
every follower the events past its own position. The read models a batch concerns, and the
followers it only moves past, take it in ONE transaction: their positions locked with one
statement and recorded with another, their rows between, no savepoint, one commit (a pass for
eleven read models was eleven transactions of six round trips each besides their rows). Rows
and positions commit together: exactly once holds as before. If one read model fails there,
the transaction is rolled back and each is fed again in its own (:meth:`LogFollower.feed`:
savepoint, retries, parking), so a failing read model parks or rests alone and undoes none of
the others' progress; until it applies again it is fed alone. The process managers take the
batch afterwards, each with no transaction open while its commands run (they commit on
connections of their own; a transaction held meanwhile kept a pooler's session idle, see
:mod:`infrastructure.process_manager_runner`), so that their commands never hold back the
commit the API's read-your-writes waits for.

A pass serves every follower it leads by one batch: it reads from the lowest position among
them, feeds each follower whose position that batch covers, then reads the next batch from the
lowest position left uncovered, and so on. Followers at the same place share one read and one
decode; one far behind (new, or after a rebuild) gets its own batch each pass and never holds
back the followers at the head, which get theirs in the same pass; as it catches up it meets
them and from then on shares their batches.

A follower that fails is backed off alone (its error shown in /health); the others go on. The
leases (:mod:`infrastructure.leases`) decide which followers this process leads; a lease gained
later (another worker died) starts being fed at the next pass.

Each position a pass commits (and each it reads) is announced in-process, once committed
(:class:`projections.applied.AppliedPositions`): the API's read-your-writes waits wake on it
rather than poll the positions table.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import Connection
from psycopg.pq import TransactionStatus

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.failures import describe
from infrastructure.leases import Leases
from infrastructure.listener import SharedListener
from infrastructure.log_batch import DecodeOnce, LogBatch, read_batch, union_of_topics
from infrastructure.log_follower import EVENT_STORE_UNREACHABLE, LogFollower, feed_together
from projections.applied import AppliedPositions
from projections.tracking import advance_positions, all_positions

log = logging.getLogger(__name__)

TRANSIENT = (psycopg.Error, *EVENT_STORE_UNREACHABLE, OSError)
WAKE_CHECK_SECONDS = 0.25
"""How long a wait for NOTIFY lasts before a stop request or a lease is looked at."""
SAFETY_PASS_SECONDS = 2.0
"""A pass runs at least this often even without NOTIFY: a follower backed off is tried again."""
BACK_OFF = {True: 1.0, False: 5.0}
"""Seconds a follower rests after a failure: a lost connection (True), or a bug (False)."""


class LogFanOut:
    """Reads the log once per batch for every follower this process leads."""

    name = "log-fanout"

    def __init__(
        self,
        followers: Sequence[LogFollower],
        listener: SharedListener,
        database: Database,
        applied: AppliedPositions | None = None,
    ) -> None:
        if not followers:
            raise ValueError("a log fan-out needs followers")
        self.followers = list(followers)
        self.ledger: LedgerCore = followers[0].ledger
        self.database = database
        self.listener = listener
        self.leases = Leases(listener, self.followers)
        self.batch_size = min(follower.batch_size for follower in self.followers)
        self.last_error: str | None = None
        self.started = threading.Event()
        """Set once the first try for the leases is over: from then on a NOTIFY is heard."""
        self._resting_until: dict[str, float] = {}
        self.applied = applied or AppliedPositions()
        """Where the positions this fan-out commits are told, as each commits."""

    def run_forever(self, stop: threading.Event) -> None:
        """Lead what it can, and follow the log until ``stop`` is set."""
        wake = threading.Event()
        channel = str(getattr(self.ledger.recorder, "channel_name", "ledger_events"))
        unsubscribe = self.listener.subscribe(channel, lambda _payload: wake.set(), wake.set)
        try:
            self.listener.wait_connected(5.0)
            while not stop.is_set():
                try:
                    self._follow(stop, wake)
                except TRANSIENT as error:
                    self._note_error(error)
                    stop.wait(BACK_OFF[True])
                except Exception as error:  # a bug: keep the server up, report it
                    log.exception("the log fan-out failed")
                    self._note_error(error)
                    stop.wait(BACK_OFF[False])
        finally:
            self.started.set()
            unsubscribe()
            self.applied.lead(())  # nothing applied here is announced from now on
            self.leases.release_all()

    def _follow(self, stop: threading.Event, wake: threading.Event) -> None:
        with self.database.connect(autocommit=True) as conn:
            last_pass = 0.0
            while not stop.is_set():
                gained = self.leases.renew()
                self.started.set()
                if wake.is_set() or gained or time.monotonic() - last_pass > SAFETY_PASS_SECONDS:
                    wake.clear()  # a NOTIFY from now on asks for another pass
                    while self.run_pass(conn) and not stop.is_set():
                        pass
                    self.last_error = None
                    last_pass = time.monotonic()
                wake.wait(WAKE_CHECK_SECONDS)

    def run_pass(self, conn: Connection[Any]) -> bool:
        """Feed each follower led here one batch; True if any moved and a batch stopped short
        of the head read at its start (more is waiting)."""
        head = self.ledger.head_position()
        positions = _positions(conn)
        self.applied.lead([f.name for f in self.followers if self.leases.holds(f)])
        self.applied.saw(positions)
        waiting = sorted(
            (
                (positions.get(f.name, 0), f)
                for f in self._ready()
                if positions.get(f.name, 0) < head
            ),
            key=lambda item: item[0],
        )
        moved = behind = False
        while waiting:
            topics = union_of_topics([follower.topics() for _, follower in waiting])
            batch = read_batch(
                self.ledger,
                waiting[0][0],
                head,
                self.batch_size,
                topics,
                DecodeOnce(self.ledger.mapper, self.ledger.undisclosed_mapper),
            )
            covered = [(p, f) for p, f in waiting if batch.reaches(p)]
            idle = [
                f for p, f in covered if f.name in positions and not batch.rows_for(p, f.topics())
            ]
            busy = [f for _, f in covered if f not in idle]
            moved |= self._feed_covered(conn, idle, busy, batch)
            behind |= batch.reached < head
            waiting = [item for item in waiting if item[0] >= batch.reached]
        # Every batch reached the head read at the start: nothing is waiting, and what was
        # written since has its NOTIFY, so no second pass only to find that out.
        return moved and behind

    def _feed_covered(
        self,
        conn: Connection[Any],
        idle: list[LogFollower],
        busy: list[LogFollower],
        batch: LogBatch,
    ) -> bool:
        """The read models with rows in the batch, and the idle followers, in one transaction
        (one commit, two statements for all their positions, no savepoint); then each process
        manager, with no transaction open while it reacts; a follower that failed last time
        alone, as before."""
        if busy:
            # The batch's keys are fetched now, on a connection given back at once: fetched
            # by the first decode, inside the transaction below, they held its server session
            # (and its position rows' locks) while waiting for a second one; behind a
            # transaction-mode pooler whose other sessions were held by jobs waiting for those
            # locks, nobody moved until the pooler's queue timeout (a /health held 60 s in CI).
            batch.decode.prepare()
        alone = [f for f in busy if f.last_error is not None]
        read_models = [f for f in busy if f not in alone and not f.commits_elsewhere]
        managers = [f for f in busy if f not in alone and f.commits_elsewhere]
        moved = False
        if read_models:
            moved |= self._feed_together(conn, [*read_models, *idle], batch)
        elif idle:  # one statement is a transaction of its own: no BEGIN, lock or COMMIT
            moved |= self._advance(conn, idle, batch)
        for follower in [*managers, *alone]:
            moved |= self._feed(conn, follower, batch)
        return moved

    def _feed_together(
        self, conn: Connection[Any], followers: list[LogFollower], batch: LogBatch
    ) -> bool:
        """Feed ``followers`` in one transaction; if one of them fails, each in its own, so
        that it is retried, parked or rested alone and holds back none of the others."""
        try:
            fed = feed_together(conn, followers, batch)
        except Exception as error:
            if conn.broken:
                raise  # the working connection is gone: every follower waits for a new one
            log.info(
                "the log fan-out: %s followers failed together (%s: %s); each alone now",
                len(followers), *describe(error),
            )  # fmt: skip
            moved = False
            for follower in followers:
                moved |= self._feed(conn, follower, batch)
            return moved
        committed = _committed(conn)
        moved = False
        for follower, (reached, failure) in fed.items():
            if committed:
                self.applied.announce(follower.name, reached)
            if failure is None:
                follower.last_error = None
                moved = True
            else:  # it stopped at a transient failure, its position kept
                self._failed(follower, failure)
        return moved

    def _advance(self, conn: Connection[Any], idle: list[LogFollower], batch: LogBatch) -> bool:
        """Followers with nothing to apply in the batch, when no read model has either, move
        past it in one statement (with a read model's rows they share its transaction)."""
        names = [f.name for f in idle]
        if conn.autocommit:  # one statement is its own transaction: no BEGIN and COMMIT
            moved = advance_positions(conn, names, batch.after, batch.reached)
        else:
            with conn.transaction():
                moved = advance_positions(conn, names, batch.after, batch.reached)
        if _committed(conn):
            for name in moved:
                self.applied.announce(name, batch.reached)
        for follower in idle:
            follower.last_error = None
        return True

    def errors(self) -> dict[str, str]:
        found = {f.name: f.last_error for f in self.followers if f.last_error}
        if self.last_error:
            found[self.name] = self.last_error
        return found

    def _ready(self) -> list[LogFollower]:
        now = time.monotonic()
        return [
            f
            for f in self.followers
            if self.leases.holds(f) and self._resting_until.get(f.name, 0.0) <= now
        ]

    def _feed(self, conn: Connection[Any], follower: LogFollower, batch: LogBatch) -> bool:
        try:
            reached = follower.feed(conn, batch)
        except Exception as error:
            self._failed(follower, error)
            if conn.broken:
                raise  # the working connection is gone: every follower waits for a new one
            return False
        follower.last_error = None
        if reached is None:
            return False
        if _committed(conn):
            self.applied.announce(follower.name, reached)
        return True

    def _failed(self, follower: LogFollower, error: Exception) -> None:
        transient = isinstance(error, TRANSIENT)
        if not transient:  # a bug: its traceback is wanted
            log.error("%s %s failed", follower.lease_namespace, follower.name, exc_info=error)
        self._rest(follower, error, transient=transient)

    def _rest(self, follower: LogFollower, error: BaseException, *, transient: bool) -> None:
        follower.note_error(error)
        self._resting_until[follower.name] = time.monotonic() + BACK_OFF[transient]

    def _note_error(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {error}"
        log.warning("the log fan-out: %s", self.last_error)


def _committed(conn: Connection[Any]) -> bool:
    """True if no transaction is open on ``conn``: what its last block wrote is committed,
    not a savepoint of a caller's transaction, and may be announced."""
    return conn.info.transaction_status == TransactionStatus.IDLE


def _positions(conn: Connection[Any]) -> dict[str, int]:
    if conn.autocommit:  # one statement is its own transaction: no BEGIN and COMMIT round trips
        return all_positions(conn)
    with conn.transaction():
        return all_positions(conn)
