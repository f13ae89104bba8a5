"""One log reader per process, feeding every projection and process manager it leads.

Before, each follower ran its own thread with two connections and read, decoded and decrypted
the same rows as the eleven others; every commit woke twelve threads under one GIL. Now one
thread, on one working connection, wakes on the shared listener's NOTIFY, reads each batch of
the log once and decodes each event at most once (:mod:`infrastructure.log_batch`), and gives
every follower the events past its own position. The read models a batch concerns, and the
followers it only moves past, take it in ONE transaction: their positions checked and moved
with one statement, then their rows, no savepoint, one commit (a pass for eleven read models
was eleven transactions of six round trips each besides their rows). Rows and positions commit
together: exactly once holds as before. If one read model fails there,
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

The fan-out keeps each follower's position in memory rather than reading them all every pass
(and reads the head of the log with the batch, in one statement on its own connection): the
statement that moves the positions (:func:`projections.tracking.claim_positions`) moves only
those that stand where the fan-out expects them, so a follower moved meanwhile by another
worker or a rebuild is left out of the batch, none of its rows applied; the positions are then
read again, and another pass reads from where it stands. They are also read again at most
every ``SAFETY_PASS_SECONDS``, on a new connection and when a lease is gained.

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
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import Connection
from psycopg.pq import TransactionStatus

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.failures import describe
from infrastructure.leases import Leases
from infrastructure.listener import SharedListener
from infrastructure.log_batch import DecodeOnce, LogBatch, read_batch_to_head, union_of_topics
from infrastructure.log_follower import EVENT_STORE_UNREACHABLE, LogFollower, feed_together
from projections.applied import AppliedPositions
from projections.tracking import all_positions, claim_positions, make_positions

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSIENT = (psycopg.Error, *EVENT_STORE_UNREACHABLE, OSError)
WAKE_CHECK_SECONDS = 0.25
"""How long a wait for NOTIFY lasts before a stop request or a lease is looked at."""
SAFETY_PASS_SECONDS = 2.0
"""A pass runs at least this often even without NOTIFY: a follower backed off is tried again."""
COALESCE_SECONDS = 0.008
"""How long a pass waits for more commits once writes come steadily (see ``coalesces``), by
default (``CXL_PROJECTION_COALESCE_MS``)."""
CONCURRENT_EVENTS = 4
"""Events in one pass that say several writers' commits came together (one command's write
is one to three events)."""
STEADY_SECONDS = 0.05
"""Writes are steady while the last pass ended at most this long ago."""
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
        coalesce_seconds: float = COALESCE_SECONDS,
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
        self._known: dict[str, int] | None = None
        """Where each follower stands, as this fan-out last read or committed it (None: read
        it again). Each commit checks it (``claim_positions``): a position moved elsewhere
        leaves its follower out of the batch, and the positions are read again."""
        self._read_at = 0.0
        self._found_moved = False
        """A follower's position was found moved elsewhere during this pass."""
        self._notified = 0
        """Commits heard of (NOTIFY) since the passes under way began."""
        self.carried = 0
        """Events the passes under way have read."""
        self._unsettled: list[str] = []
        """Read models whose last commit's outcome was lost with its connection: changing
        (``AppliedPositions``) until the positions are read again."""
        self.applied = applied or AppliedPositions()
        """Where the positions this fan-out commits are told, as each commits."""
        self.coalesce_seconds = coalesce_seconds
        """How long a pass waits for more commits once writes come steadily (0: never)."""

    def run_forever(self, stop: threading.Event) -> None:
        """Lead what it can, and follow the log until ``stop`` is set."""
        wake = threading.Event()
        channel = str(getattr(self.ledger.recorder, "channel_name", "ledger_events"))

        def notified(_payload: str) -> None:
            self._notified += 1  # a lost count (no lock) only makes one pass wait or not
            wake.set()

        unsubscribe = self.listener.subscribe(channel, notified, wake.set)
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
            self._known = None  # read where every follower stands on this connection first
            last_pass = 0.0
            concurrent = 0  # commits heard of while the last passes ran
            while not stop.is_set():
                gained = self.leases.renew()
                # A lease lost with the listener's session is told here, within a wait for
                # NOTIFY, not at the next pass: reads of a read model's rows are kept only
                # while it is led here.
                self._tell_led()
                self.started.set()
                if gained:
                    self._known = None  # a follower led from now on: where another left it
                if wake.is_set() or gained or time.monotonic() - last_pass > SAFETY_PASS_SECONDS:
                    pause = coalesce_wait(
                        self.coalesce_seconds, concurrent, time.monotonic() - last_pass
                    )
                    if pause > 0:
                        stop.wait(pause)
                    wake.clear()  # a NOTIFY from now on asks for another pass
                    self._notified = self.carried = 0
                    while self.run_pass(conn) and not stop.is_set():
                        pass
                    concurrent = max(self._notified, self.carried // CONCURRENT_EVENTS)
                    self.last_error = None
                    last_pass = time.monotonic()
                wake.wait(WAKE_CHECK_SECONDS)

    def run_pass(self, conn: Connection[Any]) -> bool:
        """Feed each follower led here one batch; True if any moved and a batch stopped short
        of the head read at its start (more is waiting), or if a follower's position was
        found moved elsewhere (it is read again next pass)."""
        self._tell_led()
        positions = self._positions(conn)
        self._found_moved = False
        waiting = sorted(((positions[f.name], f) for f in self._ready()), key=lambda item: item[0])
        moved = behind = False
        while waiting:
            topics = union_of_topics([follower.topics() for _, follower in waiting])
            batch, head = read_batch_to_head(
                self.ledger,
                conn,
                waiting[0][0],
                self.batch_size,
                topics,
                DecodeOnce(self.ledger.mapper, self.ledger.undisclosed_mapper),
            )
            self.carried += len(batch.rows)
            covered = [(p, f) for p, f in waiting if batch.reaches(p)]
            idle = [f for p, f in covered if not batch.rows_for(p, f.topics())]
            busy = [f for _, f in covered if f not in idle]
            moved |= self._feed_covered(conn, idle, busy, batch, positions)
            behind |= batch.reached < head
            waiting = [item for item in waiting if batch.reached <= item[0] < head]
        # Every batch reached the head it read: nothing is waiting, and what was written since
        # has its NOTIFY, so no second pass only to find that out. A position found moved
        # elsewhere asks for one, from the positions read again.
        return (moved and behind) or self._found_moved

    def _tell_led(self) -> None:
        """Tell ``applied`` which followers this process leads now, and on which session."""
        led = [f.name for f in self.followers if self.leases.holds(f)]
        self.applied.lead(led, self.leases.term)

    def _positions(self, conn: Connection[Any]) -> dict[str, int]:
        """Where each follower led here stands: as last read or committed here, read again
        at most every ``SAFETY_PASS_SECONDS`` (a position moved elsewhere while nothing was
        written here, such as a rebuild's), after a follower was found moved, and on a new
        connection or lease. The rows a follower has not got yet are made here, so that
        every commit of a pass can check its followers' positions in one statement."""
        if self._known is None or time.monotonic() - self._read_at > SAFETY_PASS_SECONDS:
            self._read_at = time.monotonic()
            known = _all_positions(conn)
            missing = [f.name for f in self.followers if f.name not in known]
            if missing:
                _alone(conn, lambda: make_positions(conn, missing))
                known = {**{name: 0 for name in missing}, **_all_positions(conn)}
            self._known = known
            self.applied.saw(known)
            if self._unsettled:  # whether their last commit was made, the rows now show
                self.applied.changed(self._unsettled)
                self._unsettled = []
        return self._known

    def _feed_covered(
        self,
        conn: Connection[Any],
        idle: list[LogFollower],
        busy: list[LogFollower],
        batch: LogBatch,
        positions: dict[str, int],
    ) -> bool:
        """The read models with rows in the batch, and the idle followers, in one transaction
        (one commit, one statement for all their positions, no savepoint); then each process
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
        managers = [f for f in busy if f.commits_elsewhere]
        moved = False
        # Whoever keeps reads of the read models' rows (``projections.row_cache``) keeps none
        # from now until their transactions have ended (the idle ones' rows do not change; a
        # process manager's commands go to the log, after this).
        changing = [f.name for f in busy if not f.commits_elsewhere]
        self.applied.changing(changing)
        try:
            if read_models:
                moved |= self._feed_together(conn, [*read_models, *idle], batch, positions)
            elif idle:  # one statement is a transaction of its own: no BEGIN, lock or COMMIT
                moved |= self._advance(conn, idle, batch, positions)
            for follower in alone:
                if not follower.commits_elsewhere:
                    moved |= self._feed(conn, follower, batch)
        finally:
            if conn.broken:
                # A COMMIT sent on a lost connection may have been made or not: the rows
                # count as changing until the positions are read on the next connection.
                self._unsettled.extend(changing)
            else:
                self.applied.changed(changing)
        for follower in managers:
            moved |= self._feed(conn, follower, batch)
        return moved

    def _feed_together(
        self,
        conn: Connection[Any],
        followers: list[LogFollower],
        batch: LogBatch,
        positions: dict[str, int],
    ) -> bool:
        """Feed ``followers`` in one transaction; if one of them fails, each in its own, so
        that it is retried, parked or rested alone and holds back none of the others."""
        try:
            fed, moved_elsewhere = feed_together(conn, followers, batch, positions)
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
        if moved_elsewhere:
            self._moved_elsewhere()
        moved = False
        for follower, (reached, failure) in fed.items():
            positions[follower.name] = reached
            if committed:
                self.applied.announce(follower.name, reached)
            if failure is None:
                follower.last_error = None
                moved = True
            else:  # it stopped at a transient failure, its position kept
                self._failed(follower, failure)
        return moved

    def _advance(
        self,
        conn: Connection[Any],
        idle: list[LogFollower],
        batch: LogBatch,
        positions: dict[str, int],
    ) -> bool:
        """Followers with nothing to apply in the batch, when no read model has either, move
        past it in one statement (with a read model's rows they share its transaction)."""
        moves = {f.name: (positions[f.name], batch.reached) for f in idle}
        moved = _alone(conn, lambda: claim_positions(conn, moves))
        if len(moved) < len(idle):
            self._moved_elsewhere()
        committed = _committed(conn)
        for name in moved:
            positions[name] = batch.reached
            if committed:
                self.applied.announce(name, batch.reached)
        for follower in idle:
            follower.last_error = None
        return True

    def _moved_elsewhere(self) -> None:
        """A follower's position is not where this fan-out last knew it (another worker or a
        rebuild moved it): the positions are read again, in another pass."""
        self._known = None
        self._found_moved = True

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
        """Feed ``follower`` alone (it reads its position itself): where it then stands is
        read again, unless it says."""
        try:
            reached = follower.feed(conn, batch)
        except Exception as error:
            self._known = None  # where it stands is read again (without asking for a pass)
            self._failed(follower, error)
            if conn.broken:
                raise  # the working connection is gone: every follower waits for a new one
            return False
        follower.last_error = None
        if reached is None:  # moved elsewhere (a process manager's: by another runner first)
            self._moved_elsewhere()
            return False
        if self._known is not None:
            self._known[follower.name] = reached
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


def coalesce_wait(setting: float, concurrent: int, since_last_pass: float) -> float:
    """Seconds the next pass first waits for more commits: ``setting`` (``CXL_PROJECTION_
    COALESCE_MS``; 0 turns the wait off) when :func:`coalesces`, else none."""
    return setting if setting > 0 and coalesces(concurrent, since_last_pass) else 0.0


def coalesces(concurrent: int, since_last_pass: float) -> bool:
    """Whether a pass should first wait (``coalesce_wait``) for more commits: when the last
    passes, which ended just now, saw signs of concurrent writers (``concurrent``: a commit
    heard while they ran, or as many events as several commands write). A lone writer that
    waits for its write to show (read-your-writes) commits again only after the pass that
    applied its last write, one command's events at a time: its commits are applied at once.
    Each pass has a fixed cost (its batch's read, its transaction, each read model's own
    statements) whatever it carries, and every writer waits for the pass that shows its write:
    under 16 clients' registrations a pass carried 8 of them, and the wait made it more, for
    less CPU each and no more latency."""
    return concurrent > 0 and since_last_pass < STEADY_SECONDS


def _committed(conn: Connection[Any]) -> bool:
    """True if no transaction is open on ``conn``: what its last block wrote is committed,
    not a savepoint of a caller's transaction, and may be announced."""
    return conn.info.transaction_status == TransactionStatus.IDLE


def _alone(conn: Connection[Any], statement: Callable[[], T]) -> T:
    """Run ``statement`` (one statement) as a transaction of its own: on an autocommit
    connection it is one already, with no BEGIN and COMMIT round trips."""
    if conn.autocommit:
        return statement()
    with conn.transaction():
        return statement()


def _all_positions(conn: Connection[Any]) -> dict[str, int]:
    return _alone(conn, lambda: all_positions(conn))
