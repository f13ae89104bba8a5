"""Self-registration, given-when-then, in memory: a new email registers; an email that is a
customer's, or a customer id used before, registers no one and is not an error (the email's
owner is told instead); bad input is refused the same whoever holds the email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.customer.model import REGISTRATION_NOTICE_QUIET, Customer
from domain.customer.passwords import WeakPasswordError
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.shared.errors import DomainError, ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role

ANYONE = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
PASSWORD = "correct horse battery staple"


def owner(ledger: Ledger, email: str = "ada@example.org") -> UUID:
    command = RegisterCustomer("Ada Lovelace", email, password=PASSWORD)
    return ledger.register_customer(command, AGENT).aggregate_id


def attempts(ledger: Ledger, customer_id: UUID) -> list[Customer.RegistrationAttempted]:
    return [
        e for e in ledger.events.get(customer_id) if isinstance(e, Customer.RegistrationAttempted)
    ]


def self_registration(
    email: str, customer_id: UUID | None = None, fields: dict[str, str] | None = None
) -> RegisterCustomer:
    given = fields or {}
    return RegisterCustomer(
        given.get("name", "Mallory Doe"),
        email,
        phone=given.get("phone"),
        password=given.get("password", "another long passphrase"),
        customer_id=customer_id,
    )


def test_a_new_email_registers_the_customer_with_their_password(ledger: Ledger) -> None:
    result = ledger.register_self(self_registration("new@example.org"), ANYONE)
    assert result is not None
    assert ledger.verify_credentials("new@example.org", "another long passphrase") == (
        result.aggregate_id
    )


def test_a_customers_email_registers_no_one_and_tells_the_owner(ledger: Ledger) -> None:
    ada = owner(ledger)
    result = ledger.register_self(self_registration(" ADA@example.org "), ANYONE)
    assert result is None
    [attempt] = attempts(ledger, ada)
    assert attempt.recipient.value == "ada@example.org"
    assert attempt.metadata.actor_role is Role.ANONYMOUS
    # Nothing else was written: no customer, no claim moved.
    assert ledger.verify_credentials("ada@example.org", PASSWORD) == ada


def test_the_owner_is_told_at_most_once_an_hour(ledger: Ledger) -> None:
    ada = owner(ledger)
    now = datetime.now(UTC)
    for _ in range(3):
        ledger.register_self(self_registration("ada@example.org"), ANYONE, now=now)
    assert len(attempts(ledger, ada)) == 1
    later = now + REGISTRATION_NOTICE_QUIET + timedelta(seconds=1)
    ledger.register_self(self_registration("ada@example.org"), ANYONE, now=later)
    assert len(attempts(ledger, ada)) == 2


def test_a_replayed_customer_id_registers_nothing_and_tells_no_one(ledger: Ledger) -> None:
    ada = owner(ledger)
    head = ledger.head_position()
    # The owner's own id and email (a replay), and their id with another email: both nothing.
    assert ledger.register_self(self_registration("ada@example.org", ada), ANYONE) is None
    assert ledger.register_self(self_registration("mallory@example.org", ada), ANYONE) is None
    assert ledger.head_position() == head


def test_retrying_ones_own_registration_writes_nothing_more(ledger: Ledger) -> None:
    chosen = uuid4()
    first = ledger.register_self(self_registration("new@example.org", chosen), ANYONE)
    assert first is not None and first.aggregate_id == chosen
    head = ledger.head_position()
    assert ledger.register_self(self_registration("new@example.org", chosen), ANYONE) is None
    assert ledger.head_position() == head


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        ({"password": "short"}, WeakPasswordError, "password"),
        ({"password": "mallory-doe-1234567"}, WeakPasswordError, "password"),
        ({"name": " "}, ValidationError, "name"),
        ({"phone": "call me maybe"}, ValidationError, "phone"),
    ],
)
def test_bad_input_is_refused_the_same_whether_or_not_the_email_is_a_customers(
    ledger: Ledger, fields: dict[str, str], error: type[DomainError], field: str
) -> None:
    owner(ledger)
    head = ledger.head_position()
    for email in ("ada@example.org", "new@example.org"):
        with pytest.raises(error) as refused:
            ledger.register_self(self_registration(email, fields=fields), ANYONE)
        assert refused.value.field == field
    assert ledger.head_position() == head


def test_an_erased_customers_email_tells_no_one(ledger: Ledger) -> None:
    ada = owner(ledger)
    now = datetime.now(UTC)
    ledger.request_erasure(ada, None, ErasureReason.CUSTOMER_REQUEST, 0, AGENT, now)
    ledger.complete_erasure(ada, AGENT, now)
    head = ledger.head_position()
    assert ledger.register_self(self_registration("ada@example.org"), ANYONE) is None
    assert ledger.head_position() == head
