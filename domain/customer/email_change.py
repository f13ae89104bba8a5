"""A customer moving themself to another email: asked for here, confirmed from the new address.

Asking never looks at who holds the new address, so its answer cannot tell whether the address
is another customer's. The change happens only when the link sent to the new address is
followed: whoever confirms holds that mailbox, so telling them that the address already has an
account (EMAIL_ALREADY_REGISTERED) discloses nothing they could not learn there. It also
proves the customer can read mail at the new address before it becomes the one that logs in
and receives password resets. Staff change an email at once (``change_email``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.customer.commands import customer_at, customer_of, move_email, saved
from domain.customer.errors import CustomerNotFoundError, InvalidEmailChangeTokenError
from domain.customer.model import Customer
from domain.customer.values import normalise_email
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.metadata import EventMetadata, acting_as

EMAIL_CHANGE_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class RequestEmailChange(Command[CommandResult]):
    """Send a confirmation link to ``email``; the customer's email stays as it is until the
    link is followed. Asking again replaces the earlier link."""

    customer_id: UUID
    email: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ConfirmEmailChange(Command[CommandResult]):
    """Move the customer to the address the link was sent to (the latest, unexpired, unused
    link only); refuses an address another customer took meanwhile."""

    token: str
    now: datetime | None = None


def request_email_change(
    ledger: LedgerCore, command: RequestEmailChange, metadata: EventMetadata
) -> CommandResult:
    customer_id = command.customer_id
    customer = customer_at(ledger, customer_id, command.expected_version)
    clear = normalise_email(command.email)
    if ledger.fingerprint_email(clear) == customer.email_fingerprint:
        return saved(ledger, customer)  # already their email: nothing to confirm
    token = f"{customer_id.hex}.{secrets.token_urlsafe(32)}"
    expires_at = (command.now or datetime.now(UTC)) + EMAIL_CHANGE_LIFETIME
    with acting_as(metadata):
        customer.request_email_change(clear, token, expires_at)
    return saved(ledger, customer)


def confirm_email_change(
    ledger: LedgerCore, command: ConfirmEmailChange, metadata: EventMetadata
) -> CommandResult:
    customer = _customer_for_confirmation(ledger, command.token)
    email = customer.email_confirmed_by(command.token, command.now or datetime.now(UTC))
    return move_email(ledger, customer, email, metadata)


def _customer_for_confirmation(ledger: LedgerCore, token: str) -> Customer:
    prefix, _, _ = token.partition(".")
    try:
        return customer_of(ledger, UUID(hex=prefix))
    except (ValueError, CustomerNotFoundError):
        raise InvalidEmailChangeTokenError(
            "the confirmation link is invalid or has expired", field="token"
        ) from None
