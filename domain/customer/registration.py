"""Self-registration: a person registering themself, who may be anyone.

Its answer must tell the caller nothing about other people's accounts: whether the email
belongs to a customer, or whether the customer id was used before. So every input is checked,
and the password hashed, before anything is looked up (refusals and cost are the same either
way), and a registration that cannot happen is not an error: the owner of the email is told by
message instead (``Customer.RegistrationAttempted``), and the caller gets the same answer as a
new customer does. Staff registering a customer use ``register_customer``, which says why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.customer.commands import CustomerCommands, RegisterCustomer
from domain.customer.model import EmailClaim
from domain.customer.passwords import check_password
from domain.customer.values import normalise_email
from domain.shared.application import CommandResult
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.metadata import EventMetadata, acting_as


class SelfRegistrationCommands(CustomerCommands):
    """Registration that discloses nothing."""

    def register_self(
        self, command: RegisterCustomer, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult | None:
        """Register the caller; None if no one was registered: the customer id was used
        before (a retry, or someone else's id), or the email is a customer's (who is told).
        Refuses only bad input, the same whoever holds the email."""
        email = normalise_email(command.email)
        if command.password is not None:
            check_password(command.password, email=email, name=command.name)
        fingerprint = self.fingerprint_email(email)
        customer_id = command.customer_id or uuid4()
        with acting_as(metadata):
            customer = self._new_customer(command, customer_id, fingerprint)
        if command.customer_id is not None and self.exists(customer_id):
            return None
        holder = self._holder_of(fingerprint)
        if holder is not None:
            self._tell_holder(holder, metadata, now)
            return None
        claim = self._free_claim_or_none(fingerprint)
        with acting_as(metadata):
            claim = self._claim(claim, fingerprint, customer_id)
        try:
            return CommandResult(customer_id, customer.version, self.commit(customer, claim))
        except ConcurrencyConflictError:
            # A simultaneous registration of the same id or email won: answer as if this one
            # had come second.
            self._after_lost_race(customer_id, fingerprint, metadata, now)
            return None

    def _holder_of(self, fingerprint: str) -> UUID | None:
        claim_id = EmailClaim.id_for(fingerprint)
        if not self.exists(claim_id):
            return None
        claim: EmailClaim = self.repository.get(claim_id)
        return claim.customer_id

    def _free_claim_or_none(self, fingerprint: str) -> EmailClaim | None:
        claim_id = EmailClaim.id_for(fingerprint)
        return self.repository.get(claim_id) if self.exists(claim_id) else None

    def _tell_holder(self, holder: UUID, metadata: EventMetadata, now: datetime | None) -> None:
        """Record the attempt on the email's customer, for the outbox to tell them. One retry
        on a concurrent write to them; after that the notice is dropped (their account is busy
        being changed, and the caller's answer must not depend on it either way)."""
        for _ in range(2):
            owner = self.get_customer(holder)
            with acting_as(metadata):
                owner.note_registration_attempt(now or datetime.now(UTC))
            try:
                self._saved(owner)
            except ConcurrencyConflictError:
                continue
            return

    def _after_lost_race(
        self, customer_id: UUID, fingerprint: str, metadata: EventMetadata, now: datetime | None
    ) -> None:
        holder = None if self.exists(customer_id) else self._holder_of(fingerprint)
        if holder is not None and holder != customer_id:
            self._tell_holder(holder, metadata, now)
