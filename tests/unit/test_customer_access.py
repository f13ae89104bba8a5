"""Passwords, login and password reset, given-when-then, in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.customer.access import RESET_TOKEN_LIFETIME
from domain.customer.commands import RegisterCustomer
from domain.customer.errors import InvalidCredentialsError, InvalidResetTokenError
from domain.customer.model import Customer
from domain.customer.passwords import WeakPasswordError
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role

ANYONE = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def customer_id(ledger: Ledger) -> UUID:
    command = RegisterCustomer("Ada Lovelace", "ada@example.org", password=PASSWORD)
    return ledger.register_customer(command, ANYONE).aggregate_id


def reset_token(ledger: Ledger, customer_id: UUID) -> str:
    """The token of the latest reset request, as the outbox would deliver it."""
    requests = [
        e for e in ledger.events.get(customer_id) if isinstance(e, Customer.PasswordResetRequested)
    ]
    token = requests[-1].token.value
    assert token is not None
    return token


def test_registration_with_a_password_stores_only_an_argon2id_hash(
    ledger: Ledger, customer_id: UUID
) -> None:
    stored = ledger.get_customer(customer_id).password_hash
    assert stored is not None and stored.value is not None
    assert stored.value.startswith("$argon2id$") and PASSWORD not in stored.value


@pytest.mark.parametrize(
    "password", ["short", "x" * 129, "aaaaaaaaaaaaaaaa", "password1234", "ada-lovelace-1815"]
)
def test_weak_passwords_are_refused_and_nothing_is_written(ledger: Ledger, password: str) -> None:
    with pytest.raises(WeakPasswordError) as refused:
        ledger.register_customer(
            RegisterCustomer("Ada Lovelace", "ada@example.org", password=password), ANYONE
        )
    assert refused.value.field == "password" and ledger.head_position() == 0


def test_the_right_password_identifies_the_customer(ledger: Ledger, customer_id: UUID) -> None:
    assert ledger.verify_credentials(" ADA@example.org", PASSWORD) == customer_id


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ada@example.org", "wrong password here"),
        ("nobody@example.org", PASSWORD),
        ("not an email", PASSWORD),
    ],
)
def test_wrong_password_and_unknown_email_fail_identically(
    ledger: Ledger, customer_id: UUID, email: str, password: str
) -> None:
    with pytest.raises(InvalidCredentialsError) as refused:
        ledger.verify_credentials(email, password)
    assert (refused.value.code, refused.value.message, refused.value.field) == (
        "INVALID_CREDENTIALS",
        "wrong email or password",
        None,
    )


def test_a_customer_without_a_password_cannot_log_in(ledger: Ledger) -> None:
    ledger.register_customer(RegisterCustomer("Bob", "bob@example.org"), ANYONE)
    with pytest.raises(InvalidCredentialsError):
        ledger.verify_credentials("bob@example.org", "")


def test_a_reset_request_for_an_unknown_email_writes_nothing(ledger: Ledger) -> None:
    ledger.request_password_reset("nobody@example.org", ANYONE)
    assert ledger.head_position() == 0


def test_the_reset_event_keeps_only_a_digest_in_clear(ledger: Ledger, customer_id: UUID) -> None:
    ledger.request_password_reset("ada@example.org", ANYONE)
    token = reset_token(ledger, customer_id)
    (event,) = [
        e for e in ledger.events.get(customer_id) if isinstance(e, Customer.PasswordResetRequested)
    ]
    assert event.token_digest != token and len(token) > 40
    assert event.recipient.value == "ada@example.org"


def test_a_reset_token_works_once(ledger: Ledger, customer_id: UUID) -> None:
    ledger.request_password_reset("ada@example.org", ANYONE)
    token = reset_token(ledger, customer_id)
    ledger.reset_password(token, "a brand new passphrase", ANYONE)
    assert ledger.verify_credentials("ada@example.org", "a brand new passphrase") == customer_id
    with pytest.raises(InvalidResetTokenError):
        ledger.reset_password(token, "yet another passphrase", ANYONE)


def test_a_reset_token_expires(ledger: Ledger, customer_id: UUID) -> None:
    issued = datetime.now(UTC)
    ledger.request_password_reset("ada@example.org", ANYONE, now=issued)
    token = reset_token(ledger, customer_id)
    with pytest.raises(InvalidResetTokenError):
        ledger.reset_password(
            token,
            "a brand new passphrase",
            ANYONE,
            now=issued + RESET_TOKEN_LIFETIME + timedelta(seconds=1),
        )


def test_a_newer_reset_request_invalidates_the_older_token(
    ledger: Ledger, customer_id: UUID
) -> None:
    ledger.request_password_reset("ada@example.org", ANYONE)
    older = reset_token(ledger, customer_id)
    ledger.request_password_reset("ada@example.org", ANYONE)
    with pytest.raises(InvalidResetTokenError):
        ledger.reset_password(older, "a brand new passphrase", ANYONE)
    ledger.reset_password(reset_token(ledger, customer_id), "a brand new passphrase", ANYONE)


@pytest.mark.parametrize("token", ["", "garbage", "0" * 32 + ".x", "zz.yy"])
def test_a_forged_reset_token_is_refused(ledger: Ledger, customer_id: UUID, token: str) -> None:
    with pytest.raises(InvalidResetTokenError):
        ledger.reset_password(token, "a brand new passphrase", ANYONE)


def test_changing_the_password_needs_the_current_one(ledger: Ledger, customer_id: UUID) -> None:
    with pytest.raises(InvalidCredentialsError):
        ledger.change_password(customer_id, "not the password", "a brand new passphrase", ANYONE)
    ledger.change_password(customer_id, PASSWORD, "a brand new passphrase", ANYONE)
    assert ledger.verify_credentials("ada@example.org", "a brand new passphrase") == customer_id
