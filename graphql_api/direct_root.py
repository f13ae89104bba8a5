"""A query of one direct root field, answered without graphql-core's executor.

A list page (``{ customers(first: 20) { edges { node { id name email region } } } }``) runs
through graphql-core's ``execute`` for one resolver call and one plan: the executor is built
(about a dozen objects, its field collection), the root field's arguments are coerced from
the document's literals again, a resolve info is made, and the awaitable goes through four
nested coroutines before the plan (``plain_plans``) completes the value. For an operation
whose shape fixes all of that, :func:`direct_root` decides once per document what the
executor would do, and :func:`answer_directly` does only the calls that depend on the
request: the field's direct answer (``plain_fields.DirectAnswer``: the permissions, then the
answer, with the arguments coerced once) and the plan the executor keeps for the field's
selection (``plain_plans.shared_plans``, found by the field's node as the executor finds it).

The shape: a query with no directives, selecting one field of the query type (aliased or
not) with no directives, whose type is an object type (null allowed or not), which has a
direct answer (``plain_fields.DIRECT``), and whose arguments are all values the direct
resolver passes on as they are: decided once for literals (with their defaults); for an
operation with variables (``query($id: UUID!) { customer(id: $id) { name } }``, the shape
most clients send), the variables are coerced in each request as the executor coerces them,
and a request whose variables it refuses, or whose values the resolver would convert, goes
to the executor, which reports or converts them as before.

The result is graphql-core's only when nothing is left for graphql-core to report: until
the executor has made and kept the selection's plan (the document's first request, or after
the plans were dropped), and for a selection without one, the executor runs as before.
When the answer raised, or gave a value the plan does not complete itself (null, an error,
an awaitable, a value the plan answers FALLBACK for), the executor runs the operation with
that outcome put back in the field's place (``replaying``: a middleware, so the executor
takes its own path throughout): the same data, errors, paths and locations as if it had
called the resolver itself, without asking the database again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableDefinitionNode,
)
from graphql.execution import MiddlewareManager
from graphql.execution.values import get_argument_values, get_variable_values

from graphql_api import plain_plans as plans
from graphql_api.plain_fields import DirectAnswer, installed_direct

UNPLANNED: Final = object()
"""``answer_directly``'s answer when the executor must run as before (no plan kept yet)."""


@dataclass(frozen=True, slots=True)
class DirectRoot:
    """What the executor would do for a document's one root field, decided once."""

    node: FieldNode
    response_name: str
    object_type: GraphQLObjectType
    answer: DirectAnswer
    arguments: dict[str, Any] | None
    """The field's coerced arguments by their Python names (never changed: the answer
    takes them as keyword arguments); None for an operation with variables, whose arguments
    are coerced in each request (``arguments_of``)."""
    field: GraphQLField
    variables: tuple[VariableDefinitionNode, ...] = ()
    """The operation's variable definitions (none: ``arguments`` holds the arguments)."""


@dataclass(frozen=True, slots=True)
class Replay:
    """An answer the executor must complete itself, put back by ``middleware``."""

    middleware: MiddlewareManager


def direct_root(schema: GraphQLSchema, operation: OperationDefinitionNode) -> DirectRoot | None:
    """The direct root of ``operation`` (of a document that validated), or None for any
    other shape (see the module)."""
    root = schema.query_type
    if (
        root is None
        or operation.operation != OperationType.QUERY
        or operation.directives
        or len(operation.selection_set.selections) != 1
    ):
        return None
    node = operation.selection_set.selections[0]
    if not isinstance(node, FieldNode) or node.directives:
        return None
    name = node.name.value
    field = root.fields.get(name)
    if field is None:
        return None  # __typename and the introspection fields
    field_type = field.type
    named = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if not isinstance(named, GraphQLObjectType):
        return None
    answer = installed_direct(root, name)
    if answer is None:
        return None
    response_name = node.alias.value if node.alias else name
    variables = tuple(operation.variable_definitions or ())
    if variables:  # coerced in each request, as the executor coerces them
        return DirectRoot(node, response_name, named, answer, None, field, variables)
    try:
        # No variables: the operation defines none, so (valid) it uses none.
        given = get_argument_values(field, node)
    except Exception:  # the executor reports it, request by request
        return None
    arguments = answer.python_arguments(given)
    if arguments is None:
        return None
    return DirectRoot(node, response_name, named, answer, arguments, field)


def arguments_of(
    root: DirectRoot, schema: GraphQLSchema, variables: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The field's arguments by their Python names for a request with ``variables``, as the
    executor would coerce them (``get_variable_values``, then ``get_argument_values``); None
    where the executor must run as before: a variable it refuses (it reports the errors), an
    argument value the direct resolver does not pass on as it is."""
    if root.arguments is not None:
        return root.arguments
    coerced = get_variable_values(schema, root.variables, variables or {})
    if isinstance(coerced, list):  # the variables' errors
        return None
    try:
        given = get_argument_values(root.field, root.node, coerced)
    except Exception:  # the executor reports it
        return None
    return root.answer.python_arguments(given)


async def answer_directly(
    root: DirectRoot,
    context: Any,
    is_awaitable: Callable[[Any], bool],
    schema: GraphQLSchema,
    variables: dict[str, Any] | None,
) -> Any:
    """The operation's ``data``, a ``Replay`` for the executor, or ``UNPLANNED``."""
    kept = plans.shared_plans(root.object_type).get((id(root.node),))
    if kept is None or kept[0][0] is not root.node or kept[1] is None:
        return UNPLANNED
    arguments = arguments_of(root, schema, variables)
    if arguments is None:
        return UNPLANNED
    if root.answer.planned is not None:  # e.g. a page that reads only what it shows
        arguments = root.answer.planned(kept[1], arguments)
    try:
        value = await root.answer.permitted(context, arguments)
    except Exception as error:  # put back for the executor to report
        return Replay(replaying(root, error, raised=True))
    if value is None or isinstance(value, Exception) or is_awaitable(value):
        return Replay(replaying(root, value, raised=False))
    completed = plans.run_plan(kept[1], value, is_awaitable)
    if completed is plans.FALLBACK:
        return Replay(replaying(root, value, raised=False))
    return {root.response_name: completed}


def replaying(root: DirectRoot, outcome: Any, raised: bool) -> MiddlewareManager:
    """A middleware answering the root field with ``outcome`` (raised when it awaits, as
    the answer's awaitable raised it), every other field by its resolver."""

    async def replayed() -> Any:
        if raised:
            raise outcome
        return outcome

    def middleware(
        resolve: Callable[..., Any], source: Any, info: GraphQLResolveInfo[Any], **args: Any
    ) -> Any:
        if info.path.prev is None and info.path.key == root.response_name:
            return replayed()
        return resolve(source, info, **args)

    return MiddlewareManager(middleware)
