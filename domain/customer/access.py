"""Access to a customer account: passwords, login, and password reset."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.customer.commands import CustomerCommands
from domain.customer.errors import (
    CustomerNotFoundError,
    InvalidCredentialsError,
    InvalidResetTokenError,
)
from domain.customer.model import Customer, EmailClaim
from domain.customer.passwords import check_password
from domain.customer.values import normalise_email
from domain.shared.application import CommandResult
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


class CustomerAccessCommands(CustomerCommands):
    """Commands and checks on a customer's credentials."""

    def change_password(
        self,
        customer_id: UUID,
        current_password: str,
        new_password: str,
        metadata: EventMetadata,
    ) -> SessionsRenewed:
        """Change the password; every token issued before stops working, and the result
        names the session version of the caller's next token."""
        customer = self._customer_at(customer_id, None)
        if not self._password_matches(customer, current_password):
            raise InvalidCredentialsError("the current password is wrong", field="currentPassword")
        self._check_new_password(customer, new_password)
        with acting_as(metadata):
            customer.change_password(self.passwords.hash(new_password))
        saved = self._saved(customer)
        return SessionsRenewed(
            saved.aggregate_id, saved.version, saved.position, customer.session_version
        )

    def request_password_reset(
        self, email: str, metadata: EventMetadata, now: datetime | None = None
    ) -> None:
        """Issue a reset token if the email belongs to a customer; say nothing either way."""
        try:
            customer_id = self._customer_id_for(email)
        except InvalidCredentialsError:
            return
        customer = self.get_customer(customer_id)
        token = f"{customer_id.hex}.{secrets.token_urlsafe(32)}"
        with acting_as(metadata):
            customer.request_password_reset(
                token, (now or datetime.now(UTC)) + RESET_TOKEN_LIFETIME
            )
        self.commit(customer)

    def reset_password(
        self, token: str, new_password: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        customer = self._customer_for_token(token)
        moment = now or datetime.now(UTC)
        # The token first: a weak-password answer must not tell whether a token's customer
        # exists.
        customer.check_reset_token(token, moment)
        self._check_new_password(customer, new_password)
        with acting_as(metadata):
            customer.reset_password(token, self.passwords.hash(new_password), moment)
        return self._saved(customer)

    def verify_credentials(self, email: str, password: str) -> UUID:
        """The customer whose email and password these are; the same error for any mismatch."""
        return self.grant_session(email, password).customer_id

    def grant_session(self, email: str, password: str) -> SessionGrant:
        """The customer whose email and password these are, with their session version as of
        the check (a revocation after it makes the token refused, never the other way
        round); the same error for any mismatch."""
        try:
            customer = self.get_customer(self._customer_id_for(email))
        except (InvalidCredentialsError, CustomerNotFoundError, ValidationError):
            self.passwords.verify(self.passwords.dummy_hash, password)  # same time either way
            raise InvalidCredentialsError("wrong email or password") from None
        if not self._password_matches(customer, password):
            raise InvalidCredentialsError("wrong email or password")
        return SessionGrant(customer.id, customer.session_version)

    def _password_matches(self, customer: Customer, password: str) -> bool:
        stored = customer.password_hash
        if stored is None or stored.value is None:
            self.passwords.verify(self.passwords.dummy_hash, password)
            return False
        return self.passwords.verify(stored.value, password)

    def _check_new_password(self, customer: Customer, password: str) -> None:
        check_password(password, email=customer.email.reveal(), name=customer.name.reveal())

    def _customer_id_for(self, email: str) -> UUID:
        fingerprint = self.fingerprint_email(normalise_email(email))
        claim_id = EmailClaim.id_for(fingerprint)
        if not self.exists(claim_id):
            raise InvalidCredentialsError("wrong email or password")
        claim: EmailClaim = self.repository.get(claim_id)
        if claim.customer_id is None:
            raise InvalidCredentialsError("wrong email or password")
        return claim.customer_id

    def _customer_for_token(self, token: str) -> Customer:
        prefix, _, _ = token.partition(".")
        try:
            customer_id = UUID(hex=prefix)
        except ValueError:
            raise InvalidResetTokenError(
                "the reset link is invalid or has expired", field="token"
            ) from None
        try:
            return self.get_customer(customer_id)
        except CustomerNotFoundError:
            raise InvalidResetTokenError(
                "the reset link is invalid or has expired", field="token"
            ) from None
