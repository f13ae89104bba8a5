"""Loyalty's scheduled maintenance: expire the points whose time has come, and move members
down a tier when their points age out of the trailing window.

Candidates come from the loyalty read model, brought up to date first; the ledger's command
decides from the aggregate itself, so a candidate that no longer qualifies changes nothing and
running the job twice expires nothing more. It runs in the worker every
``CXL_LOYALTY_JOB_INTERVAL`` seconds (one worker at a time) and as `cxledger expire-points`.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from psycopg import Connection

from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.listener import SharedListener
from infrastructure.log_follower import LogFollower
from projections.loyalty.maintenance import (
    customers_due_for_expiry,
    customers_due_for_tier_review,
)

log = logging.getLogger(__name__)

Candidates = Callable[[Connection[Any], datetime, int], list[UUID]]
ACTOR_ID = "loyalty-expiry"
RETRY_AFTER_FAILURE = 60.0
"""The longest pause before a failed run is tried again (sooner than the next scheduled run)."""
FIRST_RETRY = 2.0
"""The pause after a first failure, doubled after each failure that follows: a transient one
(a pool busy at start-up behind a pooler) clears within seconds, not a minute."""
LISTENER_WAIT = 10.0


@dataclass(frozen=True, slots=True)
class JobSummary:
    """What one run of the job did."""

    at: datetime
    accounts_touched: int
    """Accounts on which the run recorded something."""
    points_expired: int
    tier_changes: int
    passed_over: int
    """Accounts whose command was refused (logged; the next run tries them again)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "accounts_touched": self.accounts_touched,
            "points_expired": self.points_expired,
            "tier_changes": self.tier_changes,
            "passed_over": self.passed_over,
        }


@dataclass
class _Tally:
    accounts_touched: int = 0
    points_expired: int = 0
    tier_changes: int = 0
    passed_over: int = 0


class LoyaltyJobs:
    """Expiry and tier review over every account that needs it, in batches."""

    def __init__(
        self, ledger: Ledger, database: Database, read_model: LogFollower, batch_size: int = 200
    ) -> None:
        self.ledger = ledger
        self.database = database
        self.read_model = read_model
        self.batch_size = batch_size

    def run(self, now: datetime | None = None) -> JobSummary:
        """Expire what is due at ``now`` (default: the present) and review those tiers."""
        at = now or datetime.now(UTC)
        run_id = uuid4()
        metadata = EventMetadata(ACTOR_ID, Role.SYSTEM, Channel.SYSTEM, run_id, run_id)
        tally = _Tally()
        done: set[UUID] = set()
        for candidates in (customers_due_for_expiry, customers_due_for_tier_review):
            while batch := self._next_batch(candidates, at, done):
                for customer_id in batch:
                    self._maintain(customer_id, metadata, at, tally)
                done.update(batch)
        summary = JobSummary(at, **vars(tally))
        log.info("loyalty job: %s", summary.as_dict())
        return summary

    def _next_batch(self, candidates: Candidates, at: datetime, done: set[UUID]) -> list[UUID]:
        # Accounts already handled this run drop out of the read model once it catches up;
        # any that stay (a refused command) must not make the run loop on them.
        with self.database.connect() as conn:
            self.read_model.catch_up(conn)
            return [c for c in candidates(conn, at, self.batch_size) if c not in done]

    def _maintain(
        self, customer_id: UUID, metadata: EventMetadata, at: datetime, tally: _Tally
    ) -> None:
        try:
            before = self.ledger.get_loyalty_account(customer_id).version
            result, expired = self.ledger.expire_points(customer_id, metadata, at)
        except DomainError as error:
            log.warning("loyalty job passed over %s: %s %s", customer_id, error.code, error)
            tally.passed_over += 1
            return
        if result.version == before:
            return
        tally.accounts_touched += 1
        tally.points_expired += expired
        tally.tier_changes += sum(
            1
            for event in self.ledger.events.get(result.aggregate_id, gt=before)
            if isinstance(event, LoyaltyAccount.TierChanged)
            and event.metadata.correlation_id == metadata.correlation_id
        )


class ScheduledJob:
    """Runs a job at start and then every ``interval`` seconds, in one worker at a time: the
    one holding its advisory lock, on the process's shared listener session when it is given
    (no connection of the job's own), else on a direct connection held while the job runs."""

    def __init__(
        self,
        name: str,
        database: Database,
        job: Callable[[], object],
        interval: float,
        listener: SharedListener | None = None,
    ) -> None:
        self.name = name
        self.database = database
        self.job = job
        self.interval = interval
        self.listener = listener
        self.last_error: str | None = None

    def run_forever(self, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set():
            failures = 0 if self.run_safely() else failures + 1
            stop.wait(self.interval if failures == 0 else self.pause_after_failures(failures))

    def run_safely(self) -> bool:
        """One run; a failure is logged and kept for /health, and the worker stays up."""
        try:
            self.run_once()
        except Exception as error:  # keep the worker up; report it in /health
            log.exception("scheduled job %s failed", self.name)
            self.last_error = f"{type(error).__name__}: {error}"
            return False
        self.last_error = None
        return True

    def pause_after_failures(self, failures: int) -> float:
        """The pause after ``failures`` failed runs in a row: FIRST_RETRY, doubling up to
        RETRY_AFTER_FAILURE (never longer than the interval)."""
        backoff: float = FIRST_RETRY * 2.0 ** (failures - 1)
        return min(self.interval, RETRY_AFTER_FAILURE, backoff)

    def run_once(self) -> bool:
        """Run the job unless another worker is running it; True if it ran here."""
        key = zlib.crc32(f"cxl-job:{self.name}".encode())
        if self.listener is not None:
            return self._run_holding_lock_on(self.listener, key)
        # A session lock: a direct connection, never through a transaction-mode pooler.
        with self.database.connect(autocommit=True, direct=True) as conn:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if not (row and row[0]):
                return False
            self.job()  # the lock goes with the connection
            return True

    def _run_holding_lock_on(self, listener: SharedListener, key: int) -> bool:
        listener.wait_connected(LISTENER_WAIT)  # the worker starts with the listener
        if not listener.call(lambda conn: _try_lock(conn, key)):
            return False
        try:
            self.job()
        finally:
            listener.call(lambda conn: conn.execute("SELECT pg_advisory_unlock(%s)", (key,)))
        return True


def _try_lock(conn: Connection[Any], key: int) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
    return bool(row and row[0])
