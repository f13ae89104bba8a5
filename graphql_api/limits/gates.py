"""Few slots for expensive work, so that it cannot take a process's memory, threads or
database connections from everything else.

A password hash (argon2id: 64 MiB and tens of milliseconds of CPU each) and an expensive read
(audit verification, replays, exports, dashboards) each wait for a slot of their gate, on the
event loop (no worker thread is held while waiting), for at most ``busy_wait_seconds``; then the
field fails with BUSY and the HTTP answer is 503 with Retry-After. Nothing has run by then, so
nothing is written.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from graphql import GraphQLError
from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension
from strawberry.types import Info

from graphql_api.limits.config import RequestLimits

BUSY = "BUSY"


class BusyError(GraphQLError):
    """No slot came free in time: the client may retry after ``retry_after`` seconds."""

    def __init__(self, what: str, retry_after: int) -> None:
        message = f"the server is busy with other {what}; try again in {retry_after} s"
        super().__init__(message, extensions={"code": BUSY, "retryAfter": retry_after})


class Gate:
    """At most ``slots`` holders at once; a newcomer waits at most ``wait`` seconds."""

    def __init__(self, what: str, slots: int, wait: float) -> None:
        self.what = what
        self._semaphore = anyio.Semaphore(slots)
        self._wait = wait

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        try:
            with anyio.fail_after(self._wait):
                await self._semaphore.acquire()
        except TimeoutError:
            raise BusyError(self.what, max(1, math.ceil(self._wait))) from None
        try:
            yield
        finally:
            self._semaphore.release()


class WorkGates:
    """The process's gates, made from its limits."""

    def __init__(self, limits: RequestLimits) -> None:
        wait = limits.busy_wait_seconds
        self.passwords = Gate("password checks", limits.max_concurrent_password_hashes, wait)
        self.heavy = Gate("expensive queries", limits.max_concurrent_heavy_work, wait)


def passwords(gates: WorkGates) -> Gate:
    return gates.passwords


def heavy(gates: WorkGates) -> Gate:
    return gates.heavy


NeedsSlot = Callable[[Info[Any, Any], dict[str, Any]], bool]
"""Given the field's info and arguments: whether this resolution does the gated work."""


class UsesGate(FieldExtension):
    """The field's resolver runs inside a slot of one of the process's gates (only when
    ``needs_slot`` says so, if given: a slot held by work that does not need it makes the
    gate's few slots a queue for everything else the field does)."""

    def __init__(
        self, gate: Callable[[WorkGates], Gate], needs_slot: NeedsSlot | None = None
    ) -> None:
        self._gate = gate
        self._needs_slot = needs_slot

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        if self._needs_slot is not None and not self._needs_slot(info, kwargs):
            return await next_(source, info, **kwargs)
        async with self._gate(info.context.services.gates).slot():
            return await next_(source, info, **kwargs)


def retry_after(errors: list[GraphQLError] | None) -> int | None:
    """Seconds to tell a client in Retry-After when the result says the server was busy."""
    waits = [
        error.extensions.get("retryAfter")
        for error in errors or ()
        if error.extensions and error.extensions.get("code") == BUSY
    ]
    seconds = [wait for wait in waits if isinstance(wait, int)]
    return max(seconds) if seconds else None
