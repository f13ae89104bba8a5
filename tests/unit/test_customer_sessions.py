"""A customer's session version, given-when-then, in memory: a password change, a reset, an
erasure and a log-out everywhere each raise it (a token of an older version is then refused by
the API); nothing else does."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.customer.errors import InvalidCredentialsError
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.shared.metadata import Channel, EventMetadata, Role

ANYONE = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
OFFICER = EventMetadata(actor_id="dpo-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def customer_id(ledger: Ledger) -> UUID:
    command = RegisterCustomer("Ada Lovelace", "ada@example.org", password=PASSWORD)
    return ledger.register_customer(command, ANYONE).aggregate_id


def revocations(ledger: Ledger, customer_id: UUID) -> list[str]:
    return [
        event.reason
        for event in ledger.events.get(customer_id)
        if isinstance(event, Customer.SessionsRevoked)
    ]


def test_a_new_customer_is_at_session_version_zero(ledger: Ledger, customer_id: UUID) -> None:
    assert ledger.get_customer(customer_id).session_version == 0
    assert ledger.grant_session("ada@example.org", PASSWORD).session_version == 0


def test_changing_the_password_revokes_the_sessions_and_names_the_next_version(
    ledger: Ledger, customer_id: UUID
) -> None:
    result = ledger.change_password(customer_id, PASSWORD, NEW_PASSWORD, ANYONE)
    assert result.session_version == 1
    assert revocations(ledger, customer_id) == ["password_changed"]
    assert ledger.grant_session("ada@example.org", NEW_PASSWORD).session_version == 1


def test_a_refused_password_change_revokes_nothing(ledger: Ledger, customer_id: UUID) -> None:
    with pytest.raises(InvalidCredentialsError):
        ledger.change_password(customer_id, "not the password", NEW_PASSWORD, ANYONE)
    assert ledger.get_customer(customer_id).session_version == 0


def test_resetting_the_password_revokes_the_sessions(ledger: Ledger, customer_id: UUID) -> None:
    ledger.request_password_reset("ada@example.org", ANYONE)
    [requested] = [
        e for e in ledger.events.get(customer_id) if isinstance(e, Customer.PasswordResetRequested)
    ]
    assert requested.token.value is not None
    ledger.reset_password(requested.token.value, NEW_PASSWORD, ANYONE)
    assert revocations(ledger, customer_id) == ["password_reset"]
    assert ledger.get_customer(customer_id).session_version == 1


def test_completing_an_erasure_revokes_the_customers_sessions_in_the_same_commit(
    ledger: Ledger, customer_id: UUID
) -> None:
    now = datetime.now(UTC)
    ledger.request_erasure(customer_id, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER, now)
    completed = ledger.complete_erasure(customer_id, OFFICER, now)
    assert revocations(ledger, customer_id) == ["erased"]
    [revoked] = [
        e for e in ledger.events.get(customer_id) if isinstance(e, Customer.SessionsRevoked)
    ]
    assert revoked.metadata.actor_id == "dpo-1"
    assert completed.position == ledger.head_position()


def test_other_changes_leave_the_session_version_alone(ledger: Ledger, customer_id: UUID) -> None:
    ledger.change_contact_details(ChangeContactDetails(customer_id, name="Ada King"), ANYONE)
    ledger.request_password_reset("ada@example.org", ANYONE)
    assert ledger.get_customer(customer_id).session_version == 0


def test_logging_out_everywhere_revokes_the_sessions_and_keeps_the_password(
    ledger: Ledger, customer_id: UUID
) -> None:
    result = ledger.end_every_session(customer_id, ANYONE)
    assert result.session_version == 1
    assert revocations(ledger, customer_id) == ["logged_out_everywhere"]
    assert ledger.grant_session("ada@example.org", PASSWORD).session_version == 1
