"""Whole selections of plain fields completed in one pass (a list page's edges and nodes).

``plain_fields`` answers a plain field without graphql-core's per-field machinery, but a page
still went through graphql-core once per object: for each of 20 edges ``complete_value``,
``complete_object_value``, ``collect_subfields`` and ``execute_fields``, then the same for its
node. An ``ObjectPlan`` is what a selection of an object type asks for when every field in it
is plain (see ``plain_fields``: a basic attribute, no arguments) or ``__typename``, nested
objects and lists of them included, it is run over each value with attribute reads, the
scalars' own serializers and the object types' own ``is_type_of`` checks, the calls
graphql-core would make. A plan is made once per selection of a document: kept on its type
across requests when nothing in the selection depends on a request's variables (no
directive, no fragment variable; ``static_selection``), else made again in each request.

A run never reports anything itself. Whatever graphql-core would have to report or wait for
(an error, an awaitable, null where null is not allowed, a value a scalar refuses, a value
that is not a list where one is expected, a failed ``is_type_of``) makes the run answer
``FALLBACK``, and the executor completes that value graphql-core's way, which reads the same
attributes again (reading them has no effect) and reports what it always reported, at the
same paths. A selection with anything else (a resolver, arguments, ``@defer``, an
``is_type_of`` other than strawberry's, which might read the resolve info a plan does not
build) has no plan.

A source may complete a list of objects from what it holds instead of per-item objects
(``LIST_COMPLETERS``, by its exact type: a list page completes its edges from its rows); a
run asks it before reading the list, and reads the list as for any other source when the
completer answers FALLBACK.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLLeafType,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
)
from graphql.type.scalars import serialize_id, serialize_string
from strawberry.schema.schema_converter import GraphQLCoreConverter

FALLBACK: Final = object()
"""A run's answer when graphql-core must complete the value (see the module)."""

PLAIN_VALUES: Final = frozenset({str, int, float, bool, UUID, datetime, list, tuple})
"""Types whose values are neither errors nor awaitables: no need to ask (exactly these
types: an instance of a subclass might have an ``__await__``)."""

LEAF, OBJECT, LEAF_LIST, OBJECT_LIST, TYPENAME, TEXT = range(6)
"""What an entry's value is: how a run completes it. ``TEXT`` is a ``LEAF`` whose type
serializes a ``str`` as itself (graphql-core's ``String`` and ``ID``)."""

_TEXT_SERIALIZERS: Final = (serialize_string, serialize_id)


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
    """For a leaf or a list of leaves (and only then set), the type whose serializer makes
    the value."""
    plan: ObjectPlan | None
    """For an object or a list of objects (and only then set), the plan of its selection."""
    field_name: str = ""
    """The schema's name of the field (``__typename`` for ``TYPENAME``): what a list
    completer (``LIST_COMPLETERS``) tells the fields by."""


ListCompleter = Callable[[Any, Entry, Callable[[Any], bool]], Any]
"""``(source, entry, is_awaitable)``: the completed value of ``entry`` (a list of objects)
of ``source``, or FALLBACK for ``run_plan`` to read and complete it itself."""

LIST_COMPLETERS: Final[dict[type, ListCompleter]] = {}
"""By a source's exact type, what completes its lists of objects from what it holds rather
than from per-item objects (a list page's rows: ``customers.types.ListedConnection``). A
completer answers exactly what reading the list and running its plan would answer, or
FALLBACK, and then the plan reads the list as for any other source."""


def leaf_kind(leaf: GraphQLLeafType) -> int:
    """``TEXT`` for a type whose serializer answers a ``str`` with itself (graphql-core's
    ``serialize_string`` and ``serialize_id`` begin so), else ``LEAF``: a run then takes a
    ``str`` as it is, without calling the serializer (80 calls on a page of 20 with four
    text fields)."""
    serializer = getattr(leaf, "coerce_output_value", None)
    return TEXT if any(serializer is known for known in _TEXT_SERIALIZERS) else LEAF


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


SHARED_PLANS_PER_TYPE: Final = 256
"""How many selections of one type keep their plan across requests (each holds its
document's nodes): past it the type's plans are dropped and made again as requests come."""

_SharedPlans = dict[tuple[int, ...], tuple[tuple[FieldNode, ...], "ObjectPlan | None"]]


def shared_plans(object_type: GraphQLObjectType) -> _SharedPlans:
    """The plans kept across requests for ``object_type``'s selections, by their field
    nodes' ids (kept on the type, as ``plain_fields`` keeps its fields' answers)."""
    known: _SharedPlans | None = object_type.__dict__.get("_selection_plans")
    if known is None:
        known = {}
        # setattr: graphql-core's type declares no such attribute for mypy to accept.
        setattr(object_type, "_selection_plans", known)  # noqa: B010
    return known


def keep_shared(
    shared: _SharedPlans, nodes: tuple[FieldNode, ...], plan: ObjectPlan | None
) -> None:
    if len(shared) >= SHARED_PLANS_PER_TYPE:
        shared.clear()
    shared[tuple(map(id, nodes))] = (nodes, plan)


def static_selection(nodes: tuple[FieldNode, ...], fragments: Mapping[str, Any]) -> bool:
    """Whether the selections of ``nodes``, and every selection below them (fragments
    included), hold no directive and no fragment variable: then what graphql-core collects
    from them, and so their plan, is the same whatever a request's variables are."""
    pending: list[SelectionSetNode | None] = [node.selection_set for node in nodes]
    while pending:
        selection_set = pending.pop()
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if selection.directives:
                return False
            if isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                definition = getattr(fragment, "definition", None)
                if (
                    definition is None
                    or getattr(fragment, "variable_signatures", None)
                    or definition.variable_definitions
                    or definition.directives
                ):
                    return False
                pending.append(definition.selection_set)
            elif isinstance(selection, FieldNode | InlineFragmentNode):
                pending.append(selection.selection_set)
    return True


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
        if kind is OBJECT_LIST:
            completer = LIST_COMPLETERS.get(type(source))
            if completer is not None:
                listed = completer(source, entry, is_awaitable)
                if listed is not FALLBACK:
                    result[entry.response_name] = listed
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
        value_type = type(value)
        if kind is TEXT and value_type is str:
            result[entry.response_name] = value  # what the type's serializer answers
            continue
        if value_type not in PLAIN_VALUES and (isinstance(value, Exception) or is_awaitable(value)):
            return FALLBACK
        # An entry's kind says which of ``leaf`` and ``plan`` it holds (see ``Entry``).
        if kind is LEAF or kind is TEXT:
            completed = leaf_value(entry.leaf, value)  # type: ignore[arg-type]
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
    plan, leaf = entry.plan, entry.leaf
    for item in value:
        if item is None:
            if not entry.items_nullable:
                return FALLBACK
            completed.append(None)
            continue
        if type(item) not in PLAIN_VALUES and (isinstance(item, Exception) or is_awaitable(item)):
            return FALLBACK
        done = (
            run_plan(plan, item, is_awaitable)  # type: ignore[arg-type]
            if objects
            else leaf_value(leaf, item)  # type: ignore[arg-type]
        )
        if done is FALLBACK:
            return FALLBACK
        completed.append(done)
    return completed


def leaf_value(leaf: GraphQLLeafType, value: Any) -> Any:
    """``value`` (not None) as the leaf type serializes it, or FALLBACK if it refuses it."""
    try:
        coerced = leaf.coerce_output_value(value)
    except Exception:
        return FALLBACK
    # graphql-core refuses a serializer's None or Undefined (an error at the field).
    return FALLBACK if coerced is None or coerced is Undefined else coerced
