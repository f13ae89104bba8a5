"""Use cases on customers, mixed into the Ledger application."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from domain.customer.errors import (
    CustomerNotFoundError,
    EmailAlreadyRegisteredError,
    IdempotencyKeyReusedError,
)
from domain.customer.model import Customer, EmailClaim
from domain.customer.values import normalise_email
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.metadata import EventMetadata, acting_as


@dataclass(frozen=True, slots=True)
class RegisterCustomer:
    """Register a customer. ``customer_id`` doubles as the idempotency key of the command."""

    name: str
    email: str
    phone: str | None = None
    region: str | None = None
    customer_id: UUID | None = None


class CustomerCommands(LedgerCore):
    """Commands on :class:`Customer`."""

    def register_customer(
        self, command: RegisterCustomer, metadata: EventMetadata
    ) -> CommandResult:
        fingerprint = self.fingerprint_email(normalise_email(command.email))
        customer_id = command.customer_id or uuid4()
        if command.customer_id is not None and self.exists(customer_id):
            return self._replayed_registration(customer_id, fingerprint)
        if self.exists(EmailClaim.id_for(fingerprint)):
            raise EmailAlreadyRegisteredError("this email is already registered", field="email")
        with acting_as(metadata):
            customer = Customer.register(
                customer_id,
                name=command.name,
                email=command.email,
                phone=command.phone,
                region=command.region,
                email_fingerprint=fingerprint,
            )
            claim = EmailClaim.claim(fingerprint, customer_id)
        try:
            position = self.commit(customer, claim)
        except ConcurrencyConflictError:
            return self._lost_registration_race(command, customer_id, fingerprint)
        return CommandResult(customer_id, customer.version, position)

    def get_customer(self, customer_id: UUID) -> Customer:
        return self.load(customer_id, Customer, lambda: CustomerNotFoundError("no such customer"))

    def _replayed_registration(self, customer_id: UUID, fingerprint: str) -> CommandResult:
        # A retried command: answer as the first time did, and write nothing.
        customer = self.get_customer(customer_id)
        if customer.email_fingerprint != fingerprint:
            raise IdempotencyKeyReusedError(
                "this customer id was used for another registration", field="customerId"
            )
        return CommandResult(customer_id, customer.version, self.head_position())

    def _lost_registration_race(
        self, command: RegisterCustomer, customer_id: UUID, fingerprint: str
    ) -> CommandResult:
        if command.customer_id is not None and self.exists(customer_id):
            return self._replayed_registration(customer_id, fingerprint)
        raise EmailAlreadyRegisteredError("this email is already registered", field="email")
