"""Who may learn the schema from the API itself: introspection and "Did you mean ...?".

Both tell a caller the names of types and fields. `CXL_GRAPHQL_INTROSPECTION` chooses: `on`
(everyone, the development default), `off` (nobody, the production default; the checked-in
`schema.graphql` and `cxledger schema` are the contract) or `staff` (callers logged in with a
staff role). For a caller who may not, introspection fields fail validation and suggestions are
cut from every error message (validation, and variables coerced at execution).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from graphql_api.context import IntrospectionPolicy
from graphql_api.permissions import READERS

# graphql-core writes a suggestion as " Did you mean 'a', 'b', or 'c'?" (at the end of the
# message, or before "Found: ..." for variables); names never hold a "?".
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


class SchemaDisclosure(SchemaExtension):
    """Hides the schema from callers the policy does not show it to."""

    def __init__(self, policy: IntrospectionPolicy) -> None:
        self.policy = policy

    def on_operation(self) -> Iterator[None]:
        hidden = not may_see_schema(self.policy, self.execution_context.context)
        if hidden:
            context = self.execution_context
            context.validation_rules = (*context.validation_rules, NoSchemaIntrospectionCustomRule)
        yield
        result = self.execution_context.result
        if hidden and result is not None and result.errors:
            result.errors = [without_suggestions(error) for error in result.errors]


def may_see_schema(policy: IntrospectionPolicy, context: object) -> bool:
    """Whether the caller of the request ``context`` may learn the schema."""
    if policy != "staff":
        return policy == "on"
    principal = getattr(context, "principal", None)
    return principal is not None and principal.role in READERS


def without_suggestions(error: GraphQLError) -> GraphQLError:
    """The error with its "Did you mean ...?" cut off (a new error: validation results are
    cached and shared between requests)."""
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )
