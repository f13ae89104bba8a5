"""The log-in throttle in PostgreSQL: its windows, replicas sharing one count, and the four
counts (email and address together, email, address, all) that decide who may still try."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from domain.ledger import Ledger
from infrastructure.database import Database
from infrastructure.login import LoginThrottle, ThrottlePolicy

ADA, BOB = "ada-key", "bob-key"
MALLORY, HOME = "mallory-address", "home-address"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_attempts_are_admitted_again_once_the_window_has_passed(
    ledger: Ledger, database: Database
) -> None:
    clock = Clock()
    throttle = LoginThrottle(database.connect, ThrottlePolicy(5, timedelta(minutes=15)), clock)
    assert [throttle.admit(ADA, MALLORY) for _ in range(6)] == [True] * 5 + [False]
    clock.now += timedelta(minutes=14, seconds=59)
    assert throttle.admit(ADA, MALLORY) is False
    clock.now += timedelta(seconds=1)
    assert throttle.admit(ADA, MALLORY) is True


def test_two_replicas_share_one_count(ledger: Ledger, database: Database) -> None:
    clock = Clock()
    replicas = [LoginThrottle(database.connect, clock=clock) for _ in range(2)]
    admitted = [replicas[i % 2].admit(ADA, MALLORY) for i in range(6)]
    assert admitted == [True] * 5 + [False]


def test_parallel_attempts_cannot_slip_past_the_limit(ledger: Ledger, database: Database) -> None:
    throttle = LoginThrottle(database.connect)
    with ThreadPoolExecutor(8) as pool:
        admitted = list(pool.map(lambda _: throttle.admit(ADA, MALLORY), range(24)))
    assert admitted.count(True) == 5


def _wait_until_waiting_on_locks(database: Database, backends: int) -> None:
    deadline = time.monotonic() + 30
    with database.connect(autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row is not None and row[0] >= backends:
                return
            time.sleep(0.02)
    raise AssertionError(f"{backends} backends never waited on a lock")


def test_a_success_and_a_failed_attempt_of_one_email_at_once_do_not_deadlock(
    ledger: Ledger, database: Database
) -> None:
    # A failed attempt counts the pair row first and a success forgets it last. Held up by a
    # lock on the email row, the success queues first and the attempt second; in the callers'
    # orders the attempt then held the pair while the success, next on the email row, waited
    # to delete the pair: PostgreSQL aborted one with a deadlock. Both now lock in one order.
    throttle = LoginThrottle(database.connect)
    throttle.admit(ADA, HOME)
    with database.connect() as holder, ThreadPoolExecutor(2) as pool:
        holder.execute("UPDATE cxl_throttle_counters SET hits = hits WHERE scope = 'log-in email'")
        success: Future[None] = pool.submit(throttle.succeeded, ADA, HOME)
        _wait_until_waiting_on_locks(database, 1)
        attempt: Future[bool] = pool.submit(throttle.admit, ADA, HOME)
        _wait_until_waiting_on_locks(database, 2)
        holder.commit()
        success.result(timeout=30)
        assert attempt.result(timeout=30) is True


def test_a_success_forgets_the_failures_of_that_address(ledger: Ledger, database: Database) -> None:
    throttle = LoginThrottle(database.connect)
    for _ in range(5):
        throttle.admit(ADA, HOME)
    throttle.succeeded(ADA, HOME)
    assert throttle.admit(ADA, HOME) is True


def test_an_address_locked_out_of_an_email_leaves_other_addresses_in(
    ledger: Ledger, database: Database
) -> None:
    throttle = LoginThrottle(database.connect)
    assert [throttle.admit(ADA, MALLORY) for _ in range(6)] == [True] * 5 + [False]
    assert throttle.admit(ADA, HOME) is True


def test_failures_from_every_address_together_lock_the_email(
    ledger: Ledger, database: Database
) -> None:
    throttle = LoginThrottle(database.connect, ThrottlePolicy(max_failures_per_email=8))
    admitted = [throttle.admit(ADA, f"address-{n}") for n in range(10)]
    assert admitted == [True] * 8 + [False] * 2


def test_one_address_spraying_many_emails_is_refused_past_its_limit(
    ledger: Ledger, database: Database
) -> None:
    throttle = LoginThrottle(database.connect, ThrottlePolicy(max_failures_per_address=20))
    admitted = [throttle.admit(f"email-{n}", MALLORY) for n in range(25)]
    assert admitted == [True] * 20 + [False] * 5
    assert throttle.admit(BOB, HOME) is True


def test_a_refused_attempt_counts_nowhere(ledger: Ledger, database: Database) -> None:
    """Mallory, locked out of Ada's account, keeps trying: the per-email count, which would
    lock Ada out everywhere, does not move."""
    throttle = LoginThrottle(database.connect, ThrottlePolicy(max_failures_per_email=8))
    for _ in range(50):
        throttle.admit(ADA, MALLORY)
    admitted = [throttle.admit(ADA, f"address-{n}") for n in range(4)]
    assert admitted == [True] * 3 + [False]  # 5 of Mallory's and 3 more make 8


def test_past_the_overall_cap_only_addresses_without_failures_may_try(
    ledger: Ledger, database: Database
) -> None:
    clock = Clock()
    policy = ThrottlePolicy(max_failures_in_all=10, all_window=timedelta(minutes=1))
    throttle = LoginThrottle(database.connect, policy, clock)
    for n in range(10):
        assert throttle.admit(f"email-{n}", f"address-{n}")
    assert throttle.admit(BOB, "address-3") is False  # failed before, and the cap is passed
    assert throttle.admit(BOB, HOME) is True  # no failure yet
    clock.now += timedelta(minutes=1)
    assert throttle.admit(BOB, "address-3") is True
