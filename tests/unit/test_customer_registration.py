"""Customer registration, given-when-then, on in-memory persistence."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.customer.errors import (
    CustomerNotFoundError,
    EmailAlreadyRegisteredError,
    IdempotencyKeyReusedError,
)
from domain.customer.model import Customer, EmailClaim
from domain.ledger import Ledger
from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ConcurrencyConflictError, ValidationError
from domain.shared.metadata import Channel, EventMetadata, MissingMetadataError, Role

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.STORE)


def register(ledger: Ledger, **fields: str) -> Customer:
    values = {"name": "Grace Hopper", "email": "grace@example.org"} | fields
    command = RegisterCustomer(
        name=values["name"],
        email=values["email"],
        phone=values.get("phone"),
        region=values.get("region"),
    )
    result = ledger.register_customer(command, AGENT)
    return ledger.get_customer(result.aggregate_id)


def test_registration_records_one_registered_event_with_normalised_contact_data(
    ledger: Ledger,
) -> None:
    customer = register(
        ledger,
        name="  Grace  Hopper ",
        email=" Grace@Example.ORG ",
        phone="+1 555 0100",
        region="EU-West",
    )
    events = list(ledger.events.get(customer.id))
    assert [type(e) for e in events] == [Customer.Registered]
    assert customer.name.value == "Grace  Hopper"
    assert customer.email.value == "grace@example.org"
    assert customer.phone is not None and customer.phone.value == "+1 555 0100"
    assert customer.region == "EU-West"


def test_every_event_carries_the_metadata_of_the_command(ledger: Ledger) -> None:
    customer = register(ledger)
    claim_id = EmailClaim.id_for(customer.email_fingerprint)
    for aggregate_id in (customer.id, claim_id):
        (event,) = ledger.events.get(aggregate_id)
        assert isinstance(event, LedgerAggregate.Event)
        assert event.metadata == AGENT


def test_the_email_claim_holds_a_keyed_hash_not_the_email(ledger: Ledger) -> None:
    customer = register(ledger, email="grace@example.org")
    assert "grace" not in customer.email_fingerprint
    assert len(customer.email_fingerprint) == 64
    claim: EmailClaim = ledger.repository.get(EmailClaim.id_for(customer.email_fingerprint))
    assert claim.customer_id == customer.id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "a@b"),
        ("email", "x" * 250 + "@example.org"),
        ("name", "   "),
        ("name", "n" * 201),
        ("phone", "call me maybe"),
        ("region", "<script>"),
    ],
)
def test_invalid_input_is_refused_with_the_field_named_and_nothing_written(
    ledger: Ledger, field: str, value: str
) -> None:
    head = ledger.head_position()
    with pytest.raises(ValidationError) as refused:
        register(ledger, **{field: value})
    assert refused.value.field == field
    assert ledger.head_position() == head


@pytest.mark.parametrize(
    "variant", ["grace@example.org", "GRACE@example.org", " grace@EXAMPLE.org"]
)
def test_a_second_registration_of_one_email_is_refused_whatever_its_case(
    ledger: Ledger, variant: str
) -> None:
    register(ledger, email="Grace@example.org")
    head = ledger.head_position()
    with pytest.raises(EmailAlreadyRegisteredError):
        register(ledger, email=variant, name="Someone Else")
    assert ledger.head_position() == head


def test_retrying_with_the_same_customer_id_returns_the_first_result_and_writes_nothing(
    ledger: Ledger,
) -> None:
    command = RegisterCustomer(name="Grace", email="grace@example.org", customer_id=uuid4())
    first = ledger.register_customer(command, AGENT)
    head = ledger.head_position()
    again = ledger.register_customer(command, AGENT)
    assert (again.aggregate_id, again.version) == (first.aggregate_id, first.version)
    assert ledger.head_position() == head


def test_reusing_a_customer_id_for_another_email_is_refused(ledger: Ledger) -> None:
    customer_id = uuid4()
    ledger.register_customer(
        RegisterCustomer("Grace", "grace@example.org", customer_id=customer_id), AGENT
    )
    with pytest.raises(IdempotencyKeyReusedError):
        ledger.register_customer(
            RegisterCustomer("Alan", "alan@example.org", customer_id=customer_id), AGENT
        )


def test_loading_at_another_version_than_the_client_saw_is_a_conflict(ledger: Ledger) -> None:
    customer = register(ledger)
    with pytest.raises(ConcurrencyConflictError) as conflict:
        ledger.load(customer.id, Customer, lambda: CustomerNotFoundError("?"), expected_version=7)
    assert conflict.value.current_version == customer.version


def test_events_cannot_be_triggered_without_metadata() -> None:
    with pytest.raises(MissingMetadataError):
        Customer.register(
            uuid4(),
            name="Grace",
            email="grace@example.org",
            phone=None,
            region=None,
            email_fingerprint="f" * 64,
        )
