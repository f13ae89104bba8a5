"""The static cost of an operation, known before anything runs.

A field costs what it declares (``Cost``; 1 by default) plus its selection's cost; a field
with a ``first`` argument (a Relay connection or another page) multiplies its selection's cost
by the page it asks for, in ``first`` or (paging backward) ``last``: the literal, else the
variable's value or default, else the argument's default (a connection whose ``first``
defaults to null serves ``DEFAULT_PAGE_SIZE`` or fewer); at most the largest page
(``MAX_PAGE_SIZE``), since every paged field refuses more with BAD_PAGE_SIZE before it reads
anything (and both sizes at once with BAD_REQUEST, so the larger is counted). So a page of
100 customers with ten fields costs about 1,200, and a page of 100 inside each of those 100
costs the product. A field taking a list of ``ids`` (``nodes``) multiplies it by how many it
is given, at most ``MAX_NODE_IDS``, which it refuses more than.
Aliases, inline fragments and named fragments count wherever they appear; each named fragment
is costed once and reused, so that fragments spread inside fragments cannot make this analysis
itself expensive.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)

from graphql_api.limits.declare import declared_cost
from graphql_api.limits.document import field_definition, fragments_of, root_type
from graphql_api.node_interface import MAX_NODE_IDS
from graphql_api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

PAGE_ARGUMENT = "first"
BACKWARD_PAGE_ARGUMENT = "last"
IDS_ARGUMENT = "ids"


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> int:
    """What running ``operation`` of ``document`` with ``variables`` may cost at most."""
    return _costed(schema, document, operation, variables)[0]


def _costed(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> tuple[int, bool]:
    """The operation's cost, and whether it read a variable to find it."""
    defaults = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    costing = _Costing(schema, fragments_of(document), {**defaults, **(variables or {})})
    cost = costing.selection(root_type(schema, operation), operation.selection_set)
    return cost, costing.read_variables


CACHED_COSTS = 512
"""Operations whose cost reads no variable, whose cost each process keeps, least recently used
out first (as many as the document cache keeps documents)."""

_costs: OrderedDict[
    tuple[int, int, int], tuple[GraphQLSchema, DocumentNode, OperationDefinitionNode, int]
] = OrderedDict()


def cached_operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> int:
    """``operation_cost``, computed once per process for an operation whose cost reads no
    variable (it then depends on nothing else): one without variables, or one whose variables
    size no page and name no ids (a mutation's ``input``). Whether the costing reads one
    depends on the document alone (every field is counted, whatever ``@skip`` says). The
    parse cache hands every request of a document the same nodes, so they are the key by
    identity (hashing a document walks all of it); the nodes are kept beside the cost so that
    no identity is reused meanwhile."""
    key = (id(schema), id(document), id(operation))
    known = _costs.get(key)
    if known is not None:
        _costs.move_to_end(key)
        return known[3]
    cost, read_variables = _costed(schema, document, operation, variables)
    if read_variables:
        return cost
    _costs[key] = (schema, document, operation, cost)
    if len(_costs) > CACHED_COSTS:
        _costs.popitem(last=False)
    return cost


@dataclass
class _Costing:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    fragment_costs: dict[str, int] = field(default_factory=dict)
    read_variables: bool = False
    """Whether a variable was read (a page size or ids given by one): then the cost is this
    request's, not the document's."""

    def selection(
        self, parent: GraphQLNamedType | None, selections: SelectionSetNode | None
    ) -> int:
        total = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = parent if condition is None else self.schema.get_type(condition.name.value)
                total += self.selection(inner, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def field(self, parent: GraphQLNamedType | None, node: FieldNode) -> int:
        definition = field_definition(parent, node.name.value)
        if definition is None:
            return 1  # a field the schema lacks never passes validation
        children = self.selection(get_named_type(definition.type), node.selection_set)
        return declared_cost(definition) + children * self.page_size(definition, node)

    def fragment(self, name: str) -> int:
        if name not in self.fragment_costs:
            self.fragment_costs[name] = 0  # a cycle (validation refuses them) adds nothing
            fragment = self.fragments.get(name)
            if fragment is not None:
                parent = self.schema.get_type(fragment.type_condition.name.value)
                self.fragment_costs[name] = self.selection(parent, fragment.selection_set)
        return self.fragment_costs[name]

    def page_size(self, definition: GraphQLField, node: FieldNode) -> int:
        """How many items the field may return; 1 for a field that is not paged."""
        if IDS_ARGUMENT in definition.args:
            return self.ids_given(node)
        if PAGE_ARGUMENT not in definition.args:
            return 1
        sizes = [
            self.size_given(definition, node, name)
            for name in (PAGE_ARGUMENT, BACKWARD_PAGE_ARGUMENT)
            if name in definition.args
        ]
        given = [size for size in sizes if size is not None]
        return max(given) if given else self.default_size(definition)

    def size_given(self, definition: GraphQLField, node: FieldNode, name: str) -> int | None:
        """The page size asked for in argument ``name``; None when it is left out (or null)."""
        given = next((a.value for a in node.arguments or () if a.name.value == name), None)
        value: Any = None
        if isinstance(given, VariableNode):
            self.read_variables = True
            value = self.variables.get(given.name.value)
        elif given is not None:
            value = value_from_ast_untyped(given)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            # A larger page is refused by its field (BAD_PAGE_SIZE) before anything is read.
            return min(value, MAX_PAGE_SIZE)
        return MAX_PAGE_SIZE  # not a usable number: the field will refuse it; assume the most

    def ids_given(self, node: FieldNode) -> int:
        """How many ids the field is asked for (it refuses more than ``MAX_NODE_IDS``)."""
        given = next((a.value for a in node.arguments or () if a.name.value == IDS_ARGUMENT), None)
        value: Any = None
        if isinstance(given, VariableNode):
            self.read_variables = True
            value = self.variables.get(given.name.value)
        elif given is not None:
            value = value_from_ast_untyped(given)
        if isinstance(value, list):
            return min(len(value), MAX_NODE_IDS)
        return MAX_NODE_IDS if value is None else 1  # one id is coerced to a list of one

    @staticmethod
    def default_size(definition: GraphQLField) -> int:
        """The page served when no size is given: ``first``'s default when it has one, else
        the shared default of connections that take ``first`` or ``last`` (Customer 360's
        lists serve fewer, 10: counting 20 errs on the safe side)."""
        default = definition.args[PAGE_ARGUMENT].default_value
        if isinstance(default, int) and not isinstance(default, bool) and default >= 0:
            return min(default, MAX_PAGE_SIZE)
        return DEFAULT_PAGE_SIZE
