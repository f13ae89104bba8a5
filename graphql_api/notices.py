"""Notices: what a client should know about a write that succeeded.

User errors say why nothing was written; a notice goes with a write that was made. The one
notice so far: the read model had not shown the write when the answer was made, so the entity
in the payload may be null (or older than the write) while its id and position are right.
"""

from __future__ import annotations

import strawberry

POSITION_NOT_REACHED = "POSITION_NOT_REACHED"
NOTICES = (
    "What to know about the write that was made (empty if nothing): POSITION_NOT_REACHED if "
    "the read model had not shown it when this answer was made; the entity shown may then be "
    "null or older than the write, and reading it with `atLeast: position` gets it later."
)


@strawberry.type(description="Something to know about a write that was made (not a refusal).")
class Notice:
    code: str = strawberry.field(description="Stable machine-readable code.")
    message: str = strawberry.field(description="Human-readable explanation.")
    position: str | None = strawberry.field(
        default=None, description="The log position the notice is about, if any."
    )


def position_not_reached(position: int, timeout: float) -> Notice:
    return Notice(
        code=POSITION_NOT_REACHED,
        message=f"the write is recorded at log position {position}, but the read model had "
        f'not shown it after {timeout:g} s; read again with atLeast: "{position}"',
        position=str(position),
    )
