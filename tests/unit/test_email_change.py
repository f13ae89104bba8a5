"""A customer's own email change, given-when-then, in memory: asking records a link for the
new address and changes nothing else, whoever holds that address; following the latest link
in time moves the customer; the link works once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.customer.email_change import EMAIL_CHANGE_LIFETIME
from domain.customer.errors import EmailAlreadyRegisteredError, InvalidEmailChangeTokenError
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)


def customer(ledger: Ledger, email: str) -> UUID:
    return ledger.register_customer(RegisterCustomer("Ada Lovelace", email), AGENT).aggregate_id


def as_customer(customer_id: UUID) -> EventMetadata:
    return EventMetadata(actor_id=str(customer_id), actor_role=Role.CUSTOMER, channel=Channel.WEB)


def link(ledger: Ledger, customer_id: UUID) -> Customer.EmailChangeRequested:
    return [
        e for e in ledger.events.get(customer_id) if isinstance(e, Customer.EmailChangeRequested)
    ][-1]


def token_of(ledger: Ledger, customer_id: UUID) -> str:
    token = link(ledger, customer_id).token.value
    assert token is not None
    return token


def test_asking_records_a_link_to_the_new_address_and_keeps_the_email(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    ledger.request_email_change(ada, " Ada.King@Example.org ", as_customer(ada))
    requested = link(ledger, ada)
    assert requested.email.value == "ada.king@example.org"
    assert requested.token_digest != requested.token.value
    assert ledger.get_customer(ada).email.value == "ada@example.org"


def test_asking_for_an_address_another_customer_holds_is_answered_the_same(
    ledger: Ledger,
) -> None:
    ada = customer(ledger, "ada@example.org")
    customer(ledger, "grace@example.org")
    ledger.request_email_change(ada, "grace@example.org", as_customer(ada))
    # The same fact as for a free address: a link to it; the email stays as it is.
    assert link(ledger, ada).email.value == "grace@example.org"
    assert ledger.get_customer(ada).email.value == "ada@example.org"


def test_following_the_link_moves_the_customer_and_frees_the_old_address(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    ledger.request_email_change(ada, "ada.king@example.org", as_customer(ada))
    ledger.confirm_email_change(token_of(ledger, ada), as_customer(ada))
    assert ledger.get_customer(ada).email.value == "ada.king@example.org"
    assert customer(ledger, "ada@example.org") != ada  # someone else may take the old one


def test_the_link_works_once(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    ledger.request_email_change(ada, "ada.king@example.org", as_customer(ada))
    token = token_of(ledger, ada)
    ledger.confirm_email_change(token, as_customer(ada))
    with pytest.raises(InvalidEmailChangeTokenError):
        ledger.confirm_email_change(token, as_customer(ada))


def test_a_newer_request_replaces_the_older_link(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    ledger.request_email_change(ada, "first@example.org", as_customer(ada))
    older = token_of(ledger, ada)
    ledger.request_email_change(ada, "second@example.org", as_customer(ada))
    with pytest.raises(InvalidEmailChangeTokenError):
        ledger.confirm_email_change(older, as_customer(ada))
    ledger.confirm_email_change(token_of(ledger, ada), as_customer(ada))
    assert ledger.get_customer(ada).email.value == "second@example.org"


def test_the_link_expires(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    asked = datetime.now(UTC)
    ledger.request_email_change(ada, "ada.king@example.org", as_customer(ada), now=asked)
    late = asked + EMAIL_CHANGE_LIFETIME + timedelta(seconds=1)
    with pytest.raises(InvalidEmailChangeTokenError):
        ledger.confirm_email_change(token_of(ledger, ada), as_customer(ada), now=late)


def test_confirming_an_address_another_customer_took_is_refused_and_writes_nothing(
    ledger: Ledger,
) -> None:
    ada = customer(ledger, "ada@example.org")
    ledger.request_email_change(ada, "grace@example.org", as_customer(ada))
    customer(ledger, "grace@example.org")
    head = ledger.head_position()
    with pytest.raises(EmailAlreadyRegisteredError):
        ledger.confirm_email_change(token_of(ledger, ada), as_customer(ada))
    assert ledger.head_position() == head


@pytest.mark.parametrize("token", ["", "garbage", "0" * 32 + ".x", "zz.yy", "\x00"])
def test_a_forged_link_is_refused(ledger: Ledger, token: str) -> None:
    ada = customer(ledger, "ada@example.org")
    ledger.request_email_change(ada, "ada.king@example.org", as_customer(ada))
    with pytest.raises(InvalidEmailChangeTokenError):
        ledger.confirm_email_change(token, as_customer(ada))
    with pytest.raises(InvalidEmailChangeTokenError):
        ledger.confirm_email_change(f"{ada.hex}.forged", as_customer(ada))


def test_an_invalid_new_address_is_refused_on_the_email_field(ledger: Ledger) -> None:
    ada = customer(ledger, "ada@example.org")
    head = ledger.head_position()
    with pytest.raises(ValidationError) as refused:
        ledger.request_email_change(ada, "not an email", as_customer(ada))
    assert refused.value.field == "email" and ledger.head_position() == head
