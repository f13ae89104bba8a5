"""Any text in any text input of the customer, purchase, review and order tracking commands is
either accepted whole or refused with a typed error that names the field, and a refusal writes
nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.customer.commands import (
    ChangeContactDetails,
    ChangeDemographics,
    RegisterCustomer,
)
from domain.customer.profile import Address
from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.fulfilment.values import FulfilmentStep
from domain.ledger import Ledger
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.review.commands import ReviewProduct
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.ledgers import in_memory_ledger

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
VISITOR = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
WHEN = datetime(2026, 1, 2, tzinfo=UTC)

hostile = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=50),
    st.just("x" * 100_000),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "'; DROP TABLE ledger_events; --",
            "%_\\",
            "<script>",
            "a@b.c",
            "ADA@EXAMPLE.ORG",
            "+1 (555) 010-0000",
            "\u202eevil",
            "😀" * 70,
        ]
    ),
)

Command = Callable[[Ledger, UUID, str], object]

COMMANDS: dict[str, Command] = {
    "register.name": lambda ledger, _, text: ledger.register_customer(
        RegisterCustomer(text, "new@example.org"), AGENT
    ),
    "register.email": lambda ledger, _, text: ledger.register_customer(
        RegisterCustomer("New", text), AGENT
    ),
    "register.phone": lambda ledger, _, text: ledger.register_customer(
        RegisterCustomer("New", "new@example.org", phone=text), AGENT
    ),
    "register.region": lambda ledger, _, text: ledger.register_customer(
        RegisterCustomer("New", "new@example.org", region=text), AGENT
    ),
    "register.password": lambda ledger, _, text: ledger.register_customer(
        RegisterCustomer("New", "new@example.org", password=text), AGENT
    ),
    # Someone registering themself: bad text is refused as for staff; an email that is a
    # customer's ("ADA@EXAMPLE.ORG") is no refusal at all (the owner is told instead).
    "self_register.name": lambda ledger, _, text: ledger.register_self(
        RegisterCustomer(text, "new@example.org", password="a fine passphrase"), VISITOR
    ),
    "self_register.email": lambda ledger, _, text: ledger.register_self(
        RegisterCustomer("New", text, password="a fine passphrase"), VISITOR
    ),
    "self_register.password": lambda ledger, _, text: ledger.register_self(
        RegisterCustomer("New", "ada@example.org", password=text), VISITOR
    ),
    "email_change.request": lambda ledger, cid, text: ledger.request_email_change(cid, text, AGENT),
    "email_change.confirm": lambda ledger, _, text: ledger.confirm_email_change(text, AGENT),
    "contact.name": lambda ledger, cid, text: ledger.change_contact_details(
        ChangeContactDetails(cid, name=text), AGENT
    ),
    "contact.phone": lambda ledger, cid, text: ledger.change_contact_details(
        ChangeContactDetails(cid, phone=text), AGENT
    ),
    "email": lambda ledger, cid, text: ledger.change_email(cid, text, AGENT),
    "address": lambda ledger, cid, text: ledger.change_address(
        cid, Address.checked(text, text, text, text, text), AGENT
    ),
    "demographics.region": lambda ledger, cid, text: ledger.change_demographics(
        ChangeDemographics(cid, region=text), AGENT
    ),
    "demographics.language": lambda ledger, cid, text: ledger.change_demographics(
        ChangeDemographics(cid, language=text), AGENT
    ),
    "onboarding.step": lambda ledger, cid, text: ledger.complete_onboarding_step(cid, text, AGENT),
    "login.email": lambda ledger, _, text: ledger.verify_credentials(text, "whatever"),
    "login.password": lambda ledger, _, text: ledger.verify_credentials("ada@example.org", text),
    "reset.request": lambda ledger, _, text: ledger.request_password_reset(text, AGENT),
    "reset.token": lambda ledger, _, text: ledger.reset_password(text, "a fine passphrase", AGENT),
    "purchase.order_id": lambda ledger, cid, text: ledger.record_purchase(
        RecordPurchase(cid, text, "1.00", "EUR", PurchaseChannel.WEB, WHEN), AGENT
    ),
    "purchase.amount": lambda ledger, cid, text: ledger.record_purchase(
        RecordPurchase(cid, "O-1", text, "EUR", PurchaseChannel.WEB, WHEN), AGENT
    ),
    "purchase.currency": lambda ledger, cid, text: ledger.record_purchase(
        RecordPurchase(cid, "O-1", "1.00", text, PurchaseChannel.WEB, WHEN), AGENT
    ),
    "purchase.sku": lambda ledger, cid, text: ledger.record_purchase(
        RecordPurchase(
            cid,
            "O-1",
            "1.00",
            "EUR",
            PurchaseChannel.WEB,
            WHEN,
            [OrderLineInput(text, 1, "1.00", text)],
        ),
        AGENT,
    ),
    "review.sku": lambda ledger, cid, text: ledger.review_product(
        ReviewProduct(cid, text, 4, "Fine", "Works."), as_customer(cid)
    ),
    "review.title": lambda ledger, cid, text: ledger.review_product(
        ReviewProduct(cid, "MUG-1", 4, text, "Works."), as_customer(cid)
    ),
    "review.text": lambda ledger, cid, text: ledger.review_product(
        ReviewProduct(cid, "MUG-1", 4, "Fine", text), as_customer(cid)
    ),
    "review.purchases": lambda ledger, cid, text: ledger.review_product(
        ReviewProduct(cid, "MUG-1", 4, "Fine", "Works.", (text,)), as_customer(cid)
    ),
    "fulfilment.order_id": lambda ledger, cid, text: ledger.record_fulfilment(
        RecordFulfilment(text, FulfilmentStep.PLACED, customer_id=cid, lines=[LineInput("A", 1)]),
        AGENT,
    ),
    "fulfilment.sku": lambda ledger, cid, text: ledger.record_fulfilment(
        RecordFulfilment("T-1", FulfilmentStep.PLACED, customer_id=cid, lines=[LineInput(text, 1)]),
        AGENT,
    ),
    "fulfilment.key": lambda ledger, cid, text: ledger.record_fulfilment(
        RecordFulfilment(
            "T-1",
            FulfilmentStep.PLACED,
            customer_id=cid,
            lines=[LineInput("A", 1)],
            idempotency_key=text,
        ),
        AGENT,
    ),
    "fulfilment.carrier": lambda ledger, _, text: ship(ledger, text, "JD0146000039"),
    "fulfilment.tracking": lambda ledger, _, text: ship(ledger, "dhl", text),
}


def as_customer(customer_id: UUID) -> EventMetadata:
    return EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)


def ship(ledger: Ledger, carrier: str, tracking: str) -> object:
    """Ship the packed order ``PACKED`` (see :func:`fresh`) with ``carrier`` and ``tracking``."""
    shipped = RecordFulfilment(
        "PACKED", FulfilmentStep.SHIPPED, carrier=carrier, tracking_number=tracking
    )
    return ledger.record_fulfilment(shipped, AGENT)


def packed_order(ledger: Ledger, customer_id: UUID) -> None:
    """Order ``PACKED``: placed, paid and packed, ready to ship."""
    placed = RecordFulfilment(
        "PACKED", FulfilmentStep.PLACED, customer_id=customer_id, lines=[LineInput("A", 1)]
    )
    ledger.record_fulfilment(placed, AGENT)
    for step in (FulfilmentStep.PAID, FulfilmentStep.PACKED):
        ledger.record_fulfilment(RecordFulfilment("PACKED", step), AGENT)


def fresh() -> tuple[Ledger, UUID]:
    ledger = in_memory_ledger()
    customer_id = ledger.register_customer(
        RegisterCustomer("Ada Lovelace", "ada@example.org"), AGENT
    ).aggregate_id
    packed_order(ledger, customer_id)
    return ledger, customer_id


@pytest.mark.parametrize("name", sorted(COMMANDS))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile)
def test_hostile_text_is_accepted_whole_or_refused_with_a_typed_error(name: str, text: str) -> None:
    ledger, customer_id = fresh()
    head = ledger.head_position()
    try:
        COMMANDS[name](ledger, customer_id, text)
    except DomainError as refused:
        assert refused.code and refused.message
        assert ledger.head_position() == head, "a refused command wrote something"
