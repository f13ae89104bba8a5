"""Reviews and order tracking in memory, given-when-then: the badge comes only from the
customer's own order holding the sku; the order's steps follow one table; the estimated
delivery rule; the order webhook's routes and secret setting."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.fulfilment.errors import IllegalFulfilmentStepError
from domain.fulfilment.values import (
    DEFAULT_CARRIER_DAYS,
    NEXT_STEP,
    FulfilmentStep,
    estimated_delivery,
)
from domain.ledger import Ledger
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.review.commands import ReviewProduct
from domain.review.values import shown_name
from domain.shared.application import CommandResult
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.order_webhook import order_webhook_routes
from infrastructure.settings import SettingsError, load_settings

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def customer(ledger: Ledger, name: str) -> UUID:
    email = f"{name.split()[0].lower()}@example.org"
    return ledger.register_customer(RegisterCustomer(name, email), AGENT).aggregate_id


def as_customer(customer_id: UUID) -> EventMetadata:
    return EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)


def test_only_the_customers_own_order_holding_the_sku_badges_the_review(ledger: Ledger) -> None:
    """Another customer's order, or an order of another sku, is offered: no badge."""
    ada, bo = customer(ledger, "Ada Lovelace"), customer(ledger, "Bo Brown")
    for owner, order_id, sku in ((ada, "a-1", "MUG-1"), (bo, "b-1", "KETTLE-2")):
        line = OrderLineInput(sku, 1, "10")
        order = RecordPurchase(owner, order_id, "10", "EUR", PurchaseChannel.WEB, NOW, [line])
        ledger.record_purchase(order, AGENT)
    written = ReviewProduct(ada, "KETTLE-2", 5, "Fast", "Boils fast.", ("a-1", "b-1", "nope"))
    review = ledger.get_review(ledger.review_product(written, as_customer(ada)).aggregate_id)
    assert review.verified_order_id is None
    mug = ReviewProduct(ada, "MUG-1", 4, "Warm", "Holds heat.", ("a-1",))
    mug_review = ledger.get_review(ledger.review_product(mug, as_customer(ada)).aggregate_id)
    assert mug_review.verified_order_id == "a-1"


def test_staff_cannot_write_a_review_for_a_customer(ledger: Ledger) -> None:
    """A review is the customer's own words: an agent's command is refused."""
    ada = customer(ledger, "Ada Lovelace")
    with pytest.raises(ValidationError):
        ledger.review_product(ReviewProduct(ada, "MUG-1", 4, "Warm", "Holds heat."), AGENT)


@pytest.mark.parametrize(
    ("name", "shown"),
    [("Ada Byron Lovelace", "Ada L."), ("Cher", "Cher"), ("Éloïse Ünal", "Éloïse Ü.")],
)
def test_a_reviewer_is_shown_by_first_name_and_initial(name: str, shown: str) -> None:
    assert shown_name(name) == shown


def test_every_step_but_returned_has_exactly_one_successor() -> None:
    """The transition table: a chain from placed to returned, nothing skipped or repeated."""
    chain = [FulfilmentStep.PLACED]
    while chain[-1] in NEXT_STEP:
        chain.append(NEXT_STEP[chain[-1]])
    assert chain == list(FulfilmentStep)


def test_the_estimate_is_the_shipment_plus_the_carriers_days() -> None:
    assert estimated_delivery("usps", NOW) == NOW + timedelta(days=4)
    assert estimated_delivery("tiny-courier", NOW) == NOW + timedelta(days=DEFAULT_CARRIER_DAYS)


def test_a_returned_order_takes_no_further_step(ledger: Ledger) -> None:
    """After returned no step follows: ILLEGAL_TRANSITION."""
    ada = customer(ledger, "Ada Lovelace")
    placed = RecordFulfilment(
        "o-1", FulfilmentStep.PLACED, customer_id=ada, lines=[LineInput("A", 1)]
    )
    ledger.record_fulfilment(placed, AGENT)
    for step in (FulfilmentStep.PAID, FulfilmentStep.PACKED):
        ledger.record_fulfilment(RecordFulfilment("o-1", step), AGENT)
    shipped = RecordFulfilment("o-1", FulfilmentStep.SHIPPED, carrier="dhl", tracking_number="AB12")
    ledger.record_fulfilment(shipped, AGENT)
    for step in (FulfilmentStep.DELIVERED, FulfilmentStep.RETURNED):
        ledger.record_fulfilment(RecordFulfilment("o-1", step), AGENT)
    with pytest.raises(IllegalFulfilmentStepError, match="no step may follow"):
        ledger.record_fulfilment(RecordFulfilment("o-1", FulfilmentStep.PAID), AGENT)


def never_recorded(command: RecordFulfilment, metadata: EventMetadata) -> CommandResult:
    raise AssertionError("nothing is recorded without a route")


def test_the_webhook_is_not_served_without_a_secret() -> None:
    assert order_webhook_routes(None, 300, never_recorded) == []


def test_a_short_webhook_secret_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under 32 characters: a settings error naming the variable."""
    for name in [n for n in os.environ if n.startswith("CXL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CXL_ORDER_WEBHOOK_SECRET", "short")
    with pytest.raises(SettingsError, match="CXL_ORDER_WEBHOOK_SECRET"):
        load_settings()
