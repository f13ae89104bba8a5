"""The notification outbox as its sender reads it: each pending message with the address and
token it needs, opened from the sealed event that caused it.

The outbox rows hold neither (:mod:`projections.outbox.addressing`): they are decoded here,
with the recipient's own key, at the moment of sending, and kept nowhere. Once the recipient
is erased their key is gone, the event decodes as erased, and the message opens to nothing.

A campaign batch recorded since its messages are written when sent holds ids only: its
messages are written and addressed here, from the recipients' streams as they are now
(:func:`domain.campaign.messages.write_when_sent`), a batch's entries in one go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import get_topic
from psycopg import Connection, sql

from domain.campaign.messages import write_when_sent
from domain.campaign.model import RecipientBatch
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
        event = self._ledger.mapper.to_domain_event(rows[0])
        if isinstance(event, RecipientBatch.Recorded):
            return self._written(event, [notification])[position, notification.cause_entry]
        address = address_of(event, notification.cause_entry)
        if address is None:
            return None
        return OutgoingMessage(notification, address.recipient, address.token)

    def open_many(
        self, conn: Connection[Any], notifications: Sequence[PendingNotification]
    ) -> dict[tuple[int, int], OutgoingMessage | None]:
        """``open`` for a batch, in one query on ``conn``: each message by its cause's
        position and its place in it (None: its recipient was erased, or its cause holds no
        such message). A cause of many messages (a campaign batch) is decoded once."""
        recorder = self._ledger.recorder
        assert isinstance(recorder, PostgresApplicationRecorder)
        table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
        rows = conn.execute(
            sql.SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state"
                " FROM {} WHERE notification_id = ANY(%s) AND topic = ANY(%s)"
            ).format(table),
            (list({n.cause_position for n in notifications}), _CAUSE_TOPICS),
        ).fetchall()
        causes = {
            position: self._ledger.mapper.to_domain_event(Notification(
                originator_id=originator, originator_version=version, topic=topic,
                state=bytes(state), id=position,
            ))
            for position, originator, version, topic, state in rows
        }  # fmt: skip
        opened: dict[tuple[int, int], OutgoingMessage | None] = {}
        for position, batch in causes.items():
            if isinstance(batch, RecipientBatch.Recorded):
                of_batch = [n for n in notifications if n.cause_position == position]
                opened |= self._written(batch, of_batch)
        for notification in notifications:
            if (notification.cause_position, notification.cause_entry) in opened:
                continue
            cause = causes.get(notification.cause_position)
            address = None if cause is None else address_of(cause, notification.cause_entry)
            opened[notification.cause_position, notification.cause_entry] = (
                None
                if address is None
                else OutgoingMessage(notification, address.recipient, address.token)
            )
        return opened

    def _written(
        self, batch: RecipientBatch.Recorded, notifications: Sequence[PendingNotification]
    ) -> dict[tuple[int, int], OutgoingMessage | None]:
        """The batch's messages among ``notifications``, written now (None: erased recipient,
        or a cancelled campaign)."""
        written = write_when_sent(self._ledger, batch, [n.cause_entry for n in notifications])
        return {
            (n.cause_position, n.cause_entry): None
            if (message := written[n.cause_entry]) is None
            else OutgoingMessage(n, message.recipient, message.content)
            for n in notifications
        }
