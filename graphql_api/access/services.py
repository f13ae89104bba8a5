"""The password services the access resolvers delegate to, throttled by the composition root
(``infrastructure/password_access.py``). Synchronous: run them off the event loop."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.customer.access import SessionsRenewed
from domain.shared.metadata import EventMetadata


class PasswordAccess(Protocol):
    def change_password(
        self, customer_id: UUID, current_password: str, new_password: str, metadata: EventMetadata
    ) -> SessionsRenewed:
        """The ledger's change, unless the customer's wrong current passwords are used up
        (TOO_MANY_ATTEMPTS). Refuses with a ``DomainError``."""
        ...

    def request_password_reset(self, email: str, metadata: EventMetadata) -> None:
        """Send a reset link if the email is a customer's and none was sent to it lately;
        says nothing either way (a request inside the cooldown writes and sends nothing)."""
        ...
