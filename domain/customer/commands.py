"""Use cases on customers: command dataclasses, the handler functions that run them
(``domain.handlers.HANDLERS``), and the email-claim steps the access, self-registration and
email-change use cases share.

Commands on an existing customer take an optional ``expected_version``: with it, a concurrent
change answers CONCURRENCY_CONFLICT; without it, the command retries on the new version
(:func:`domain.shared.retry.retried_unless_pinned`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.errors import (
    CustomerNotFoundError,
    EmailAlreadyRegisteredError,
    IdempotencyKeyReusedError,
)
from domain.customer.model import Customer, EmailClaim
from domain.customer.passwords import check_password
from domain.customer.profile import Address, ConsentPurpose, ContactChannel, check_onboarding_step
from domain.customer.values import check_birth_year, normalise_email, normalise_language
from domain.shared.aggregate import LedgerAggregate
from domain.shared.application import CommandResult, LedgerCore, of_kind
from domain.shared.commands import Command
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.ids import new_id
from domain.shared.keep import KEEP, Keep
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.retry import retried_unless_pinned


@dataclass(frozen=True, slots=True)
class RegisterCustomer(Command[CommandResult]):
    """Register a customer (staff do, and are told why a registration cannot happen; a
    person registering themself sends :class:`domain.customer.registration.RegisterSelf`).
    ``customer_id`` doubles as the idempotency key; ``password`` is for customers who register
    themselves."""

    name: str
    email: str
    phone: str | None = None
    region: str | None = None
    customer_id: UUID | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeContactDetails(Command[CommandResult]):
    customer_id: UUID
    name: str | Keep = KEEP
    phone: str | Keep | None = KEEP
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ChangeDemographics(Command[CommandResult]):
    customer_id: UUID
    region: str | Keep | None = KEEP
    language: str | Keep = KEEP
    birth_year: int | Keep | None = KEEP
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class SetContactPreferences(Command[CommandResult]):
    customer_id: UUID
    channels: dict[ContactChannel, bool] = field(default_factory=dict)
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ChangeEmail(Command[CommandResult]):
    """Staff move the customer to a new email at once: claim it, release the old one,
    atomically (a customer confirms from the new address instead: ``RequestEmailChange``)."""

    customer_id: UUID
    email: str
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ChangeAddress(Command[CommandResult]):
    customer_id: UUID
    address: Address | None
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class GiveConsent(Command[CommandResult]):
    customer_id: UUID
    purpose: ConsentPurpose
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class WithdrawConsent(Command[CommandResult]):
    customer_id: UUID
    purpose: ConsentPurpose
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class CompleteOnboardingStep(Command[CommandResult]):
    customer_id: UUID
    step: str
    completed_at: datetime | None = None


def register_customer(
    ledger: LedgerCore, command: RegisterCustomer, metadata: EventMetadata
) -> CommandResult:
    email = normalise_email(command.email)
    if command.password is not None:
        check_password(command.password, email=email, name=command.name)
    fingerprint = ledger.fingerprint_email(email)
    customer_id = command.customer_id or new_id()
    if command.customer_id is not None:
        earlier = ledger.find(customer_id, Customer, _not_a_customer)
        if earlier is not None:
            return _replayed_registration(ledger, earlier, fingerprint)
    try:
        # Most emails registered are new: claim the email as never claimed, unread. Had it a
        # claim (held, or released to take over), the claim's first version clashes and
        # nothing is written; only then is the claim read. Reading it first cost every
        # registration a round trip and a pooled connection's checkout, about a sixth of
        # its CPU.
        return _registered(ledger, command, customer_id, fingerprint, metadata, None)
    except ConcurrencyConflictError:
        pass
    claim = free_claim(ledger, fingerprint, customer_id)
    try:
        return _registered(ledger, command, customer_id, fingerprint, metadata, claim)
    except ConcurrencyConflictError:
        return _lost_registration_race(ledger, command, customer_id, fingerprint)


def _registered(
    ledger: LedgerCore,
    command: RegisterCustomer,
    customer_id: UUID,
    fingerprint: str,
    metadata: EventMetadata,
    claim: EmailClaim | None,
) -> CommandResult:
    """The customer and their claim on the email (a new one if ``claim`` is None, else the
    released ``claim`` taken over), committed together."""
    with acting_as(metadata):
        customer = new_customer(ledger, command, customer_id, fingerprint)
        claim = claimed(claim, fingerprint, customer_id)
    position = ledger.commit(customer, claim)
    return CommandResult(customer_id, customer.version, position)


@retried_unless_pinned
def change_contact_details(
    ledger: LedgerCore, command: ChangeContactDetails, metadata: EventMetadata
) -> CommandResult:
    customer = customer_at(ledger, command.customer_id, command.expected_version)
    with acting_as(metadata):
        if command.name is not KEEP:
            customer.change_name(command.name)
        if command.phone is not KEEP:
            customer.change_phone(command.phone)
    return saved(ledger, customer)


@retried_unless_pinned
def change_email(
    ledger: LedgerCore, command: ChangeEmail, metadata: EventMetadata
) -> CommandResult:
    customer = customer_at(ledger, command.customer_id, command.expected_version)
    return move_email(ledger, customer, command.email, metadata)


@retried_unless_pinned
def change_address(
    ledger: LedgerCore, command: ChangeAddress, metadata: EventMetadata
) -> CommandResult:
    customer = customer_at(ledger, command.customer_id, command.expected_version)
    with acting_as(metadata):
        customer.change_address(command.address)
    return saved(ledger, customer)


@retried_unless_pinned
def change_demographics(
    ledger: LedgerCore, command: ChangeDemographics, metadata: EventMetadata
) -> CommandResult:
    this_year = (command.now or datetime.now(UTC)).year
    birth_year = command.birth_year
    if birth_year is not KEEP:
        check_birth_year(birth_year, this_year)
    language = (
        command.language if command.language is KEEP else normalise_language(command.language)
    )
    customer = customer_at(ledger, command.customer_id, command.expected_version)
    with acting_as(metadata):
        if command.region is not KEEP:
            customer.change_region(command.region)
        if language is not KEEP:
            customer.change_language(language)
        if birth_year is not KEEP:
            customer.change_birth_year(birth_year)
    return saved(ledger, customer)


@retried_unless_pinned
def set_contact_preferences(
    ledger: LedgerCore, command: SetContactPreferences, metadata: EventMetadata
) -> CommandResult:
    customer = customer_at(ledger, command.customer_id, command.expected_version)
    with acting_as(metadata):
        for channel, opted_in in sorted(command.channels.items()):
            customer.set_contact_channel(channel, opted_in)
    return saved(ledger, customer)


@retried_unless_pinned
def give_consent(
    ledger: LedgerCore, command: GiveConsent, metadata: EventMetadata
) -> CommandResult:
    customer = customer_at(ledger, command.customer_id, command.expected_version)
    with acting_as(metadata):
        customer.give_consent(command.purpose)
    return saved(ledger, customer)


@retried_unless_pinned
def withdraw_consent(
    ledger: LedgerCore, command: WithdrawConsent, metadata: EventMetadata
) -> CommandResult:
    customer = customer_at(ledger, command.customer_id, command.expected_version)
    with acting_as(metadata):
        customer.withdraw_consent(command.purpose)
    return saved(ledger, customer)


@retried_unless_pinned
def complete_onboarding_step(
    ledger: LedgerCore, command: CompleteOnboardingStep, metadata: EventMetadata
) -> CommandResult:
    check_onboarding_step(command.step)
    customer = customer_at(ledger, command.customer_id, None)
    with acting_as(metadata):
        customer.complete_onboarding_step(command.step, command.completed_at or datetime.now(UTC))
    return saved(ledger, customer)


def new_customer(
    ledger: LedgerCore, command: RegisterCustomer, customer_id: UUID, fingerprint: str
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
        customer.set_password(ledger.passwords.hash(command.password), "registration")
    return customer


def move_email(
    ledger: LedgerCore, customer: Customer, email: str, metadata: EventMetadata
) -> CommandResult:
    """Claim ``email`` for the customer and release their old one, atomically; refuses
    an email another customer holds."""
    customer_id = customer.id
    fingerprint = ledger.fingerprint_email(normalise_email(email))
    if fingerprint == customer.email_fingerprint:
        return saved(ledger, customer)
    new_claim = free_claim(ledger, fingerprint, customer_id)
    old_claim: EmailClaim = ledger.repository.get(EmailClaim.id_for(customer.email_fingerprint))
    with acting_as(metadata):
        customer.change_email(email, fingerprint)
        new_claim = claimed(new_claim, fingerprint, customer_id)
        old_claim.release()
    try:
        position = ledger.commit(customer, new_claim, old_claim)
    except ConcurrencyConflictError as conflict:
        claim = email_claim(ledger, fingerprint)
        if claim is not None and claim.is_held:
            raise EmailAlreadyRegisteredError(
                "this email is already registered", field="email"
            ) from None
        raise conflict
    return CommandResult(customer_id, customer.version, position)


def saved(ledger: LedgerCore, customer: Customer) -> CommandResult:
    """Commit what the customer's command changed (nothing changed: nothing written)."""
    if not customer.pending_events:
        return CommandResult(customer.id, customer.version, ledger.head_position())
    return CommandResult(customer.id, customer.version, ledger.commit(customer))


