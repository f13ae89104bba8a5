"""Use cases on purchases, mixed into the Ledger application."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from domain.customer.errors import CustomerNotFoundError
from domain.customer.model import Customer
from domain.purchase.errors import OrderIdReusedError, PurchaseNotFoundError
from domain.purchase.model import Purchase
from domain.purchase.values import (
    MAX_ITEMS,
    OrderLine,
    PurchaseChannel,
    check_currency,
    check_order_id,
    to_minor_units,
)
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.errors import ValidationError
from domain.shared.metadata import EventMetadata, acting_as

CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_PURCHASE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class OrderLineInput:
    sku: str
    quantity: int
    unit_price: Decimal | str
    category: str | None = None


@dataclass(frozen=True, slots=True)
class RecordPurchase:
    """Record an order. Recording the same order again writes nothing and answers the same."""

    customer_id: UUID
    order_id: str
    amount: Decimal | str
    currency: str
    channel: PurchaseChannel
    purchased_at: datetime
    items: list[OrderLineInput] = field(default_factory=list)


class PurchaseCommands(LedgerCore):
    """Commands on :class:`Purchase`."""

    def record_purchase(self, command: RecordPurchase, metadata: EventMetadata) -> CommandResult:
        currency = check_currency(command.currency)
        amount_minor = to_minor_units(command.amount, currency)
        order_id = check_order_id(command.order_id)
        purchased_at = self._checked_time(command.purchased_at, "purchasedAt")
        lines = self._checked_lines(command.items, currency)
        self.load(
            command.customer_id,
            Customer,
            lambda: CustomerNotFoundError("no such customer", field="customerId"),
        )
        if self.exists(Purchase.id_for(order_id)):
            return self._replayed_purchase(order_id, command.customer_id, amount_minor, currency)
        with acting_as(metadata):
            purchase = Purchase.record(
                customer_id=command.customer_id,
                order_id=order_id,
                amount_minor=amount_minor,
                currency=currency,
                channel=command.channel.value,
                purchased_at=purchased_at,
                items=[line.as_dict() for line in lines],
            )
        return CommandResult(purchase.id, purchase.version, self.commit(purchase))

    def refund_purchase(
        self,
        order_id: str,
        amount: Decimal | str | None,
        metadata: EventMetadata,
        refunded_at: datetime | None = None,
    ) -> CommandResult:
        """Refund (part of) an order; ``amount`` None refunds what is left."""
        purchase = self.load(
            Purchase.id_for(check_order_id(order_id)),
            Purchase,
            lambda: PurchaseNotFoundError("no such order", field="orderId"),
        )
        minor = (
            purchase.refundable_minor
            if amount is None
            else to_minor_units(amount, purchase.currency)
        )
        when = self._checked_time(refunded_at or datetime.now(UTC), "refundedAt")
        with acting_as(metadata):
            purchase.refund(minor, when)
        return CommandResult(purchase.id, purchase.version, self.commit(purchase))

    def get_purchase(self, order_id: str) -> Purchase:
        return self.load(
            Purchase.id_for(check_order_id(order_id)),
            Purchase,
            lambda: PurchaseNotFoundError("no such order", field="orderId"),
        )

    def _replayed_purchase(
        self, order_id: str, customer_id: UUID, amount_minor: int, currency: str
    ) -> CommandResult:
        purchase = self.get_purchase(order_id)
        if not purchase.is_same_order(customer_id, amount_minor, currency):
            raise OrderIdReusedError(
                "this order id was recorded with other details", field="orderId"
            )
        return CommandResult(purchase.id, purchase.version, self.head_position())

    @staticmethod
    def _checked_time(moment: datetime, field_name: str) -> datetime:
        if moment.tzinfo is None:
            raise ValidationError(f"{field_name} needs a time zone", field=field_name)
        if not EARLIEST_PURCHASE <= moment <= datetime.now(UTC) + CLOCK_SKEW:
            raise ValidationError(f"{field_name} is not a plausible time", field=field_name)
        return moment.astimezone(UTC)

    @staticmethod
    def _checked_lines(items: list[OrderLineInput], currency: str) -> list[OrderLine]:
        if len(items) > MAX_ITEMS:
            raise ValidationError(f"an order has at most {MAX_ITEMS} lines", field="items")
        return [
            OrderLine.checked(i.sku, i.category, i.quantity, i.unit_price, currency) for i in items
        ]
