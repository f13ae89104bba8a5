"""The request limits as a schema extension: checked after validation, before execution.

A refusal is a request error (no ``data``; HTTP 400 for graphql-response+json): nothing has
run, so nothing is written. Every response reports the operation's cost in its
``extensions``: ``{"cost": {"requested": N, "limit": M}}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from graphql_api.limits.config import RequestLimits
from graphql_api.limits.cost import cached_operation_cost
from graphql_api.limits.document import operation_of
from graphql_api.limits.mutations import mutation_refusal

QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
TOO_MANY_MUTATIONS = "TOO_MANY_MUTATIONS"


class RequestLimiter(SchemaExtension):
    """Refuses an operation over the cost limit, or with too many mutations, before it runs."""

    def __init__(
        self, *, limits: RequestLimits, execution_context: ExecutionContext | None = None
    ) -> None:
        self._limits = limits
        self._cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        schema = context.schema._schema
        document = context.graphql_document
        operation = None if document is None else operation_of(document, context.operation_name)
        if document is not None and operation is not None:
            self._cost = cached_operation_cost(schema, document, operation, context.variables)
            refuse_over_limits(schema, document, operation, self._cost, self._limits)
        yield

    def get_results(self) -> dict[str, Any]:
        return cost_results(self._cost, self._limits)


def refuse_over_limits(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    cost: int,
    limits: RequestLimits,
) -> None:
    """Raise the refusal of an operation over the cost limit or with too many mutations.
    Raised, not returned: strawberry then answers with this error and runs nothing, over
    HTTP and over the WebSocket alike."""
    limit = limits.max_query_cost
    if cost > limit:
        message = (
            f"this operation would cost {cost} and at most {limit} is accepted: ask for "
            "fewer items (`first`), fewer fields or fewer aliases, or split it"
        )
        extensions = {"code": QUERY_TOO_COSTLY, "cost": cost, "limit": limit}
        raise GraphQLError(message, extensions=extensions)
    refusal = mutation_refusal(
        schema.mutation_type, document, operation, limits.max_mutations_per_request
    )
    if refusal is not None:
        raise GraphQLError(refusal, extensions={"code": TOO_MANY_MUTATIONS})


def cost_results(cost: int | None, limits: RequestLimits) -> dict[str, Any]:
    """The response's ``extensions`` for an operation of ``cost`` (None: never costed)."""
    if cost is None:
        return {}
    return {"cost": {"requested": cost, "limit": limits.max_query_cost}}