def email_claim(ledger: LedgerCore, fingerprint: str) -> EmailClaim | None:
    """The claim on an email (by its fingerprint), held or released; None if never made."""
    return ledger.find(EmailClaim.id_for(fingerprint), EmailClaim, _no_claim)


def taken(ledger: LedgerCore, aggregate_id: UUID) -> bool:
    """Whether an id chosen by a caller is taken, by anything (a retry, or another's)."""
    return ledger.find(aggregate_id) is not None


def free_claim(ledger: LedgerCore, fingerprint: str, customer_id: UUID) -> EmailClaim | None:
    """The released claim on this email to take over, or None to make a new one; refuses
    an email another customer holds."""
    claim = email_claim(ledger, fingerprint)
    if claim is None:
        return None
    if claim.is_held and claim.customer_id != customer_id:
        raise EmailAlreadyRegisteredError("this email is already registered", field="email")
    return claim


def claimed(claim: EmailClaim | None, fingerprint: str, customer_id: UUID) -> EmailClaim:
    """The claim made (or a released one taken over) for the customer."""
    if claim is None:
        return EmailClaim.claim(fingerprint, customer_id)
    claim.reclaim(customer_id)
    return claim


def _replayed_registration(
    ledger: LedgerCore, customer: Customer, fingerprint: str
) -> CommandResult:
    # A retried command: answer as the first time did, and write nothing.
    if customer.email_fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            "this customer id was used for another registration", field="customerId"
        )
    return CommandResult(customer.id, customer.version, ledger.head_position())


