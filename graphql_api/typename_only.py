"""An operation that selects nothing but ``__typename`` of its root type, answered without
graphql-core's executor.

``{ __typename }`` is what clients and load balancers send to see that a GraphQL server
answers. Its data is known from the document alone: each response name maps to the root
type's name. graphql-core still builds an executor, collects the fields, resolves each one
and assembles the result for it (about a fifth of the server's CPU for such a request, issue
14); :func:`typename_names` tells from the parsed operation, once per document, whether that
work can be skipped, and :func:`typename_data` makes the same ``data`` graphql-core makes.

Only the plain shape is taken: fields named ``__typename`` (aliased or not), no arguments, no
directives (``@include``/``@skip`` depend on variables), no fragments, no variable
definitions (their values would be coerced and could fail) and no directives on the
operation. Everything else runs through the executor.
"""

from __future__ import annotations

from graphql import FieldNode, GraphQLSchema, OperationDefinitionNode, OperationType

TYPENAME = "__typename"


def typename_names(
    schema: GraphQLSchema, operation: OperationDefinitionNode
) -> tuple[str, tuple[str, ...]] | None:
    """The root type's name and the response names, in the selection's order (a name
    repeated once), if ``operation`` selects only ``__typename``; else None."""
    if operation.variable_definitions or operation.directives:
        return None
    if operation.operation == OperationType.QUERY:
        root = schema.query_type
    elif operation.operation == OperationType.MUTATION:
        root = schema.mutation_type
    else:
        return None  # a subscription's root field is a stream, never answered here
    if root is None:
        return None
    names: list[str] = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value != TYPENAME:
            return None
        if selection.arguments or selection.directives or selection.selection_set:
            return None
        name = selection.alias.value if selection.alias else TYPENAME
        if name not in names:
            names.append(name)
    return (root.name, tuple(names)) if names else None


def typename_data(answer: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    """The operation's ``data``: a new dict each time (a result may be changed downstream)."""
    root_name, names = answer
    return dict.fromkeys(names, root_name)
