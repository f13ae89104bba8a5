"""Self-registration: a person registering themself, who may be anyone.

Its answer must tell the caller nothing about other people's accounts: whether the email
belongs to a customer, or whether the customer id was used before. So every input is checked,
and the password hashed, before anything is looked up (refusals and cost are the same either
way), and a registration that cannot happen is not an error: the owner of the email is told by
message instead (``Customer.RegistrationAttempted``), and the caller gets the same answer as a
new customer does. Staff registering a customer use ``register_customer``, which says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.commands import (
    RegisterCustomer,
    claimed,
    customer_of,
    email_claim,
    new_customer,
    saved,
    taken,
)
from domain.customer.passwords import check_password
from domain.customer.values import normalise_email
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, acting_as


@dataclass(frozen=True, slots=True)
class RegisterSelf(Command[CommandResult | None]):
    """A person registering themself: runs to None if no one was registered (the customer id
    was used before, a retry or someone else's id, or the email is a customer's, who is
    told). Refuses only bad input, the same whoever holds the email."""

    registration: RegisterCustomer
    now: datetime | None = None


def register_self(
    ledger: LedgerCore, command: RegisterSelf, metadata: EventMetadata
) -> CommandResult | None:
    registration, now = command.registration, command.now
    email = normalise_email(registration.email)
    if registration.password is not None:
        check_password(registration.password, email=email, name=registration.name)
    fingerprint = ledger.fingerprint_email(email)
    customer_id = registration.customer_id or new_id()
    with acting_as(metadata):
        customer = new_customer(ledger, registration, customer_id, fingerprint)
    if registration.customer_id is not None and taken(ledger, customer_id):
        return None
    claim = email_claim(ledger, fingerprint)  # loaded once: its holder, or the one to take
    if claim is not None and claim.customer_id is not None:
        _tell_holder(ledger, claim.customer_id, metadata, now)
        return None
    with acting_as(metadata):
        claim = claimed(claim, fingerprint, customer_id)
    try:
        return CommandResult(customer_id, customer.version, ledger.commit(customer, claim))
    except ConcurrencyConflictError:
        # A simultaneous registration of the same id or email won: answer as if this one had
        # come second.
        _after_lost_race(ledger, customer_id, fingerprint, metadata, now)
        return None


def _holder_of(ledger: LedgerCore, fingerprint: str) -> UUID | None:
    claim = email_claim(ledger, fingerprint)
    return None if claim is None else claim.customer_id


def _tell_holder(
    ledger: LedgerCore, holder: UUID, metadata: EventMetadata, now: datetime | None
) -> None:
    """Record the attempt on the email's customer, for the outbox to tell them. One retry on
    a concurrent write to them; after that the notice is dropped (their account is busy being
    changed, and the caller's answer must not depend on it either way)."""
    for _ in range(2):
        owner = customer_of(ledger, holder)
        with acting_as(metadata):
            owner.note_registration_attempt(now or datetime.now(UTC))
        try:
            saved(ledger, owner)
        except ConcurrencyConflictError:
            continue
        return


def _after_lost_race(
    ledger: LedgerCore,
    customer_id: UUID,
    fingerprint: str,
    metadata: EventMetadata,
    now: datetime | None,
) -> None:
    holder = None if taken(ledger, customer_id) else _holder_of(ledger, fingerprint)
    if holder is not None and holder != customer_id:
        _tell_holder(ledger, holder, metadata, now)
