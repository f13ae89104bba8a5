"""Use cases on customers, mixed into the Ledger application.

Commands on an existing customer take an optional ``expected_version``: with it, a concurrent
change answers CONCURRENCY_CONFLICT; without it, the command retries on the new version
(:func:`domain.shared.retry.retried_unless_pinned`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.customer.errors import (
    CustomerNotFoundError,
    EmailAlreadyRegisteredError,
    IdempotencyKeyReusedError,
)
from domain.customer.model import Customer, EmailClaim
from domain.customer.passwords import check_password
from domain.customer.profile import Address, ConsentPurpose, ContactChannel, check_onboarding_step
from domain.customer.values import check_birth_year, normalise_email, normalise_language
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.keep import KEEP, Keep
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.retry import retried_unless_pinned


@dataclass(frozen=True, slots=True)
class RegisterCustomer:
    """Register a customer. ``customer_id`` doubles as the idempotency key of the command;
    ``password`` is for customers who register themselves."""

    name: str
    email: str
    phone: str | None = None
    region: str | None = None
    customer_id: UUID | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeContactDetails:
    customer_id: UUID
    name: str | Keep = KEEP
    phone: str | Keep | None = KEEP
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ChangeDemographics:
    customer_id: UUID
    region: str | Keep | None = KEEP
    language: str | Keep = KEEP
    birth_year: int | Keep | None = KEEP
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class SetContactPreferences:
    customer_id: UUID
    channels: dict[ContactChannel, bool] = field(default_factory=dict)
    expected_version: int | None = None


class CustomerCommands(LedgerCore):
    """Commands on :class:`Customer`."""

    def register_customer(
        self, command: RegisterCustomer, metadata: EventMetadata
    ) -> CommandResult:
        email = normalise_email(command.email)
        if command.password is not None:
            check_password(command.password, email=email, name=command.name)
        fingerprint = self.fingerprint_email(email)
        customer_id = command.customer_id or uuid4()
        if command.customer_id is not None and self.exists(customer_id):
            return self._replayed_registration(customer_id, fingerprint)
        claim = self._free_claim(fingerprint, customer_id)
        with acting_as(metadata):
            customer = self._new_customer(command, customer_id, fingerprint)
            claim = self._claim(claim, fingerprint, customer_id)
        try:
            position = self.commit(customer, claim)
        except ConcurrencyConflictError:
            return self._lost_registration_race(command, customer_id, fingerprint)
        return CommandResult(customer_id, customer.version, position)

    def _new_customer(
        self, command: RegisterCustomer, customer_id: UUID, fingerprint: str
    ) -> Customer:
        """The customer the command registers (every value checked), with their password's
        hash if they chose one. Call it inside ``acting_as``."""
        customer = Customer.register(
            customer_id,
            name=command.name,
            email=command.email,
            phone=command.phone,
            region=command.region,
            email_fingerprint=fingerprint,
        )
        if command.password is not None:
            customer.set_password(self.passwords.hash(command.password), "registration")
        return customer

    def get_customer(self, customer_id: UUID) -> Customer:
        return self.load(customer_id, Customer, lambda: CustomerNotFoundError("no such customer"))

    def _customer_at(self, customer_id: UUID, expected_version: int | None) -> Customer:
        return self.load(
            customer_id,
            Customer,
            lambda: CustomerNotFoundError("no such customer", field="customerId"),
            expected_version,
        )

    @retried_unless_pinned
    def change_contact_details(
        self, command: ChangeContactDetails, metadata: EventMetadata
    ) -> CommandResult:
        customer = self._customer_at(command.customer_id, command.expected_version)
        with acting_as(metadata):
            if command.name is not KEEP:
                customer.change_name(command.name)
            if command.phone is not KEEP:
                customer.change_phone(command.phone)
        return self._saved(customer)

    @retried_unless_pinned
    def change_email(
        self,
        customer_id: UUID,
        email: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Move the customer to a new email: claim it, release the old one, atomically."""
        return self._move_email(self._customer_at(customer_id, expected_version), email, metadata)

    def _move_email(self, customer: Customer, email: str, metadata: EventMetadata) -> CommandResult:
        """Claim ``email`` for the customer and release their old one, atomically; refuses
        an email another customer holds."""
        customer_id = customer.id
        fingerprint = self.fingerprint_email(normalise_email(email))
        if fingerprint == customer.email_fingerprint:
            return self._saved(customer)
        new_claim = self._free_claim(fingerprint, customer_id)
        old_claim: EmailClaim = self.repository.get(EmailClaim.id_for(customer.email_fingerprint))
        with acting_as(metadata):
            customer.change_email(email, fingerprint)
            new_claim = self._claim(new_claim, fingerprint, customer_id)
            old_claim.release()
        try:
            position = self.commit(customer, new_claim, old_claim)
        except ConcurrencyConflictError as conflict:
            if self._claim_is_held(fingerprint):
                raise EmailAlreadyRegisteredError(
                    "this email is already registered", field="email"
                ) from None
            raise conflict
        return CommandResult(customer_id, customer.version, position)

    @retried_unless_pinned
    def change_address(
        self,
        customer_id: UUID,
        address: Address | None,
        metadata: EventMetadata,
        expected_version: int | None = None,
    ) -> CommandResult:
        customer = self._customer_at(customer_id, expected_version)
        with acting_as(metadata):
            customer.change_address(address)
        return self._saved(customer)

    @retried_unless_pinned
    def change_demographics(
        self, command: ChangeDemographics, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        this_year = (now or datetime.now(UTC)).year
        birth_year = command.birth_year
        if birth_year is not KEEP:
            check_birth_year(birth_year, this_year)
        language = (
            command.language if command.language is KEEP else normalise_language(command.language)
        )
        customer = self._customer_at(command.customer_id, command.expected_version)
        with acting_as(metadata):
            if command.region is not KEEP:
                customer.change_region(command.region)
            if language is not KEEP:
                customer.change_language(language)
            if birth_year is not KEEP:
                customer.change_birth_year(birth_year)
        return self._saved(customer)

    @retried_unless_pinned
    def set_contact_preferences(
        self, command: SetContactPreferences, metadata: EventMetadata
    ) -> CommandResult:
        customer = self._customer_at(command.customer_id, command.expected_version)
        with acting_as(metadata):
            for channel, opted_in in sorted(command.channels.items()):
                customer.set_contact_channel(channel, opted_in)
        return self._saved(customer)

    @retried_unless_pinned
    def give_consent(
        self,
        customer_id: UUID,
        purpose: ConsentPurpose,
        metadata: EventMetadata,
        expected_version: int | None = None,
    ) -> CommandResult:
        customer = self._customer_at(customer_id, expected_version)
        with acting_as(metadata):
            customer.give_consent(purpose)
        return self._saved(customer)

    @retried_unless_pinned
    def withdraw_consent(
        self,
        customer_id: UUID,
        purpose: ConsentPurpose,
        metadata: EventMetadata,
        expected_version: int | None = None,
    ) -> CommandResult:
        customer = self._customer_at(customer_id, expected_version)
        with acting_as(metadata):
            customer.withdraw_consent(purpose)
        return self._saved(customer)

    @retried_unless_pinned
    def complete_onboarding_step(
        self,
        customer_id: UUID,
        step: str,
        metadata: EventMetadata,
        completed_at: datetime | None = None,
    ) -> CommandResult:
        check_onboarding_step(step)
        customer = self._customer_at(customer_id, None)
        with acting_as(metadata):
            customer.complete_onboarding_step(step, completed_at or datetime.now(UTC))
        return self._saved(customer)

    def _saved(self, customer: Customer) -> CommandResult:
        if not customer.pending_events:  # nothing changed: nothing to write
            return CommandResult(customer.id, customer.version, self.head_position())
        return CommandResult(customer.id, customer.version, self.commit(customer))

    def _claim_is_held(self, fingerprint: str) -> bool:
        claim_id = EmailClaim.id_for(fingerprint)
        if not self.exists(claim_id):
            return False
        claim: EmailClaim = self.repository.get(claim_id)
        return claim.is_held

    def _free_claim(self, fingerprint: str, customer_id: UUID) -> EmailClaim | None:
        """The released claim on this email to take over, or None to make a new one; refuses
        an email another customer holds."""
        claim_id = EmailClaim.id_for(fingerprint)
        if not self.exists(claim_id):
            return None
        claim: EmailClaim = self.repository.get(claim_id)
        if claim.is_held and claim.customer_id != customer_id:
            raise EmailAlreadyRegisteredError("this email is already registered", field="email")
        return claim

    @staticmethod
    def _claim(claim: EmailClaim | None, fingerprint: str, customer_id: UUID) -> EmailClaim:
        if claim is None:
            return EmailClaim.claim(fingerprint, customer_id)
        claim.reclaim(customer_id)
        return claim

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
