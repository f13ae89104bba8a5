"""The survey benchmark's own measures: an answer's server CPU by kind of thread, and the
database's work between two readings."""

from __future__ import annotations

import math

import pytest

from benchmarks.survey_responses import DatabaseWork, by_thread_kind


def test_threads_are_grouped_by_kind() -> None:
    before = {100: 1.0, 101: 2.0, 102: 3.0, 103: 0.5}
    after = {100: 1.5, 101: 2.25, 102: 3.5, 103: 0.75, 104: 0.125}
    names = {
        "100": "MainThread",
        "101": "AnyIO worker thread",
        "102": "AnyIO worker thread",
        "103": "worker-log-fanout",
    }
    kinds = by_thread_kind(before, after, names, pid=100)
    assert kinds == {
        "event loop": 0.5,  # the main thread, whatever its name
        "command threads": 0.75,  # anyio's workers together
        "worker-log-fanout": 0.25,
        "other": 0.125,  # started after the first reading, not named: counted whole
    }


def test_a_thread_ended_between_readings_is_not_counted() -> None:
    kinds = by_thread_kind({100: 1.0, 101: 9.0}, {100: 2.0}, {}, pid=100)
    assert kinds == {"event loop": 1.0}


def test_database_work_counts_only_backends_seen_at_both_readings() -> None:
    before = (10, {1: 1.0, 2: 5.0})
    after = (25, {1: 1.5, 3: 7.0})  # 2 closed, 3 opened: neither is counted
    assert DatabaseWork.between(before, after) == (15, 0.5)


@pytest.mark.parametrize("unread", [{}, {1: math.nan}])
def test_database_cpu_is_nan_when_no_backend_could_be_read(unread: dict[int, float]) -> None:
    transactions, cpu = DatabaseWork.between((3, dict(unread)), (4, dict(unread)))
    assert transactions == 1
    assert math.isnan(cpu)
