"""`no_sooner_than` waits out the rest of its floor after the work, so an answer's timing
does not depend on what the work found; measured on a fake clock, not by timing."""

from __future__ import annotations

import asyncio

import pytest

from graphql_api.steady_time import no_sooner_than


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def work(self, seconds: float, fails: bool = False) -> str:
        self.now += seconds
        if fails:
            raise LookupError("unknown email")
        return "done"


def run_for(time: FakeTime, floor: float, seconds: float, fails: bool = False) -> str:
    work = time.work(seconds, fails)
    return asyncio.run(no_sooner_than(floor, work, time.clock, time.sleep))


@pytest.mark.parametrize("seconds", [0.0, 0.004, 0.05, 0.2499])
def test_quick_work_is_answered_exactly_at_the_floor(seconds: float) -> None:
    time = FakeTime()
    assert run_for(time, 0.25, seconds) == "done"
    assert time.now == pytest.approx(100.25)


def test_work_past_the_floor_is_not_delayed_further() -> None:
    time = FakeTime()
    run_for(time, 0.25, 0.4)
    assert time.slept == [] and time.now == pytest.approx(100.4)


def test_work_that_raises_also_waits_out_the_floor_then_raises() -> None:
    time = FakeTime()
    with pytest.raises(LookupError):
        run_for(time, 0.25, 0.01, fails=True)
    assert time.now == pytest.approx(100.25)
