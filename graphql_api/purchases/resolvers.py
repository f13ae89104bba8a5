"""Purchase mutations: translate, delegate; the domain decides."""

from __future__ import annotations

from typing import Annotated

from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.mutation import INPUT, Fields, Info, Shown, run_command
from graphql_api.purchases.types import (
    RecordPurchaseInput,
    RecordPurchasePayload,
    RefundPurchaseInput,
    RefundPurchasePayload,
    purchase_shown,
)


def showing_order(context: RequestContext, order_id: str) -> Shown[CommandResult]:
    """Show the order's purchase as the command left it (read after the write)."""

    async def shown(result: CommandResult) -> Fields:
        purchase = await context.run_command(context.ledger.get_purchase, order_id)
        return await purchase_shown(context, purchase)

    return shown


async def record_purchase(
    info: Info,
    input: Annotated[RecordPurchaseInput, INPUT],  # noqa: A002
) -> RecordPurchasePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    recorded = RecordPurchase(
        customer_id=input.customer_id,
        order_id=input.order_id,
        amount=input.amount,
        currency=input.currency,
        channel=input.channel,
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
    return await run_command(
        info,
        lambda: ledger.record_purchase(recorded, metadata),
        RecordPurchasePayload,
        showing_order(info.context, input.order_id),
    )


async def refund_purchase(
    info: Info,
    input: Annotated[RefundPurchaseInput, INPUT],  # noqa: A002
) -> RefundPurchasePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.refund_purchase(input.order_id, input.amount, metadata),
        RefundPurchasePayload,
        showing_order(info.context, input.order_id),
    )
