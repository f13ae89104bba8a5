"""The log-in throttle in PostgreSQL: its window, and replicas sharing one count."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from domain.ledger import Ledger
from infrastructure.database import Database
from infrastructure.login import LoginThrottle, ThrottlePolicy


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
    assert [throttle.admit("k") for _ in range(6)] == [True] * 5 + [False]
    clock.now += timedelta(minutes=14, seconds=59)
    assert throttle.admit("k") is False
    clock.now += timedelta(seconds=1)
    assert throttle.admit("k") is True


def test_two_replicas_share_one_count(ledger: Ledger, database: Database) -> None:
    clock = Clock()
    replicas = [LoginThrottle(database.connect, clock=clock) for _ in range(2)]
    admitted = [replicas[i % 2].admit("k") for i in range(6)]
    assert admitted == [True] * 5 + [False]


def test_parallel_attempts_cannot_slip_past_the_limit(ledger: Ledger, database: Database) -> None:
    throttle = LoginThrottle(database.connect)
    with ThreadPoolExecutor(8) as pool:
        admitted = list(pool.map(lambda _: throttle.admit("k"), range(24)))
    assert admitted.count(True) == 5


def test_a_success_forgets_the_failures(ledger: Ledger, database: Database) -> None:
    throttle = LoginThrottle(database.connect)
    for _ in range(5):
        throttle.admit("k")
    throttle.succeeded("k")
    assert throttle.admit("k") is True
