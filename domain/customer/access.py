"""Access to a customer account: passwords, login, and password reset."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.customer.commands import customer_at, customer_of, email_claim, saved
from domain.customer.errors import (
    CustomerNotFoundError,
    InvalidCredentialsError,
    InvalidResetTokenError,
)
from domain.customer.model import Customer
from domain.customer.passwords import check_password
from domain.customer.values import normalise_email
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ValidationError
from domain.shared.metadata import EventMetadata, acting_as

RESET_TOKEN_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SessionGrant:
    """A customer who proved who they are, and the session version a token for them carries
    (a token of an older version is refused)."""

    customer_id: UUID
    session_version: int


@dataclass(frozen=True, slots=True)
class SessionsRenewed(CommandResult):
    """A command that revoked the customer's sessions, and the version a new token carries."""

    session_version: int


@dataclass(frozen=True, slots=True)
class ChangePassword(Command[SessionsRenewed]):
    """Change the password; every token issued before stops working, and the result names
    the session version of the caller's next token."""

    customer_id: UUID
    current_password: str
    new_password: str


@dataclass(frozen=True, slots=True)
class EndEverySession(Command[SessionsRenewed]):
    """Log the customer out everywhere: every token issued to them until now (access and
    refresh alike) stops working. Who asks is the caller's business (a refresh token of
    theirs proves it)."""

    customer_id: UUID


@dataclass(frozen=True, slots=True)
class RequestPasswordReset(Command[None]):
    """Issue a reset token if the email belongs to a customer; say nothing either way."""

    email: str
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ResetPassword(Command[CommandResult]):
    token: str
    new_password: str
    now: datetime | None = None


def change_password(
    ledger: LedgerCore, command: ChangePassword, metadata: EventMetadata
) -> SessionsRenewed:
    customer = customer_at(ledger, command.customer_id, None)
    if not _password_matches(ledger, customer, command.current_password):
        raise InvalidCredentialsError("the current password is wrong", field="currentPassword")
    _check_new_password(customer, command.new_password)
    with acting_as(metadata):
        customer.change_password(ledger.passwords.hash(command.new_password))
    done = saved(ledger, customer)
    return SessionsRenewed(done.aggregate_id, done.version, done.position, customer.session_version)


def end_every_session(
    ledger: LedgerCore, command: EndEverySession, metadata: EventMetadata
) -> SessionsRenewed:
    customer = customer_at(ledger, command.customer_id, None)
    with acting_as(metadata):
        customer.revoke_sessions("logged_out_everywhere")
    done = saved(ledger, customer)
    return SessionsRenewed(done.aggregate_id, done.version, done.position, customer.session_version)


def request_password_reset(
    ledger: LedgerCore, command: RequestPasswordReset, metadata: EventMetadata
) -> None:
    try:
        customer_id = customer_id_for(ledger, command.email)
    except InvalidCredentialsError:
        return
    customer = customer_of(ledger, customer_id)
    token = f"{customer_id.hex}.{secrets.token_urlsafe(32)}"
    with acting_as(metadata):
        customer.request_password_reset(
            token, (command.now or datetime.now(UTC)) + RESET_TOKEN_LIFETIME
        )
    ledger.commit(customer)


def reset_password(
    ledger: LedgerCore, command: ResetPassword, metadata: EventMetadata
) -> CommandResult:
    token = command.token
    customer = _customer_for_token(ledger, token)
    moment = command.now or datetime.now(UTC)
    # The token first: a weak-password answer must not tell whether a token's customer exists.
    customer.check_reset_token(token, moment)
    _check_new_password(customer, command.new_password)
    with acting_as(metadata):
        customer.reset_password(token, ledger.passwords.hash(command.new_password), moment)
    return saved(ledger, customer)


def check_reset_link(ledger: LedgerCore, token: str, now: datetime | None = None) -> None:
    """Refuse, as ``reset_password`` would, a reset link that cannot be used (its page then
    shows why instead of a form); writes nothing."""
    _customer_for_token(ledger, token).check_reset_token(token, now or datetime.now(UTC))


def grant_session(ledger: LedgerCore, email: str, password: str) -> SessionGrant:
    """The customer whose email and password these are, with their session version as of
    the check (a revocation after it makes the token refused, never the other way round);
    the same error for any mismatch."""
    passwords = ledger.passwords
    try:
        customer = customer_of(ledger, customer_id_for(ledger, email))
    except (InvalidCredentialsError, CustomerNotFoundError, ValidationError):
        passwords.verify(passwords.dummy_hash, password)  # same time either way
        raise InvalidCredentialsError("wrong email or password") from None
    if not _password_matches(ledger, customer, password):
        raise InvalidCredentialsError("wrong email or password")
    return SessionGrant(customer.id, customer.session_version)


def customer_id_for(ledger: LedgerCore, email: str) -> UUID:
    """The customer holding ``email``; the same error as a wrong password when none does."""
    claim = email_claim(ledger, ledger.fingerprint_email(normalise_email(email)))
    if claim is None or claim.customer_id is None:
        raise InvalidCredentialsError("wrong email or password")
    return claim.customer_id


def _password_matches(ledger: LedgerCore, customer: Customer, password: str) -> bool:
    stored, passwords = customer.password_hash, ledger.passwords
    if stored is None or stored.value is None:
        passwords.verify(passwords.dummy_hash, password)
        return False
    return passwords.verify(stored.value, password)


def _check_new_password(customer: Customer, password: str) -> None:
    check_password(password, email=customer.email.reveal(), name=customer.name.reveal())


def _customer_for_token(ledger: LedgerCore, token: str) -> Customer:
    prefix, _, _ = token.partition(".")
    try:
        return customer_of(ledger, UUID(hex=prefix))
    except (ValueError, CustomerNotFoundError):
        raise InvalidResetTokenError(
            "the reset link is invalid or has expired", field="token"
        ) from None
