"""The one path of every mutation: run the command off the event loop, answer a refusal as a
user error (nothing was written), or wait (bounded) for the read model that shows the write and
answer the payload with what it shows, the write's position and any notices.

A payload class says which read model shows its writes (``read_model``; ``None``: the answer
does not wait, and the payload has no ``notices``) and how its fields are shown from a
command's result (``shown``). A resolver only translates its input into a command:

    return await run_command(info, lambda: ledger.close_ticket(...), CloseTicketPayload)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Self, TypeVar, cast, overload

import strawberry

from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.error_log import log_refused_command
from graphql_api.errors import UserError, user_error_from

Info = strawberry.Info[RequestContext, None]
INPUT = strawberry.argument(description="What to do; see the input type.")
"""The one argument of every mutation taking an input object."""
Fields = dict[str, object]
"""Payload fields shown after a write, by their Python names."""


R = TypeVar("R")
Shown = Callable[[R], Awaitable[Fields]]
"""How a payload shows a command's outcome (its fields other than position, errors, notices)."""


class Payload:
    """What every mutation payload does besides its GraphQL fields (it declares none: a
    strawberry type lists them itself, so the schema's field order stays the payload's own)."""

    read_model: ClassVar[str | None] = None
    """The read model that shows this payload's writes; ``None``: the answer does not wait."""

    @classmethod
    def refused(cls, error: DomainError | list[UserError]) -> Self:
        """The answer to a refused command: every field null, the refusal in userErrors."""
        if isinstance(error, DomainError):
            log_refused_command(cls.__name__, error)
        errors = [user_error_from(error)] if isinstance(error, DomainError) else error
        nulls = {
            field.name: None
            for field in dataclasses.fields(cast(Any, cls))
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        }
        return cls.made(**{**nulls, "user_errors": errors})

    @classmethod
    def answers_position(cls) -> bool:
        """Whether the payload has a `position` (then the command's outcome carries one)."""
        return any(field.name == "position" for field in dataclasses.fields(cast(Any, cls)))

    @classmethod
    def made(cls, **fields: object) -> Self:
        # Every subclass is a strawberry type, i.e. a dataclass taking its fields by name.
        return cast(Callable[..., Self], cls)(**fields)

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        """The fields a command's result shows; payloads that show more override it."""
        return {}


P = TypeVar("P", bound=Payload)


@overload
async def run_command(
    info: Info, command: Callable[[], CommandResult], payload_type: type[P]
) -> P: ...


@overload
async def run_command(
    info: Info, command: Callable[[], R], payload_type: type[P], shown: Shown[R]
) -> P: ...


async def run_command(
    info: Info,
    command: Callable[[], Any],
    payload_type: type[P],
    shown: Shown[Any] | None = None,
) -> P:
    """Run ``command`` (synchronous, in a worker thread) and answer ``payload_type``: refused
    with its user error, or shown by ``shown`` (by default the payload's own ``shown``)."""
    context = info.context
    try:
        outcome = await context.run_command(command)
    except DomainError as error:
        return payload_type.refused(error)
    context.forget_loaded()  # what the request read before may have changed
    return await written(context, outcome, payload_type, shown)


async def written(
    context: RequestContext, outcome: Any, payload_type: type[P], shown: Shown[Any] | None
) -> P:
    """The payload of a write that was made: after the bounded wait for its read model."""
    answered: Fields = {"user_errors": []}
    if payload_type.answers_position():
        position: int = outcome.position
        answered["position"] = str(position)
        if payload_type.read_model is not None:
            answered["notices"] = await context.wait_for_write(payload_type.read_model, position)
    fields = await (shown(outcome) if shown is not None else payload_type.shown(context, outcome))
    # What ``shown`` gives wins: a write may come with a refusal of a later step beside it.
    return payload_type.made(**{**answered, **fields})
