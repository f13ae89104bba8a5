"""Plain fields executed without graphql-core's per-field machinery.

A list of 20 customers with four fields executes 102 fields; 100 of them are plain
attributes (an edge's node, a customer's name) that strawberry reads with ``getattr`` and
graphql-core then completes. For each, graphql-core builds a resolve info (15 values), calls
strawberry's basic resolver, checks the result for awaitables twice and walks the
non-null/list/leaf branches of ``complete_value``: most of a list's execution time.

``PlainFieldExecutor`` answers such a field itself: the field's own resolver (strawberry's
basic one, which never reads the info), then for a scalar or an enum the type's own
serializer, for an object type its selection (with the type's ``is_type_of`` check, given a
resolve info only then): the calls graphql-core would make. It takes this way only when
nothing else could run for the field: strawberry marked the resolver as the basic one (no
resolver method, no permission classes, no field extensions, no exception handlers), no
schema extension wraps resolvers, the field has no arguments, and its type is a scalar, an
enum or an object type (not a list, an interface or a union). A leaf that is anything other
than a plain value (an error, an awaitable, null where null is not allowed, a value the
scalar refuses) goes graphql-core's way, which reads the attribute again (reading an
attribute has no effect) and reports what it always reported. An object's selection runs
once: its errors are located and propagated as graphql-core does (``handle_field_error``).
An object value that is neither null nor an error (an edge of a list) is completed from its
type at once, past the non-null wrapper and the leaf, list and abstract branches.

A selection made only of plain leaves (a customer's ``id name email region``, ``__typename``
among them or not) is executed in one loop: each attribute read as strawberry's default
resolver reads it (``getattr`` under the field's Python name) and serialized, ``__typename``
answered with the type's name, without a response path or a call of ``execute_field`` per
field. If any of them is not a plain value the whole selection goes
the field-by-field way above, which reads the attributes again and reports what it always
reported.

A selection made only of plain fields, objects and lists of them included (a page's edges
and their nodes), is completed by one plan (``plain_plans``) instead of object by object.
"""

from __future__ import annotations

import asyncio
import inspect
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Final, TypeVar, cast
from uuid import UUID

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    Undefined,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel, is_awaitable
from graphql.pyutils.undefined import UndefinedType
from strawberry.permission import PermissionExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

from graphql_api import plain_plans as plans
from graphql_api.permissions import Allowed

_Decided = TypeVar("_Decided")


@dataclass(frozen=True)
class PlainField:
    """A field strawberry reads as an attribute, with a scalar, enum or object type."""

    definition: GraphQLField
    resolve: Callable[..., Any]
    named_type: GraphQLLeafType | GraphQLObjectType
    nullable: bool
    read: Callable[[Any], Any]
    """What ``resolve(source, None)`` returns, read with fewer calls when that can be."""


def plain_field(parent_type: GraphQLObjectType, field_name: str) -> PlainField | None:
    """The plain field ``field_name`` of ``parent_type``, or None if it is anything else.

    Decided once per field of a schema's type: the answer is kept on the type itself, whose
    fields never change once the schema is built."""
    return _kept_on_type(parent_type, "_plain_fields", field_name, _decide)


@dataclass(frozen=True)
class PlainListField:
    """A field strawberry reads as an attribute, with a list of scalars, enums or objects."""

    read: Callable[[Any], Any]
    nullable: bool
    item_type: GraphQLLeafType | GraphQLObjectType
    items_nullable: bool


def plain_list_field(parent_type: GraphQLObjectType, field_name: str) -> PlainListField | None:
    """The plain list field ``field_name`` of ``parent_type``, or None; kept as ``plain_field``
    keeps its answers."""
    return _kept_on_type(parent_type, "_plain_lists", field_name, _decide_list)


