"""Order tracking: translate, delegate to the ledger; the domain decides. A customer reads
only their own orders: another's reads as an unknown id."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.shared.application import CommandResult
from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.mutation import INPUT, Fields, Info, run_command
from graphql_api.orders.types import RecordFulfilmentInput, RecordFulfilmentPayload, TrackedOrder
from graphql_api.read_your_writes import AtLeast, wait_for
from projections.orders.projection import OrderTracking
from projections.orders.queries import tracked_order

MAX_ORDER_ID = 128


async def load_order(context: RequestContext, order_id: str) -> TrackedOrder | None:
    if len(order_id) > MAX_ORDER_ID:
        return None  # no order has such an id
    async with context.pool.connection() as conn:
        view = await tracked_order(conn, order_id)
    if view is None:
        return None
    principal = context.principal
    if principal.role is Role.CUSTOMER and not principal.is_subject(view.customer_id):
        return None
    return TrackedOrder.from_view(view)


async def order(
    info: Info,
    id: Annotated[str, strawberry.argument(description="The shop's order id.")],  # noqa: A002
    at_least: AtLeast = None,
) -> TrackedOrder | None:
    await wait_for(info.context, OrderTracking.name, at_least)
    return await load_order(info.context, id)


async def record_fulfilment(
    info: Info,
    input: Annotated[RecordFulfilmentInput, INPUT],  # noqa: A002
) -> RecordFulfilmentPayload:
    context, metadata = info.context, info.context.metadata()
    command = RecordFulfilment(
        order_id=input.order_id,
        step=input.step,
        at=input.at,
        customer_id=input.customer_id,
        lines=[LineInput(line.sku, line.quantity) for line in input.lines],
        carrier=input.carrier,
        tracking_number=input.tracking_number,
        idempotency_key=input.idempotency_key,
    )

    async def shown(result: CommandResult) -> Fields:
        return {"order": await load_order(context, input.order_id)}

    return await run_command(
        info,
        lambda: context.ledger.record_fulfilment(command, metadata),
        RecordFulfilmentPayload,
        shown,
    )
