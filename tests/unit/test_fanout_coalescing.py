"""When the log fan-out waits a moment for more commits before a pass: only once writers are
concurrent and steady, never for a lone writer's commit."""

from __future__ import annotations

from infrastructure.log_fanout import CONCURRENT_EVENTS, STEADY_SECONDS, coalesces


def test_a_lone_writers_commit_is_applied_at_once() -> None:
    assert not coalesces(0, 0.001)  # nothing heard while the last pass ran


def test_commits_heard_during_a_pass_that_just_ended_make_the_next_wait() -> None:
    assert coalesces(1, 0.001)
    assert coalesces(3, STEADY_SECONDS / 2)


def test_after_a_quiet_spell_the_first_commit_is_applied_at_once() -> None:
    assert not coalesces(5, STEADY_SECONDS * 2)


def test_one_commands_events_are_no_sign_of_concurrent_writers() -> None:
    # The fan-out counts a pass's events in units of CONCURRENT_EVENTS: a command writes fewer.
    assert 3 // CONCURRENT_EVENTS == 0
    assert 16 // CONCURRENT_EVENTS > 0
