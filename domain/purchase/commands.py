"""Use cases on purchases: command dataclasses and the handler functions that run them.

Each handler takes the ledger core, its command and the metadata of who asks (see
:mod:`domain.shared.commands`); ``domain.handlers.HANDLERS`` maps the commands to them.
"""

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
from domain.shared.commands import Command
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
class RecordPurchase(Command[CommandResult]):
    """Record an order. Recording the same order again writes nothing and answers the same."""

    customer_id: UUID
    order_id: str
    amount: Decimal | str
    currency: str
    channel: PurchaseChannel
    purchased_at: datetime
    items: list[OrderLineInput] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RefundPurchase(Command[CommandResult]):
    """Refund (part of) an order; ``amount`` None refunds what is left."""

    order_id: str
    amount: Decimal | str | None
    refunded_at: datetime | None = None


def record_purchase(
    ledger: LedgerCore, command: RecordPurchase, metadata: EventMetadata
) -> CommandResult:
    currency = check_currency(command.currency)
    amount_minor = to_minor_units(command.amount, currency)
    order_id = check_order_id(command.order_id)
    purchased_at = _checked_time(command.purchased_at, "purchasedAt")
    lines = _checked_lines(command.items, currency)
    ledger.load(command.customer_id, Customer, _no_customer)
    earlier = ledger.find(Purchase.id_for(order_id), Purchase, _not_an_order)
    if earlier is not None:
        return _replayed(ledger, earlier, command.customer_id, amount_minor, currency)
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
    return CommandResult(purchase.id, purchase.version, ledger.commit(purchase))


def refund_purchase(
    ledger: LedgerCore, command: RefundPurchase, metadata: EventMetadata
) -> CommandResult:
    purchase = purchase_of(ledger, command.order_id)
    minor = (
        purchase.refundable_minor
        if command.amount is None
        else to_minor_units(command.amount, purchase.currency)
    )
    when = _checked_time(command.refunded_at or datetime.now(UTC), "refundedAt")
    with acting_as(metadata):
        purchase.refund(minor, when)
    return CommandResult(purchase.id, purchase.version, ledger.commit(purchase))


def purchase_of(ledger: LedgerCore, order_id: str) -> Purchase:
    """The order (a query other slices ask: loyalty earns on it, referrals qualify on it)."""
    return ledger.load(Purchase.id_for(check_order_id(order_id)), Purchase, _not_an_order)


def _replayed(
    ledger: LedgerCore, purchase: Purchase, customer_id: UUID, amount_minor: int, currency: str
) -> CommandResult:
    if not purchase.is_same_order(customer_id, amount_minor, currency):
        raise OrderIdReusedError("this order id was recorded with other details", field="orderId")
    return CommandResult(purchase.id, purchase.version, ledger.head_position())


def _checked_time(moment: datetime, field_name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValidationError(f"{field_name} needs a time zone", field=field_name)
    if not EARLIEST_PURCHASE <= moment <= datetime.now(UTC) + CLOCK_SKEW:
        raise ValidationError(f"{field_name} is not a plausible time", field=field_name)
    return moment.astimezone(UTC)


def _checked_lines(items: list[OrderLineInput], currency: str) -> list[OrderLine]:
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"an order has at most {MAX_ITEMS} lines", field="items")
    return [OrderLine.checked(i.sku, i.category, i.quantity, i.unit_price, currency) for i in items]


def _no_customer() -> CustomerNotFoundError:
    return CustomerNotFoundError("no such customer", field="customerId")


def _not_an_order() -> PurchaseNotFoundError:
    return PurchaseNotFoundError("no such order", field="orderId")
