"""Whole selections of plain fields completed in one pass (a list page's edges and nodes).

``plain_fields`` answers a plain field without graphql-core's per-field machinery, but a page
still went through graphql-core once per object: for each of 20 edges ``complete_value``,
``complete_object_value``, ``collect_subfields`` and ``execute_fields``, then the same for its
node. An ``ObjectPlan`` is what a selection of an object type asks for when every field in it
is plain (see ``plain_fields``: a basic attribute, no arguments) or ``__typename``, nested
objects and lists of them included: made once per request and selection, it is then run over
each value with attribute reads, the scalars' own serializers and the object types' own
``is_type_of`` checks, the calls graphql-core would make.

A run never reports anything itself. Whatever graphql-core would have to report or wait for
(an error, an awaitable, null where null is not allowed, a value a scalar refuses, a value
that is not a list where one is expected, a failed ``is_type_of``) makes the run answer
``FALLBACK``, and the executor completes that value graphql-core's way, which reads the same
attributes again (reading them has no effect) and reports what it always reported, at the
same paths. A selection with anything else (a resolver, arguments, ``@defer``, an
``is_type_of`` other than strawberry's, which might read the resolve info a plan does not
build) has no plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from graphql import GraphQLLeafType, GraphQLObjectType, Undefined
from strawberry.schema.schema_converter import GraphQLCoreConverter

FALLBACK: Final = object()
"""A run's answer when graphql-core must complete the value (see the module)."""

_PLAIN_VALUES: Final = frozenset({str, int, float, bool, UUID, datetime})
"""Types whose values are neither errors nor awaitables: no need to ask."""

LEAF, OBJECT, LEAF_LIST, OBJECT_LIST, TYPENAME = range(5)
"""What an entry's value is: how a run completes it."""


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    """A selection of an object type made only of plain fields, and how to complete it."""

    object_type: GraphQLObjectType
    type_check: Callable[[Any, Any], Any] | None
    """strawberry's ``is_type_of`` of the type (it does not read the info), if it has one."""
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One response key of a plan: read ``read(source)``, complete it by ``kind``."""

    response_name: str
    kind: int
    read: Callable[[Any], Any]
    nullable: bool
    """Whether the field's own value may be null."""
    items_nullable: bool
    """For a list, whether its items may be null."""
    leaf: GraphQLLeafType | None
    """For a leaf or a list of leaves, the type whose serializer makes the value."""
    plan: ObjectPlan | None
    """For an object or a list of objects, the plan of its selection."""


def strawberry_type_check(object_type: GraphQLObjectType) -> tuple[bool, Any]:
    """(usable, check): a type without ``is_type_of`` needs no check; strawberry's own (made
    for a type with interfaces) reads only the value; any other might read the info."""
    check = object_type.is_type_of
    if check is None:
        return True, None
    qualified = getattr(check, "__qualname__", "")
    own = getattr(check, "__module__", None) == GraphQLCoreConverter.__module__ and (
        qualified.endswith("_get_is_type_of.<locals>.is_type_of")
    )
    return own, check if own else None


def run_plan(plan: ObjectPlan, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """The completed value of ``source`` (a dict), or FALLBACK."""
    check = plan.type_check
    if check is not None and not check(source, None):
        return FALLBACK
    result: dict[str, Any] = {}
    for entry in plan.entries:
        kind = entry.kind
        if kind is TYPENAME:
            result[entry.response_name] = plan.object_type.name
            continue
        try:
            value = entry.read(source)
        except Exception:
            return FALLBACK
        if value is None:
            if not entry.nullable:
                return FALLBACK
            result[entry.response_name] = None
            continue
        if type(value) not in _PLAIN_VALUES and (
            isinstance(value, Exception) or is_awaitable(value)
        ):
            return FALLBACK
        if kind is LEAF:
            completed = leaf_value(entry.leaf, value)
        elif kind is OBJECT:
            completed = run_plan(entry.plan, value, is_awaitable)  # type: ignore[arg-type]
        else:
            completed = run_list(entry, value, is_awaitable)
        if completed is FALLBACK:
            return FALLBACK
        result[entry.response_name] = completed
    return result


def run_list(entry: Entry, value: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """The completed list ``value`` of a list entry, or FALLBACK. Only lists and tuples:
    graphql-core's handling of other iterables (and its refusal of strings) is its own."""
    if type(value) is not list and type(value) is not tuple:
        return FALLBACK
    completed: list[Any] = []
    objects = entry.kind is OBJECT_LIST
    for item in value:
        if item is None:
            if not entry.items_nullable:
                return FALLBACK
            completed.append(None)
            continue
        if type(item) not in _PLAIN_VALUES and (isinstance(item, Exception) or is_awaitable(item)):
            return FALLBACK
        done = (
            run_plan(entry.plan, item, is_awaitable)  # type: ignore[arg-type]
            if objects
            else leaf_value(entry.leaf, item)
        )
        if done is FALLBACK:
            return FALLBACK
        completed.append(done)
    return completed


def leaf_value(leaf: GraphQLLeafType | None, value: Any) -> Any:
    """``value`` (not None) as the leaf type serializes it, or FALLBACK if it refuses it."""
    try:
        coerced = leaf.coerce_output_value(value)  # type: ignore[union-attr]
    except Exception:
        return FALLBACK
    # graphql-core refuses a serializer's None or Undefined (an error at the field).
    return FALLBACK if coerced is None or coerced is Undefined else coerced
