"""A customer's billing account as frontends see it: balance, invoices and payments.

Amounts are exact decimals in the account's currency (``amount``) and whole minor units
(``amountMinor``, a Long). ``paymentUrl`` is the provider's hosted page: "pay my bill" hands
off there; the product never sees a card.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import strawberry

from domain.purchase.values import from_minor_units
from graphql_api.context import RequestContext
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    PageInfo,
    connection,
    page_request,
)
from graphql_api.scalars import Long
from projections.billing import queries as read
from projections.billing.views import BillingAccountView, InvoiceView, PaymentView

Info = strawberry.Info[RequestContext, None]
INVOICE_CURSOR = "invoice"
PAYMENT_CURSOR = "payment"


@strawberry.type(name="Invoice", description="An invoice the provider issued.")
class InvoiceType:
    view: strawberry.Private[InvoiceView]

    @strawberry.field(description="The provider's invoice id.")
    def invoice_id(self) -> str:
        return self.view.invoice_id

    @strawberry.field(description="What it asks, in its currency.")
    def amount(self) -> Decimal:
        return from_minor_units(self.view.amount_minor, self.view.currency)

    @strawberry.field(description="What it asks, in minor units (cents).")
    def amount_minor(self) -> Long:
        return self.view.amount_minor

    @strawberry.field(description="Paid towards it so far, in its currency.")
    def paid(self) -> Decimal:
        return from_minor_units(self.view.paid_minor, self.view.currency)

    @strawberry.field(description="Left to pay (never below zero), in its currency.")
    def outstanding(self) -> Decimal:
        left = max(self.view.amount_minor - self.view.paid_minor, 0)
        return from_minor_units(left, self.view.currency)

    @strawberry.field(description="ISO 4217 currency.")
    def currency(self) -> str:
        return self.view.currency

    @strawberry.field(description="When it is due; null if the provider gave no date.")
    def due_at(self) -> datetime | None:
        return self.view.due_at

    @strawberry.field(description="When it was issued.")
    def issued_at(self) -> datetime:
        return self.view.issued_at

    @strawberry.field(
        description="The provider's hosted page where it is paid; null if none was given."
    )
    def payment_url(self) -> str | None:
        return self.view.payment_url


@strawberry.type(name="Payment", description="A payment attempt the provider reported.")
class PaymentType:
    view: strawberry.Private[PaymentView]

    @strawberry.field(description="The provider's payment id.")
    def payment_id(self) -> str:
        return self.view.payment_id

    @strawberry.field(description="The invoice it pays; null if it named none.")
    def invoice_id(self) -> str | None:
        return self.view.invoice_id

    @strawberry.field(description="True if the money was received; false if it failed.")
    def succeeded(self) -> bool:
        return self.view.status == "received"

    @strawberry.field(description="The amount, in its currency.")
    def amount(self) -> Decimal:
        return from_minor_units(self.view.amount_minor, self.view.currency)

    @strawberry.field(description="The amount in minor units (cents).")
    def amount_minor(self) -> Long:
        return self.view.amount_minor

    @strawberry.field(description="Refunded of it so far, in its currency.")
    def refunded(self) -> Decimal:
        return from_minor_units(self.view.refunded_minor, self.view.currency)

    @strawberry.field(description="ISO 4217 currency.")
    def currency(self) -> str:
        return self.view.currency

    @strawberry.field(description="The provider's reason for a failure, e.g. card_declined.")
    def failure_code(self) -> str | None:
        return self.view.failure_code

    @strawberry.field(description="When the provider reported it.")
    def at(self) -> datetime:
        return self.view.at


@strawberry.type(description="An edge of an invoice connection.")
class InvoiceEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: InvoiceType = strawberry.field(description="The invoice.")


@strawberry.type(description="A page of invoices, oldest first.")
class InvoiceConnection:
    edges: list[InvoiceEdge] = strawberry.field(description="The invoices of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(description="An edge of a payment connection.")
class PaymentEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: PaymentType = strawberry.field(description="The payment.")


@strawberry.type(description="A page of payments, oldest first.")
class PaymentConnection:
    edges: list[PaymentEdge] = strawberry.field(description="The payments of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(
    name="BillingAccount",
    description="A customer's bills and payments as the payment provider reported them.",
)
class BillingAccountType:
    view: strawberry.Private[BillingAccountView]

    @strawberry.field(description="The customer.")
    def customer_id(self) -> UUID:
        return self.view.customer_id

    @strawberry.field(description="ISO 4217 currency of every amount of the account.")
    def currency(self) -> str:
        return self.view.currency

    @strawberry.field(
        description="What the customer owes: invoiced, less paid, plus refunded (negative: "
        "in credit)."
    )
    def balance(self) -> Decimal:
        return from_minor_units(self.view.balance_minor, self.view.currency)

    @strawberry.field(description="The balance in minor units (cents).")
    def balance_minor(self) -> Long:
        return self.view.balance_minor

    @strawberry.field(description="Invoiced in all.")
    def invoiced(self) -> Decimal:
        return from_minor_units(self.view.invoiced_minor, self.view.currency)

    @strawberry.field(description="Received in all (failed payments not counted).")
    def paid(self) -> Decimal:
        return from_minor_units(self.view.paid_minor, self.view.currency)

    @strawberry.field(description="Refunded in all.")
    def refunded(self) -> Decimal:
        return from_minor_units(self.view.refunded_minor, self.view.currency)

    @strawberry.field(description="Its invoices, oldest first (Relay connection).")
    async def invoices(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
    ) -> InvoiceConnection:
        request = page_request(INVOICE_CURSOR, first=first, after=after, last=last, before=before)
        async with info.context.pool.connection() as conn:
            page = await read.invoices_of(
                conn, self.view.customer_id, request.size, request.cursor, backward=request.backward
            )
        return connection(
            InvoiceConnection,
            InvoiceEdge,
            INVOICE_CURSOR,
            page,
            lambda view: InvoiceType(view=view),
            after=after,
            position=lambda view: view.seq,
            request=request,
        )

    @strawberry.field(description="Its payments, received and failed, oldest first.")
    async def payments(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
    ) -> PaymentConnection:
        request = page_request(PAYMENT_CURSOR, first=first, after=after, last=last, before=before)
        async with info.context.pool.connection() as conn:
            page = await read.payments_of(
                conn, self.view.customer_id, request.size, request.cursor, backward=request.backward
            )
        return connection(
            PaymentConnection,
            PaymentEdge,
            PAYMENT_CURSOR,
            page,
            lambda view: PaymentType(view=view),
            after=after,
            position=lambda view: view.seq,
            request=request,
        )


CustomerArgument = Annotated[UUID, strawberry.argument(description="The customer.")]
