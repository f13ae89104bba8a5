"""The notification outbox as its sender sees it: messages opened from their sealed causes."""

from __future__ import annotations

from domain.ledger import Ledger
from infrastructure.outbox_messages import OutboxMessages, OutgoingMessage
from projections.outbox.queries import PendingNotification


def opened(ledger: Ledger, message: PendingNotification) -> OutgoingMessage:
    """``message`` with the address and token its cause holds (it must have them)."""
    found = OutboxMessages(ledger).open(message)
    assert found is not None, f"message {message.id} opens to nothing"
    return found


def token_of(ledger: Ledger, message: PendingNotification) -> str:
    token = opened(ledger, message).token
    assert token is not None, f"message {message.id} carries no token"
    return token