def _kept_on_type(
    parent_type: GraphQLObjectType,
    attribute: str,
    field_name: str,
    decide: Callable[[GraphQLField | None], _Decided],
) -> _Decided:
    """``decide(field)`` for ``field_name``, kept in a dict on the type under ``attribute``."""
    known: dict[str, _Decided] | None = parent_type.__dict__.get(attribute)
    if known is None:
        known = {}
        setattr(parent_type, attribute, known)
    if field_name not in known:
        known[field_name] = decide(parent_type.fields.get(field_name))
    return known[field_name]


def _decide_list(field: GraphQLField | None) -> PlainListField | None:
    if field is None or not _has_basic_resolver(field):
        return None
    field_type, nullable = field.type, True
    if isinstance(field_type, GraphQLNonNull):
        field_type, nullable = field_type.of_type, False
    if not isinstance(field_type, GraphQLList):
        return None
    item_type, items_nullable = field_type.of_type, True
    if isinstance(item_type, GraphQLNonNull):
        item_type, items_nullable = item_type.of_type, False
    if not (is_leaf_type(item_type) or is_object_type(item_type)):
        return None
    return PlainListField(_reader(field), nullable, item_type, items_nullable)


def _has_basic_resolver(field: GraphQLField) -> bool:
    # strawberry marks the resolver it gives a field with no resolver method. With permission
    # classes or field extensions that resolver runs them (without an Info, an error or an
    # awaitable here, which sends the field graphql-core's way); `_reader` reads an attribute
    # directly only for a basic field (StrawberryField.is_basic_field).
    return not field.args and bool(getattr(field.resolve, "_is_default", False))


def _decide(field: GraphQLField | None) -> PlainField | None:
    if field is None or not _has_basic_resolver(field):
        return None
    field_type, nullable = field.type, True
    if isinstance(field_type, GraphQLNonNull):
        field_type, nullable = field_type.of_type, False
    if not (is_leaf_type(field_type) or is_object_type(field_type)):
        return None
    assert field.resolve is not None
    return PlainField(field, field.resolve, field_type, nullable, _reader(field))


def _reader(field: GraphQLField) -> Callable[[Any], Any]:
    # strawberry's basic resolver calls the field's default resolver with its Python name
    # (StrawberryField.get_result); with the default `getattr`, attrgetter does the same in C.
    # Only for a basic field: strawberry marks the resolver of a field with permission
    # classes or other field extensions as default too, and that resolver runs them.
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        isinstance(definition, StrawberryField)
        and definition.is_basic_field
        and definition.default_resolver is getattr
        and definition.python_name
    ):
        return attrgetter(definition.python_name)
    resolve = field.resolve
    assert resolve is not None
    return lambda source: resolve(source, None)


DIRECT: Final = "cxl_direct"
"""A field's metadata key (``strawberry.field(metadata={DIRECT: answer})``): ``answer(context,
**arguments)`` is an async function that answers the field as its resolver does, given the
request's context instead of an Info and the arguments by their Python names (those not
given left to its defaults, which must be the resolver's).

strawberry's resolver of a field with arguments and a permission converts every argument
(its name, then its value by its type, six calls for ``customers``) and goes through the
``PermissionExtension`` wrapper in every call. A direct field's resolver (installed by
``direct_resolver`` the first time the executor meets the field) does what they do, for the
fields and values where that is plain: each argument a builtin scalar (``Int``, ``String``,
``Boolean``, ``Float``) or a ``UUID`` (strawberry passes a scalar's value on as it came) or
null for an optional argument of any other type (strawberry passes None on), and each
permission an ``Allowed`` whose ``own``, if any, names a top-level argument (its ``admits``,
else its ``on_unauthorized``, in the awaited resolver as strawberry runs it). Any other
value (an input object, an enum) goes to strawberry's resolver, and a field with any other
extension or permission gets none."""

PLANNED: Final = "cxl_planned"
"""A direct field's metadata key (beside ``DIRECT``): ``planned(plan, arguments)`` gives the
arguments of the direct answer for a request whose selection of the field has ``plan``
(``plain_plans``: the plan the executor keeps for it), e.g. a list told to read only the
columns its selection shows. ``arguments`` must be returned as they are, or as a new dict
with more: they are shared by the document's requests."""

