"""How many mutations one request runs: each top-level field of a mutation is one command.

Fields are counted by response key (an alias, or the name), as they execute: the same field
asked twice under one key with the same arguments runs once, and two aliases run twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

from graphql_api.limits.declare import is_sole_mutation
from graphql_api.limits.document import field_definition, fragments_of


def mutation_refusal(
    mutation_type: GraphQLNamedType | None,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    max_mutations: int,
) -> str | None:
    """Why the request may not run its mutations; None when it may."""
    if operation.operation is not OperationType.MUTATION:
        return None
    fields = _TopLevel(mutation_type, fragments_of(document)).fields(operation.selection_set)
    sole = sorted({node.name.value for node, definition in fields.values() if is_sole(definition)})
    if sole and len(fields) > 1:
        return f"{', '.join(sole)} must be the only mutation of its request; send one at a time"
    if len(fields) > max_mutations:
        return (
            f"this request runs {len(fields)} mutations and at most {max_mutations} may run "
            "in one request; send them separately"
        )
    return None


def is_sole(definition: GraphQLField | None) -> bool:
    return definition is not None and is_sole_mutation(definition)


@dataclass
class _TopLevel:
    mutation_type: GraphQLNamedType | None
    fragments: dict[str, FragmentDefinitionNode]
    seen: set[str] = field(default_factory=set)

    def fields(
        self, selections: SelectionSetNode | None
    ) -> dict[str, tuple[FieldNode, GraphQLField | None]]:
        """The top-level fields by response key, through fragments (each spread once)."""
        found: dict[str, tuple[FieldNode, GraphQLField | None]] = {}
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                found[key] = (selection, field_definition(self.mutation_type, selection.name.value))
            elif isinstance(selection, InlineFragmentNode):
                found.update(self.fields(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                found.update(self.spread(selection.name.value))
        return found

    def spread(self, name: str) -> dict[str, tuple[FieldNode, GraphQLField | None]]:
        # A fragment spread twice adds the same response keys twice: once is enough.
        fragment = self.fragments.get(name)
        if name in self.seen or fragment is None:
            return {}
        self.seen.add(name)
        return self.fields(fragment.selection_set)
