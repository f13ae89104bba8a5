"""What a field declares about its own cost, next to the field.

``Cost`` and ``SoleMutation`` take no part in resolving (strawberry leaves extensions without a
``resolve`` out of the resolver chain); the request limits read them from the schema.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import GraphQLField
from strawberry.extensions.field_extension import FieldExtension
from strawberry.types.field import StrawberryField

from graphql_api.limits.gates import Gate, NeedsSlot, UsesGate, WorkGates

DEFAULT_COST = 1
_DEFINITION = "strawberry-definition"  # where strawberry keeps a GraphQL field's own field


class Cost(FieldExtension):
    """One resolution of this field costs ``points`` (a plain field costs 1): for work well
    beyond reading a row, such as replaying streams, hashing passwords or scanning the log."""

    def __init__(self, points: int) -> None:
        if points < 1:
            raise ValueError("a cost is at least 1")
        self.points = points


class SoleMutation(FieldExtension):
    """This mutation runs alone in its request, whatever CXL_MAX_MUTATIONS_PER_REQUEST says:
    each one costs a password hash, or can be used to guess or flood."""


def declared_cost(field: GraphQLField) -> int:
    extension = _declared(field, Cost)
    return extension.points if isinstance(extension, Cost) else DEFAULT_COST


def is_sole_mutation(field: GraphQLField) -> bool:
    return _declared(field, SoleMutation) is not None


def _declared(field: GraphQLField, kind: type[FieldExtension]) -> FieldExtension | None:
    definition = (field.extensions or {}).get(_DEFINITION)
    if not isinstance(definition, StrawberryField):
        return None  # introspection fields, and fields strawberry did not make
    return next((e for e in definition.extensions if isinstance(e, kind)), None)


def limited(
    cost: int = DEFAULT_COST,
    *,
    gate: Callable[[WorkGates], Gate] | None = None,
    needs_slot: NeedsSlot | None = None,
    sole: bool = False,
) -> list[FieldExtension]:
    """A field's limits, to put before its permission (``[*limited(...), *allowed(...)]``):
    strawberry runs the last extension outermost, so the caller's role is checked before the
    request waits for a slot. ``needs_slot``: when the gate applies (default: always)."""
    extensions: list[FieldExtension] = [Cost(cost)] if cost != DEFAULT_COST else []
    if sole:
        extensions.append(SoleMutation())
    if gate is not None:
        extensions.append(UsesGate(gate, needs_slot))
    return extensions
