"""Purchases and refunds, given-when-then, in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.customer.errors import CustomerNotFoundError
from domain.ledger import Ledger
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.errors import OrderIdReusedError, RefundExceedsPurchaseError
from domain.purchase.model import Purchase
from domain.purchase.values import PurchaseChannel, from_minor_units
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role

STORE = EventMetadata(actor_id="till-3", actor_role=Role.AGENT, channel=Channel.STORE)
WHEN = datetime(2026, 3, 1, 10, tzinfo=UTC)


@pytest.fixture
def customer_id(ledger: Ledger) -> UUID:
    return ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), STORE).aggregate_id


def purchase(customer_id: UUID, **changes: Any) -> RecordPurchase:
    order = RecordPurchase(
        customer_id=customer_id,
        order_id="ORD-1",
        amount="19.99",
        currency="eur",
        channel=PurchaseChannel.STORE,
        purchased_at=WHEN,
        items=[OrderLineInput("SKU-1", 2, "9.99", "books")],
    )
    return replace(order, **changes)


def test_a_purchase_is_recorded_in_minor_units_of_its_currency(
    ledger: Ledger, customer_id: UUID
) -> None:
    with pytest.raises(ValidationError):  # 9.995 EUR has too many decimals
        ledger.record_purchase(
            purchase(customer_id, items=[OrderLineInput("SKU-1", 2, "9.995")]), STORE
        )
    ledger.record_purchase(purchase(customer_id), STORE)
    recorded = ledger.get_purchase("ORD-1")
    assert (recorded.amount_minor, recorded.currency) == (1999, "EUR")
    assert from_minor_units(recorded.amount_minor, "EUR") == Decimal("19.99")
    assert recorded.items == [
        {"sku": "SKU-1", "category": "books", "quantity": 2, "unit_amount_minor": 999}
    ]


def test_recording_the_same_order_again_writes_nothing(ledger: Ledger, customer_id: UUID) -> None:
    first = ledger.record_purchase(purchase(customer_id, items=[]), STORE)
    head = ledger.head_position()
    again = ledger.record_purchase(purchase(customer_id, items=[]), STORE)
    assert again.aggregate_id == first.aggregate_id == Purchase.id_for("ORD-1")
    assert ledger.head_position() == head


def test_reusing_an_order_id_with_other_details_is_refused(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.record_purchase(purchase(customer_id, items=[]), STORE)
    with pytest.raises(OrderIdReusedError):
        ledger.record_purchase(purchase(customer_id, items=[], amount="20.00"), STORE)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "XXX"}, "currency"),
        ({"currency": "bitcoin"}, "currency"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "1e30"}, "amount"),
        ({"amount": "1e999999999"}, "amount"),
        ({"order_id": "A-1\n"}, "orderId"),
        ({"amount": "twelve"}, "amount"),
        ({"order_id": ""}, "orderId"),
        ({"order_id": "a b"}, "orderId"),
        ({"purchased_at": datetime.now(UTC) + timedelta(days=2)}, "purchasedAt"),
        ({"purchased_at": datetime(2026, 1, 1)}, "purchasedAt"),
        ({"items": [OrderLineInput("SKU 1", 1, "1")]}, "items.sku"),
        ({"items": [OrderLineInput("SKU-1", 0, "1")]}, "items.quantity"),
        ({"items": [OrderLineInput("SKU-1", 1, "-1")]}, "items.unitPrice"),
    ],
)
def test_bad_purchase_input_is_refused_with_the_field_named_and_nothing_written(
    ledger: Ledger, customer_id: UUID, changes: dict[str, object], field: str
) -> None:
    head = ledger.head_position()
    with pytest.raises(ValidationError) as refused:
        ledger.record_purchase(purchase(customer_id, **changes), STORE)
    assert refused.value.field == field and ledger.head_position() == head


def test_a_purchase_for_an_unknown_customer_is_refused(ledger: Ledger) -> None:
    with pytest.raises(CustomerNotFoundError):
        ledger.record_purchase(purchase(uuid4(), items=[]), STORE)


def test_refunds_are_their_own_events_and_never_exceed_the_purchase(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.record_purchase(purchase(customer_id, items=[]), STORE)
    ledger.refund_purchase("ORD-1", "5.00", STORE)
    with pytest.raises(RefundExceedsPurchaseError):
        ledger.refund_purchase("ORD-1", "15.00", STORE)
    ledger.refund_purchase("ORD-1", None, STORE)  # the rest
    recorded = ledger.get_purchase("ORD-1")
    assert recorded.refundable_minor == 0
    assert [type(e).__name__ for e in ledger.events.get(recorded.id)] == [
        "Recorded",
        "Refunded",
        "Refunded",
    ]
