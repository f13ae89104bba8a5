"""When the log fan-out waits a moment for more commits before a pass: only once writers are
concurrent and steady, never for a lone writer's commit."""

from __future__ import annotations

import pytest

from infrastructure.log_fanout import (
    CONCURRENT_EVENTS,
    STEADY_SECONDS,
    coalesce_wait,
    coalesces,
)
from infrastructure.settings import SettingsError, load_settings


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


def test_the_wait_is_the_settings_when_writers_are_concurrent_and_steady() -> None:
    assert coalesce_wait(0.003, 2, 0.001) == 0.003
    assert coalesce_wait(0.003, 0, 0.001) == 0.0  # a lone writer: at once, whatever the setting


def test_a_setting_of_zero_never_waits() -> None:
    assert coalesce_wait(0.0, 16, 0.001) == 0.0


def test_the_setting_is_eight_milliseconds_by_default() -> None:
    assert load_settings().projection_coalesce_ms == 8.0


@pytest.mark.parametrize("value", ["-1", "51", "soon"])
def test_a_coalescing_wait_out_of_bounds_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CXL_PROJECTION_COALESCE_MS", value)
    with pytest.raises(SettingsError, match="CXL_PROJECTION_COALESCE_MS"):
        load_settings()
