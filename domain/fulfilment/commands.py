"""Recording a fulfilment step, from staff or from the shop system's webhook.

A step comes with an optional idempotency key (the webhook's delivery id): the same key again
writes nothing and answers the same. Without one, the step the order is already at answers the
same too (a repeated click), unless it says something else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.customer.errors import CustomerNotFoundError
from domain.customer.model import Customer
from domain.fulfilment.errors import IllegalFulfilmentStepError, TrackedOrderNotFoundError
from domain.fulfilment.model import TrackedOrder
from domain.fulfilment.values import (
    MAX_LINES,
    FulfilmentStep,
    TrackedLine,
    check_carrier,
    check_idempotency_key,
    check_tracking_number,
)
from domain.purchase.values import check_order_id
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ValidationError
from domain.shared.metadata import EventMetadata, acting_as

CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class LineInput:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class RecordFulfilment(Command[CommandResult]):
    """Record that order ``order_id`` reached ``step``. Placing it names the customer and the
    lines; shipping it names the carrier and the tracking number."""

    order_id: str
    step: FulfilmentStep
    at: datetime | None = None
    customer_id: UUID | None = None
    lines: list[LineInput] = field(default_factory=list)
    carrier: str | None = None
    tracking_number: str | None = None
    idempotency_key: str | None = None
    now: datetime | None = None


def record_fulfilment(
    ledger: LedgerCore, command: RecordFulfilment, metadata: EventMetadata
) -> CommandResult:
    order_id = check_order_id(command.order_id)
    given_key = command.idempotency_key
    key = None if given_key is None else check_idempotency_key(given_key)
    now = command.now or datetime.now(UTC)
    at = _checked_time(command.at or now, now)
    _check_fields_of(command)
    order = ledger.find(TrackedOrder.id_for(order_id), TrackedOrder, _not_an_order)
    if order is not None and order.already_has(key, command.step):
        return CommandResult(order.id, order.version, ledger.head_position())
    if command.step is FulfilmentStep.PLACED:
        if order is not None:
            if key is None and order.customer_id == command.customer_id:
                return CommandResult(order.id, order.version, ledger.head_position())
            raise IllegalFulfilmentStepError("the order was placed already", field="step")
        return _place(ledger, command, order_id, at, key, metadata)
    if order is None:
        raise TrackedOrderNotFoundError("no order was placed with this id", field="orderId")
    shipment = _shipment(command)
    if key is None and order.status is command.step and _same_shipment(order, shipment):
        return CommandResult(order.id, order.version, ledger.head_position())
    with acting_as(metadata):
        order.step(command.step, at, key, shipment)
    return CommandResult(order.id, order.version, ledger.commit(order))


def tracked_order_of(ledger: LedgerCore, order_id: str) -> TrackedOrder:
    return ledger.load(TrackedOrder.id_for(check_order_id(order_id)), TrackedOrder, _not_an_order)


def _place(
    ledger: LedgerCore,
    command: RecordFulfilment,
    order_id: str,
    at: datetime,
    key: str | None,
    metadata: EventMetadata,
) -> CommandResult:
    if command.customer_id is None:
        raise ValidationError("placing an order names its customer", field="customerId")
    if not 1 <= len(command.lines) <= MAX_LINES:
        raise ValidationError(f"an order has 1 to {MAX_LINES} lines", field="lines")
    lines = [TrackedLine.checked(line.sku, line.quantity).as_dict() for line in command.lines]
    ledger.load(command.customer_id, Customer, _no_customer)
    with acting_as(metadata):
        order = TrackedOrder.place(
            order_id=order_id, customer_id=command.customer_id, lines=lines, at=at, key=key
        )
    return CommandResult(order.id, order.version, ledger.commit(order))


def _check_fields_of(command: RecordFulfilment) -> None:
    """Each step carries only its own details: a customer and lines to place, a carrier
    and a tracking number to ship."""
    placing = command.step is FulfilmentStep.PLACED
    shipping = command.step is FulfilmentStep.SHIPPED
    if not placing and (command.customer_id is not None or command.lines):
        raise ValidationError("only placing an order names its customer and lines", field="lines")
    if not shipping and (command.carrier is not None or command.tracking_number is not None):
        raise ValidationError("only a shipment names a carrier", field="carrier")


def _shipment(command: RecordFulfilment) -> tuple[str, str] | None:
    if command.step is not FulfilmentStep.SHIPPED:
        return None
    if command.carrier is None:
        raise ValidationError("a shipment names its carrier", field="carrier")
    if command.tracking_number is None:
        raise ValidationError("a shipment names its tracking number", field="trackingNumber")
    return check_carrier(command.carrier), check_tracking_number(command.tracking_number)


def _same_shipment(order: TrackedOrder, shipment: tuple[str, str] | None) -> bool:
    return shipment is None or (order.carrier, order.tracking_number) == shipment


def _checked_time(moment: datetime, now: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValidationError("at needs a time zone", field="at")
    if not EARLIEST <= moment <= now + CLOCK_SKEW:
        raise ValidationError("at is not a plausible time", field="at")
    return moment.astimezone(UTC)


def _no_customer() -> CustomerNotFoundError:
    return CustomerNotFoundError("no such customer", field="customerId")


def _not_an_order() -> TrackedOrderNotFoundError:
    return TrackedOrderNotFoundError("no such order", field="orderId")
