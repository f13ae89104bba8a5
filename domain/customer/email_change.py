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
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.customer.commands import CustomerCommands
from domain.customer.errors import CustomerNotFoundError, InvalidEmailChangeTokenError
from domain.customer.model import Customer
from domain.customer.values import normalise_email
from domain.shared.application import CommandResult
from domain.shared.metadata import EventMetadata, acting_as

EMAIL_CHANGE_LIFETIME = timedelta(hours=24)


class EmailChangeCommands(CustomerCommands):
    """Commands of the confirmed email change."""

    def request_email_change(
        self,
        customer_id: UUID,
        email: str,
        metadata: EventMetadata,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> CommandResult:
        """Send a confirmation link to ``email``; the customer's email stays as it is until
        the link is followed. Asking again replaces the earlier link."""
        customer = self._customer_at(customer_id, expected_version)
        clear = normalise_email(email)
        if self.fingerprint_email(clear) == customer.email_fingerprint:
            return self._saved(customer)  # already their email: nothing to confirm
        token = f"{customer_id.hex}.{secrets.token_urlsafe(32)}"
        expires_at = (now or datetime.now(UTC)) + EMAIL_CHANGE_LIFETIME
        with acting_as(metadata):
            customer.request_email_change(clear, token, expires_at)
        return self._saved(customer)

    def confirm_email_change(
        self, token: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        """Move the customer to the address the link was sent to (the latest, unexpired,
        unused link only); refuses an address another customer took meanwhile."""
        customer = self._customer_for_confirmation(token)
        email = customer.email_confirmed_by(token, now or datetime.now(UTC))
        return self._move_email(customer, email, metadata)

    def _customer_for_confirmation(self, token: str) -> Customer:
        prefix, _, _ = token.partition(".")
        try:
            return self.get_customer(UUID(hex=prefix))
        except (ValueError, CustomerNotFoundError):
            raise InvalidEmailChangeTokenError(
                "the confirmation link is invalid or has expired", field="token"
            ) from None
