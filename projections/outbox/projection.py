"""Events -> the notification outbox: one row per causing event, keyed by its log position."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor
from psycopg.types.json import Jsonb

from domain.customer.model import Customer
from projections.base import Projection, handles

DDL = """
    CREATE TABLE IF NOT EXISTS notification_outbox (
        id bigserial PRIMARY KEY,
        cause_position bigint NOT NULL UNIQUE,
        customer_id uuid NOT NULL,
        channel text NOT NULL,
        kind text NOT NULL,
        recipient text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        sent_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS notification_outbox_pending_idx
        ON notification_outbox (sent_at) WHERE sent_at IS NULL;
"""


class NotificationOutbox(Projection):
    """Notifications to send. The cause's position is unique, so a replayed event adds
    nothing; a sender marks rows sent."""

    name = "notification_outbox"
    tables = ("notification_outbox",)
    ddl = DDL

    @handles(Customer.PasswordResetRequested)
    def password_reset_requested(
        self, cursor: Cursor[Any], event: Customer.PasswordResetRequested, position: int
    ) -> None:
        recipient, token = event.recipient.value, event.token.value
        if recipient is None or token is None:
            return  # the customer was erased: there is no one to write to, nothing to send
        cursor.execute(
            """
            INSERT INTO notification_outbox (cause_position, customer_id, channel, kind,
                recipient, payload, created_at)
            VALUES (%s, %s, 'email', 'password_reset', %s, %s, %s)
            ON CONFLICT (cause_position) DO NOTHING
            """,
            (
                position,
                event.originator_id,
                recipient,
                Jsonb({"token": token, "expires_at": event.expires_at.isoformat()}),
                event.timestamp,
            ),
        )
