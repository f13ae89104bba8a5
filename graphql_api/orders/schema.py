"""The order tracking area's query and mutation, with who may use each."""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.orders import resolvers
from graphql_api.orders.types import RecordFulfilmentPayload, TrackedOrder
from graphql_api.permissions import STAFF, allowed


@strawberry.type(description="Reading tracked orders.")
class OrderQueries:
    order: TrackedOrder | None = strawberry.field(
        resolver=resolvers.order,
        description="An order's status, lines, timeline and estimated delivery. Agents and "
        "admins; a customer, their own orders only (another's reads as null, like an "
        "unknown id).",
        extensions=allowed(STAFF, Role.CUSTOMER),
    )


@strawberry.type(description="Commands on tracked orders.")
class OrderMutations:
    record_fulfilment: RecordFulfilmentPayload = strawberry.mutation(
        resolver=resolvers.record_fulfilment,
        description="Record an order's next fulfilment step (the shop system sends the same "
        "through POST /webhooks/orders). A step that does not follow the current one is "
        "ILLEGAL_TRANSITION; a step before placing, ORDER_NOT_FOUND. Agents and admins.",
        extensions=allowed(STAFF),
    )
