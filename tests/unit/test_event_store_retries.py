"""The event store's retry policy: errors of a reachable database are retried as the library
does; a pool that could hand out no connection at all ends the call at once (its wait was the
whole budget), instead of ten more waits."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import OperationalError
from psycopg_pool import PoolTimeout

from infrastructure import event_store
from infrastructure.event_store import ATTEMPTS, LogRecorder, retried_while_reachable


class Flaky:
    """Fails ``failures`` times with ``error``, then answers."""

    def __init__(self, failures: int, error: type[BaseException] | None = None) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            if self.error is PoolTimeout:
                raise OperationalError("no connection") from PoolTimeout("timed out")
            raise OperationalError("connection broke in use")
        return "answered"


def test_a_connection_that_broke_in_use_is_retried_until_the_call_succeeds() -> None:
    flaky = Flaky(failures=2)
    assert retried_while_reachable(flaky)() == "answered"
    assert flaky.calls == 3


def test_retries_stop_after_the_librarys_number_of_attempts() -> None:
    flaky = Flaky(failures=ATTEMPTS)
    with pytest.raises(OperationalError):
        retried_while_reachable(flaky)()
    assert flaky.calls == ATTEMPTS


def test_no_connection_in_time_is_the_answer_at_once() -> None:
    flaky = Flaky(failures=1, error=PoolTimeout)
    with pytest.raises(OperationalError) as raised:
        retried_while_reachable(flaky)()
    assert flaky.calls == 1
    assert isinstance(raised.value.__cause__, PoolTimeout)


def test_the_log_recorder_bounds_every_method_the_library_retries() -> None:
    # Every wrapper retried_while_reachable makes runs the same code: its inner function's.
    for name in ("select_events", "max_notification_id"):
        method = getattr(LogRecorder, name)
        assert method.__code__ is retried_while_reachable(len).__code__, name
    # Appends go through the group commit, whose whole insert is wrapped once; the log is read
    # by the binary read of ``infrastructure.log_reads``, wrapped likewise.
    assert event_store._append_retried.__code__ is retried_while_reachable(len).__code__
    assert "_append_retried" in LogRecorder.insert_events.__code__.co_names
    assert event_store._notifications_retried.__code__ is retried_while_reachable(len).__code__
    assert "_notifications_retried" in LogRecorder.select_notifications.__code__.co_names
