"""A scheduled job that fails is tried again soon, then less often: 2 s, 4 s, 8 s ... up to a
minute, never longer than its interval; a success goes back to the interval."""

from __future__ import annotations

import threading

from infrastructure.database import Database
from infrastructure.loyalty_jobs import ScheduledJob


def job(interval: float, run: object = None) -> ScheduledJob:
    return ScheduledJob("test", Database("dbname=unused"), lambda: run, interval)


def test_the_pause_after_failures_doubles_up_to_a_minute() -> None:
    """A transient failure (a busy pool at start-up) clears within seconds, not a minute."""
    pauses = [job(3600).pause_after_failures(n) for n in range(1, 9)]
    assert pauses == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]


def test_the_pause_is_never_longer_than_the_interval() -> None:
    """A job run every 5 s retries every 5 s at most."""
    assert [job(5).pause_after_failures(n) for n in (1, 2, 3)] == [2.0, 4.0, 5.0]


class FlakyJob(ScheduledJob):
    """Fails its first two runs, then succeeds; records the pauses it was given."""

    def __init__(self) -> None:
        super().__init__("flaky", Database("dbname=unused"), lambda: None, 3600)
        self.runs = 0
        self.pauses: list[float] = []

    def run_once(self) -> bool:
        self.runs += 1
        if self.runs <= 2:
            raise RuntimeError("pool busy")
        return True


class RecordingStop(threading.Event):
    def __init__(self, job: FlakyJob, stop_after: int) -> None:
        super().__init__()
        self.job, self.stop_after = job, stop_after

    def wait(self, timeout: float | None = None) -> bool:
        self.job.pauses.append(float(timeout or 0))
        if len(self.job.pauses) >= self.stop_after:
            self.set()
        return self.is_set()


def test_a_success_after_failures_clears_the_error_and_returns_to_the_interval() -> None:
    """Two failures (2 s, then 4 s), then a success: the error is gone, the next pause is
    the interval."""
    flaky = FlakyJob()
    flaky.run_forever(RecordingStop(flaky, stop_after=3))
    assert flaky.pauses == [2.0, 4.0, 3600.0]
    assert flaky.last_error is None
