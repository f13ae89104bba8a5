"""`atLeast`: a query that passes the position a mutation answered reads at least that write.

Every query that takes `atLeast` waits here (bounded by CXL_READ_YOUR_WRITES_TIMEOUT) for the
read model it reads; a position is a log position, so a whole number that fits PostgreSQL's
bigint, and anything else is refused as BAD_POSITION before any wait.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar
from uuid import UUID

import strawberry

from graphql_api.context import RequestContext
from graphql_api.errors import PublicError

T = TypeVar("T")

MAX_POSITION = 2**63 - 1
"""The largest log position (the notification ids are bigint)."""

AtLeast = Annotated[
    str | None,
    strawberry.argument(description="A position from a mutation: wait until it is visible."),
]


def position_of(at_least: str) -> int:
    """The log position in ``at_least``, or BAD_POSITION."""
    digits = at_least.isascii() and at_least.isdigit() and len(at_least) <= len(str(MAX_POSITION))
    if not digits or int(at_least) > MAX_POSITION:
        raise PublicError("`atLeast` must be a position returned by a mutation", "BAD_POSITION")
    return int(at_least)


async def wait_for(context: RequestContext, read_model: str, at_least: str | None) -> None:
    """Wait (bounded) until ``read_model`` shows the write at ``at_least``; if it does not in
    time, POSITION_NOT_REACHED (the client retries)."""
    if at_least is None:
        return
    if not await context.read_your_write(read_model, position_of(at_least)):
        raise PublicError(
            "that write is not visible yet; retry in a moment", "POSITION_NOT_REACHED"
        )


async def loaded_at_least(
    context: RequestContext,
    read_model: str,
    at_least: str | None,
    load: Callable[[RequestContext, UUID], Awaitable[T]],
    key: UUID,
) -> T:
    """``load(context, key)`` once ``read_model`` shows the write at ``at_least``: the answer of
    a query of one object by id (a direct field's answer, ``plain_fields.DIRECT``, and its
    strawberry resolver alike)."""
    await wait_for(context, read_model, at_least)
    return await load(context, key)