_AS_GIVEN: Final = (int, str, bool, float, UUID)
"""Argument types strawberry passes on as graphql-core coerced them (``convert_argument``:
a leaf type's value is returned as it is)."""


def direct_resolver(field: GraphQLField) -> Callable[..., Any] | None:
    """The direct resolver of ``field`` (see ``DIRECT``), or None if it has none."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.resolve is None:
        return None
    metadata: dict[str, Any] = dict(definition.metadata or {})
    answer = metadata.get(DIRECT)
    planned = metadata.get(PLANNED)
    if answer is None or len(definition.arguments) != len(field.args):
        return None
    permissions: list[Allowed] = []
    for extension in definition.extensions:
        if type(extension) is not PermissionExtension or extension.fail_silently:
            return None
        for permission in extension.permissions:
            if type(permission) is not Allowed or not _owned_by_an_argument(permission, field):
                return None
            permissions.append(permission)
    # graphql-core's arguments are named as strawberry named them, in the same order.
    names: dict[str, tuple[str, bool]] = {}
    for graphql_name, argument in zip(field.args, definition.arguments, strict=True):
        argument_type = argument.type
        optional = type(argument_type) is StrawberryOptional
        inner = argument_type.of_type if optional else argument_type  # type: ignore[union-attr]
        if not optional and inner not in _AS_GIVEN:
            return None
        assert argument.python_name
        names[graphql_name] = (argument.python_name, inner in _AS_GIVEN)
    strawberry_resolve = field.resolve

    async def permitted(context: Any, arguments: dict[str, Any]) -> Any:
        principal = context.principal
        for permission in permissions:
            if not permission.admits(principal, arguments):
                return permission.on_unauthorized()
        return await answer(context, **arguments)

    def python_arguments(given: dict[str, Any]) -> dict[str, Any] | None:
        arguments = {}
        for graphql_name, value in given.items():
            python_name, as_given = names[graphql_name]
            if not as_given and value is not None:
                return None
            arguments[python_name] = value
        return arguments

    def resolve(source: Any, info: GraphQLResolveInfo[Any], **given: Any) -> Any:
        arguments = python_arguments(given)
        if arguments is None:
            return strawberry_resolve(source, info, **given)
        return permitted(info.context, arguments)

    resolve.__wrapped__ = strawberry_resolve  # type: ignore[attr-defined]
    resolve.direct = DirectAnswer(python_arguments, permitted, planned)  # type: ignore[attr-defined]
    return resolve


def _owned_by_an_argument(permission: Allowed, field: GraphQLField) -> bool:
    """True if ``permission`` admits by role only, or also the customer a top-level argument
    of ``field`` names (``own="id"``): a direct field's arguments hold that value as
    strawberry's would (a builtin scalar or a UUID, as given). A path into an input object
    (``own="input.id"``) is left to strawberry, which converts the input."""
    own = permission.own
    if own is None:
        return True
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return False
    return any(argument.python_name == own for argument in definition.arguments)


@dataclass(frozen=True, slots=True)
class DirectAnswer:
    """What a direct resolver does, in its two steps (``graphql_api.direct_root`` takes them
    without a resolve info)."""

    python_arguments: Callable[[dict[str, Any]], dict[str, Any] | None]
    """graphql-core's coerced arguments by their Python names, or None where strawberry's
    resolver must convert one (the resolver then calls it)."""
    permitted: Callable[[Any, dict[str, Any]], Awaitable[Any]]
    """``(context, arguments)``: the permissions' refusal or the answer, as the resolver's
    awaitable."""
    planned: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
    """The field's ``PLANNED`` (the arguments for a selection's plan), if it has one."""


def installed_direct(parent_type: GraphQLObjectType, field_name: str) -> DirectAnswer | None:
    """The direct answer of ``parent_type``'s field ``field_name``, its resolver installed as
    the executor installs it when it first meets the field; None for any other field."""
    if not _kept_on_type(parent_type, "_direct_fields", field_name, _install_direct):
        return None
    return cast(
        "DirectAnswer | None", getattr(parent_type.fields[field_name].resolve, "direct", None)
    )


def _install_direct(field: GraphQLField | None) -> bool:
    """Give ``field`` its direct resolver, if it has one (kept per type, so once)."""
    resolve = None if field is None else direct_resolver(field)
    if field is not None and resolve is not None:
        field.resolve = resolve
        return True
    return False


def _no_read(source: Any) -> Any:
    return None  # `__typename` is the plan's type's name; nothing is read


_UNREAD = object()
"""A plain field whose attribute could not be read (graphql-core reads and reports it)."""


_LeafPlan = tuple[tuple[str, PlainField | None], ...]
"""A selection's response names and their plain leaf fields, in the selection's order; None
for ``__typename``, which is the parent type's name."""


