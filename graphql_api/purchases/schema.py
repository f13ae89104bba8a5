"""The purchase area's mutations, with who may use each."""

from __future__ import annotations

import strawberry

from graphql_api.permissions import STAFF, allowed
from graphql_api.purchases import resolvers
from graphql_api.purchases.types import RecordPurchasePayload, RefundPurchasePayload


@strawberry.type(description="Commands on purchases.")
class PurchaseMutations:
    record_purchase: RecordPurchasePayload = strawberry.mutation(
        resolver=resolvers.record_purchase,
        description="Record an order a customer made. Recording the same order again writes "
        "nothing and answers the same; the same order id with other details is refused "
        "(ORDER_ID_REUSED). Agents and admins.",
        extensions=allowed(STAFF),
    )
    refund_purchase: RefundPurchasePayload = strawberry.mutation(
        resolver=resolvers.refund_purchase,
        description="Refund (part of) an order; never more than is left to refund. Agents "
        "and admins.",
        extensions=allowed(STAFF),
    )