def _lost_registration_race(
    ledger: LedgerCore, command: RegisterCustomer, customer_id: UUID, fingerprint: str
) -> CommandResult:
    if command.customer_id is not None:
        earlier = ledger.find(customer_id, Customer, _not_a_customer)
        if earlier is not None:
            return _replayed_registration(ledger, earlier, fingerprint)
    raise EmailAlreadyRegisteredError("this email is already registered", field="email")


def customer_of(ledger: LedgerCore, customer_id: UUID) -> Customer:
    """The customer (a query every slice that acts for a customer asks)."""
    return ledger.load(customer_id, Customer, _no_such_customer)


def customer_in(found: Mapping[UUID, LedgerAggregate], customer_id: UUID) -> Customer:
    """The customer among aggregates read together (``LedgerCore.find_together``), as
    :func:`customer_of` loads them."""
    customer = of_kind(found.get(customer_id), Customer, _no_such_customer)
    if customer is None:
        raise _no_such_customer()
    return customer


def _no_such_customer() -> CustomerNotFoundError:
    return CustomerNotFoundError("no such customer")


def customer_at(ledger: LedgerCore, customer_id: UUID, expected_version: int | None) -> Customer:
    """The customer named by a command's ``customerId``, at the version the client saw."""
    return ledger.load(
        customer_id,
        Customer,
        lambda: CustomerNotFoundError("no such customer", field="customerId"),
        expected_version,
    )


def _not_a_customer() -> CustomerNotFoundError:
    return CustomerNotFoundError("no such customer")


def _no_claim() -> CustomerNotFoundError:
    # Claims live under ids derived from an email's fingerprint: nothing else can be there.
    return CustomerNotFoundError("no such email claim")
