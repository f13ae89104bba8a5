"""Purchase mutations: translate, delegate; the domain decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import strawberry

from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.model import Purchase
from domain.purchase.values import PurchaseChannel
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.customers.resolvers import load_customer
from graphql_api.errors import user_error_from
from graphql_api.purchases.types import (
    PurchasePayload,
    PurchaseType,
    RecordPurchaseInput,
    RecordPurchasePayload,
    RefundPurchaseInput,
    RefundPurchasePayload,
)
from projections.customers.projection import CustomerDirectory

Info = strawberry.Info[RequestContext, None]
INPUT = strawberry.argument(description="What to do; see the input type.")
P = TypeVar("P", bound=PurchasePayload)


async def _purchase_payload(
    context: RequestContext,
    payload: type[P],
    command: Callable[[], tuple[CommandResult, Purchase]],
) -> P:
    try:
        result, purchase = await context.run_command(command)
    except DomainError as error:
        return payload(
            purchase=None, customer=None, position=None, user_errors=[user_error_from(error)]
        )
    notices = await context.wait_for_write(CustomerDirectory.name, result.position)
    return payload(
        purchase=PurchaseType.from_aggregate(purchase),
        customer=await load_customer(context, purchase.customer_id),
        position=str(result.position),
        user_errors=[],
        notices=notices,
    )


async def record_purchase(
    info: Info,
    input: Annotated[RecordPurchaseInput, INPUT],  # noqa: A002
) -> RecordPurchasePayload:
    context, metadata = info.context, info.context.metadata()

    def command() -> tuple[CommandResult, Purchase]:
        recorded = RecordPurchase(
            customer_id=input.customer_id,
            order_id=input.order_id,
            amount=input.amount,
            currency=input.currency,
            channel=PurchaseChannel(input.channel.value),
            purchased_at=input.purchased_at,
            items=[
                OrderLineInput(
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    category=line.category,
                )
                for line in input.items
            ],
        )
        result = context.ledger.record_purchase(recorded, metadata)
        return result, context.ledger.get_purchase(recorded.order_id)

    return await _purchase_payload(context, RecordPurchasePayload, command)


async def refund_purchase(
    info: Info,
    input: Annotated[RefundPurchaseInput, INPUT],  # noqa: A002
) -> RefundPurchasePayload:
    context, metadata = info.context, info.context.metadata()

    def command() -> tuple[CommandResult, Purchase]:
        result = context.ledger.refund_purchase(input.order_id, input.amount, metadata)
        return result, context.ledger.get_purchase(input.order_id)

    return await _purchase_payload(context, RefundPurchasePayload, command)