def _gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
    return gather_with_cancel(*values)  # graphql-core's gather_async_work (it reads no state)


_SETTLING: set[asyncio.Future[Any]] = set()
"""Awaitables tracked after their request's executor was gone, held until they settle."""


def _helpers_of(executor: PlainFieldExecutor) -> GraphQLResolveInfoHelpers:
    """graphql-core's resolver helpers (``info.async_helpers``) without a reference cycle.

    graphql-core makes them of two bound methods of the executor, which holds them: a cycle
    in every request, so the executor and what it holds (the request's context, variables,
    errors and caches: 28 objects for ``customer(id) { name }``) were freed not when the
    request ended but by the cyclic collector, whose youngest generation then filled with
    them and was collected every 250 or so requests. These helpers reach the executor through
    a weak reference: while it executes, its own frames hold it. A value tracked once it is
    gone (a resolver that kept its info past the request) is still settled in the background,
    as the executor would have settled it."""
    executor_ref = weakref.ref(executor)

    def track(values: Sequence[Any]) -> None:
        alive = executor_ref()
        if alive is not None:
            alive.track_async_work(values)
            return
        awaitables = [value for value in values if is_awaitable(value)]
        if not awaitables:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # nothing could ever run them: closed, as graphql-core does
            for awaitable in awaitables:
                if inspect.iscoroutine(awaitable):
                    awaitable.close()
            return
        future = asyncio.gather(*awaitables, return_exceptions=True)
        _SETTLING.add(future)
        future.add_done_callback(_SETTLING.discard)

    return GraphQLResolveInfoHelpers(gather=_gather, track=track)


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, with plain fields answered in place (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _helpers_of(self)
        self._leaf_plans: dict[int, tuple[GroupedFieldSet, _LeafPlan | None]] = {}
        self._object_plans: dict[
            tuple[str, int], tuple[FieldDetailsList, plans.ObjectPlan | None]
        ] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = self._leaf_plan(parent_type, grouped_field_set)
        if plan is not None:
            results: dict[str, Any] = {}
            for response_name, plain in plan:
                if plain is None:  # graphql-core's __typename: the type's name, a String
                    results[response_name] = parent_type.name
                    continue
                value = self._leaf(plain, source_value)
                if value is Undefined:
                    break
                results[response_name] = value
            else:
                return results
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _leaf_plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> _LeafPlan | None:
        """The plain leaves of a selection made only of them, or None. graphql-core collects
        a selection once per request (a list's items share it), so the plan is kept per
        request by the selection's identity (the selection kept alive beside it)."""
        plans = self._leaf_plans
        known = plans.get(id(grouped_field_set))
        if known is not None:
            return known[1]
        plan: _LeafPlan | None = None
        if self._no_middleware():
            leaves: list[tuple[str, PlainField | None]] = []
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                if node.name.value == "__typename" and not node.arguments:
                    # Clients add it to every selection (Apollo does); its value is the
                    # name of the type executed, as graphql-core's resolver answers it.
                    leaves.append((response_name, None))
                    continue
                plain = None if node.arguments else plain_field(parent_type, node.name.value)
                if plain is None or isinstance(plain.named_type, GraphQLObjectType):
                    break
                leaves.append((response_name, plain))
            else:
                plan = tuple(leaves) if leaves else None
        plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        node: FieldNode = field_details_list[0].node
        plain = None if node.arguments else plain_field(parent_type, node.name.value)
        if plain is None:
            _kept_on_type(parent_type, "_direct_fields", node.name.value, _install_direct)
        if plain is None and position_context is None and not node.arguments:
            listed = self._list_entry(parent_type, "", field_details_list)
            if listed is not None:
                value = self._list(listed, source)
                if value is not plans.FALLBACK:
                    return value
        if plain is not None and self._no_middleware():
            if isinstance(plain.named_type, GraphQLObjectType):
                return self._object(
                    plain, parent_type, source, field_details_list, path, position_context
                )
            if (leaf := self._leaf(plain, source)) is not Undefined:
                return leaf
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """graphql-core's complete_value, with a plain object (a list's item, most often)
        given its selection at once: for a value that is neither null nor an error, the
        non-null wrapper and the branches before the object's change nothing."""
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if (
            isinstance(named, GraphQLObjectType)
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
        ):
            return self.complete_object_value(
                named, field_details_list, info, path, result, position_context
            )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """An object whose selection has a plan (see ``plain_plans``) is completed by it;
        anything the plan cannot answer, graphql-core's way."""
        if position_context is None:
            plan = self._object_plan(return_type, field_details_list)
            if plan is not None:
                completed = plans.run_plan(plan, result, self.is_awaitable)
                if completed is not plans.FALLBACK:
                    return cast("dict[str, Any]", completed)
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _list(self, entry: plans.Entry, source: Any) -> Any:
        """A plain list field's completed value, or FALLBACK (graphql-core then reads it)."""
        try:
            value = entry.read(source)
        except Exception:
            return plans.FALLBACK
        if value is None:
            return None if entry.nullable else plans.FALLBACK
        if isinstance(value, Exception) or self.is_awaitable(value):
            return plans.FALLBACK
        return plans.run_list(entry, value, self.is_awaitable)

    def _object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> plans.ObjectPlan | None:
        """The plan of ``object_type``'s selection in ``field_details_list``, made once per
        request (graphql-core collects each selection once; it is kept alive beside it)."""
        key = (object_type.name, id(field_details_list))
        known = self._object_plans.get(key)
        if known is not None:
            return known[1]
        plan = self._shared_plan(object_type, field_details_list) if self._no_middleware() else None
        self._object_plans[key] = (field_details_list, plan)
        return plan

    def _shared_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> plans.ObjectPlan | None:
        """The plan of a selection that is the same in every request of its document (no
        directive, no fragment variable in it or below it) is kept across requests, on the
        type, by its field nodes (held by the entry, so their ids are not reused); any other
        is made for this request alone."""
        nodes = tuple(details.node for details in field_details_list)
        shared = plans.shared_plans(object_type)
        known = shared.get(tuple(map(id, nodes)))
        if known is not None and all(a is b for a, b in zip(known[0], nodes, strict=True)):
            return known[1]
        plan = self._compile(object_type, field_details_list)
        if all(
            details.fragment_variable_values is None and details.defer_usage is None
            for details in field_details_list
        ) and plans.static_selection(nodes, self.fragments):
            plans.keep_shared(shared, nodes, plan)
        return plan

    def _compile(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> plans.ObjectPlan | None:
        usable, check = plans.strawberry_type_check(object_type)
        if not usable:
            return None
        grouped, new_defer_usages, forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages or forbidden:
            return None
        entries = []
        for response_name, details in grouped.items():
            entry = self._entry(object_type, response_name, details)
            if entry is None:
                return None
            entries.append(entry)
        return plans.ObjectPlan(object_type, check, tuple(entries))

    def _entry(
        self, parent_type: GraphQLObjectType, response_name: str, details: FieldDetailsList
    ) -> plans.Entry | None:
        node = details[0].node
        name = node.name.value
        if any(d.defer_usage is not None for d in details) or node.arguments:
            return None
        if name == "__typename":
            return plans.Entry(
                response_name, plans.TYPENAME, _no_read, False, False, None, None, name
            )
        plain = plain_field(parent_type, name)
        if plain is None:
            return self._list_entry(parent_type, response_name, details)
        if isinstance(plain.named_type, GraphQLObjectType):
            sub = self._object_plan(plain.named_type, details)
            if sub is None:
                return None
            return plans.Entry(
                response_name, plans.OBJECT, plain.read, plain.nullable, False, None, sub, name
            )
        leaf = plain.named_type
        return plans.Entry(
            response_name,
            plans.leaf_kind(leaf),
            plain.read,
            plain.nullable,
            False,
            leaf,
            None,
            name,
        )

    def _list_entry(
        self, parent_type: GraphQLObjectType, response_name: str, details: FieldDetailsList
    ) -> plans.Entry | None:
        """The entry of a plain list field (None for anything else, or one with ``@stream``:
        graphql-core delivers its items itself)."""
        name = details[0].node.name.value
        listed = plain_list_field(parent_type, name)
        if listed is None or not self._no_middleware():
            return None
        if any(d.defer_usage is not None for d in details) or any(
            directive.name.value == "stream"
            for d in details
            for directive in d.node.directives or ()
        ):
            return None
        if isinstance(listed.item_type, GraphQLObjectType):
            sub = self._object_plan(listed.item_type, details)
            if sub is None:
                return None
            return plans.Entry(
                response_name,
                plans.OBJECT_LIST,
                listed.read,
                listed.nullable,
                listed.items_nullable,
                None,
                sub,
                name,
            )
        return plans.Entry(
            response_name,
            plans.LEAF_LIST,
            listed.read,
            listed.nullable,
            listed.items_nullable,
            listed.item_type,
            None,
            name,
        )

    def _leaf(self, plain: PlainField, source: Any) -> Any:
        """The serialized value, or Undefined for anything graphql-core must report."""
        try:
            value = plain.read(source)
            if value is None:
                return None if plain.nullable else Undefined
            if isinstance(value, Exception) or self.is_awaitable(value):
                return Undefined
            coerced = cast("GraphQLLeafType", plain.named_type).coerce_output_value(value)
        except Exception:
            return Undefined
        return Undefined if coerced is None else coerced

    def _object(
        self,
        plain: PlainField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """What graphql-core's execute_field and complete_value do for an object field."""
        try:
            value = plain.read(source)
        except Exception:
            value = _UNREAD
        if value is _UNREAD or isinstance(value, Exception) or self.is_awaitable(value):
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        object_type = cast("GraphQLObjectType", plain.named_type)
        return_type: GraphQLOutputType = plain.definition.type
        try:
            if value is None:
                if plain.nullable:
                    return None
                raise TypeError(
                    f"Cannot return null for non-nullable field {parent_type.name}."
                    f"{field_details_list[0].node.name.value}."
                )
            info = (
                self.build_resolve_info(
                    plain.definition, [d.node for d in field_details_list], parent_type, path
                )
                if object_type.is_type_of is not None
                else cast("GraphQLResolveInfo[Any]", None)  # only is_type_of reads it
            )
            completed = self.complete_object_value(
                object_type, field_details_list, info, path, value, position_context
            )
            if self.is_awaitable(completed):
                return self._completed_later(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    async def _completed_later(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def _no_middleware(self) -> bool:
        # strawberry passes a manager on every request; it wraps resolvers only when a
        # schema extension implements `resolve`.
        manager = self.middleware_manager
        return manager is None or not manager.middlewares
