"""The notification outbox as its sender reads it: each pending message with the address and
token it needs, opened from the sealed event that caused it.

The outbox rows hold neither (:mod:`projections.outbox.addressing`): they are decoded here,
with the recipient's own key, at the moment of sending, and kept nowhere. Once the recipient
is erased their key is gone, the event decodes as erased, and the message opens to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.utils import get_topic

from domain.shared.application import LedgerCore
from projections.outbox.addressing import CAUSES, address_of
from projections.outbox.queries import PendingNotification

_CAUSE_TOPICS = [get_topic(cause) for cause in CAUSES]


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A pending message, opened: where it goes and the token it carries (None: none)."""

    notification: PendingNotification
    recipient: str
    token: str | None


class OutboxMessages:
    """Opens pending notifications from the log."""

    def __init__(self, ledger: LedgerCore) -> None:
        self._ledger = ledger

    def open(self, notification: PendingNotification) -> OutgoingMessage | None:
        """The message with its address and token; None once its recipient is erased."""
        position = notification.cause_position
        rows = self._ledger.recorder.select_notifications(
            start=position, limit=1, stop=position, topics=_CAUSE_TOPICS
        )
        if not rows:
            return None  # not a cause of messages: nothing this sender could send
        address = address_of(self._ledger.mapper.to_domain_event(rows[0]))
        if address is None:
            return None
        return OutgoingMessage(notification, address.recipient, address.token)
