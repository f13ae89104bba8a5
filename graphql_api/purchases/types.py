"""The Purchase type, its inputs and payloads, as frontends see them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

import strawberry

from domain.purchase.model import Purchase
from domain.purchase.values import from_minor_units
from graphql_api.context import RequestContext
from graphql_api.customers.resolvers import load_customer
from graphql_api.customers.types import CustomerType
from graphql_api.enums import PurchaseChannel
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from graphql_api.scalars import AmountText
from projections.customers.projection import CustomerDirectory

AMOUNT = 'An amount in the currency\'s units, e.g. "12.50"; send it as a string.'


@strawberry.type(name="OrderLine", description="One line of an order.")
class OrderLineType:
    sku: str = strawberry.field(description="The product's stock-keeping unit.")
    category: str | None = strawberry.field(description="Product category, a lower-case slug.")
    quantity: int = strawberry.field(description="How many.")
    unit_price: Decimal = strawberry.field(description="Price of one, in the order's currency.")


@strawberry.type(name="Purchase", description="An order of one customer, with its refunds.")
class PurchaseType:
    id: UUID = strawberry.field(description="The purchase's id (derived from the order id).")
    order_id: str = strawberry.field(description="The order id from the shop system.")
    customer_id: UUID = strawberry.field(description="Who bought.")
    amount: Decimal = strawberry.field(description="Order total.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")
    channel: PurchaseChannel = strawberry.field(description="Where the order was made.")
    purchased_at: datetime = strawberry.field(description="When the order was made.")
    refunded: Decimal = strawberry.field(description="Refunded so far.")
    refundable: Decimal = strawberry.field(description="What is left to refund.")
    items: list[OrderLineType] = strawberry.field(description="The order's lines.")
    version: int = strawberry.field(description="Aggregate version.")

    @classmethod
    def from_aggregate(cls, purchase: Purchase) -> PurchaseType:
        def money(minor: int) -> Decimal:
            return from_minor_units(minor, purchase.currency)

        return cls(
            id=purchase.id,
            order_id=purchase.order_id,
            customer_id=purchase.customer_id,
            amount=money(purchase.amount_minor),
            currency=purchase.currency,
            channel=PurchaseChannel(purchase.channel),
            purchased_at=purchase.purchased_at,
            refunded=money(purchase.refunded_minor),
            refundable=money(purchase.refundable_minor),
            items=[
                OrderLineType(
                    sku=line["sku"],
                    category=line["category"],
                    quantity=line["quantity"],
                    unit_price=money(line["unit_amount_minor"]),
                )
                for line in purchase.items
            ],
            version=purchase.version,
        )


@strawberry.input(description="One line of an order.")
class OrderLineInput:
    sku: str = strawberry.field(description="Stock-keeping unit: 1-64 letters, digits or ._-")
    category: str | None = strawberry.field(
        default=None, description="Product category, a lower-case slug."
    )
    quantity: int = strawberry.field(description="How many, 1 to 100000.")
    unit_price: AmountText = strawberry.field(description=f"Price of one. {AMOUNT}")


@strawberry.input(description="An order a customer made. Recording it again changes nothing.")
class RecordPurchaseInput:
    customer_id: UUID = strawberry.field(description="Who bought.")
    order_id: str = strawberry.field(
        description="The shop's order id, 1-128 letters, digits or ._:-; the idempotency key."
    )
    amount: AmountText = strawberry.field(description=f"Order total, more than zero. {AMOUNT}")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")
    channel: PurchaseChannel = strawberry.field(description="Where the order was made.")
    purchased_at: datetime = strawberry.field(
        description="When, with a time zone; not in the future, not before 2000."
    )
    items: list[OrderLineInput] = strawberry.field(
        default_factory=list, description="The order's lines, at most 500."
    )


@strawberry.input(description="Money going back to the customer for (part of) an order.")
class RefundPurchaseInput:
    order_id: str = strawberry.field(description="The order to refund.")
    amount: AmountText | None = strawberry.field(
        default=None, description=f"How much to refund; left out: all that is left. {AMOUNT}"
    )


@strawberry.type(description="What every purchase mutation answers.")
class PurchasePayload(Payload):
    purchase: PurchaseType | None = strawberry.field(
        description="The purchase after the write; null if refused."
    )
    customer: CustomerType | None = strawberry.field(
        description="The customer who bought, as the read model shows the write (with the "
        "purchase summary); null if refused or if the read model did not show it in time "
        "(see notices; the purchase holds the customer's id)."
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    # The customer's purchase summary shows the write.
    read_model = CustomerDirectory.name


async def purchase_shown(context: RequestContext, purchase: Purchase) -> Fields:
    """The purchase as the command left it, and its customer as the read model shows them."""
    return {
        "purchase": PurchaseType.from_aggregate(purchase),
        "customer": await load_customer(context, purchase.customer_id),
    }


@strawberry.type(description="Result of recordPurchase.")
class RecordPurchasePayload(PurchasePayload):
    pass


@strawberry.type(description="Result of refundPurchase.")
class RefundPurchasePayload(PurchasePayload):
    pass
