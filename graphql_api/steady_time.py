"""Answering no sooner than a fixed time after the work began, so the answer's timing says
nothing about the work (for instance, whether an email belongs to a customer).

A password-reset request for a known email loads the customer, seals a token and commits;
one for an unknown email only looks the email up. Without a floor, the difference (a few
milliseconds) would tell an attacker which emails are customers'.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

RESET_ANSWER_FLOOR = 0.25
"""Seconds: well above what a reset request costs on a healthy server (a few milliseconds)."""


async def no_sooner_than(
    floor: float,
    work: Awaitable[T],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Await ``work``, then wait out the rest of ``floor`` seconds since it began (also when
    it raised). Work that takes longer than the floor is not delayed further."""
    started = clock()
    try:
        return await work
    finally:
        remaining = floor - (clock() - started)
        if remaining > 0:
            await sleep(remaining)
