"""Typed reads of the notification outbox: what is still to be sent, oldest first.

No read returns an address or a token: the outbox does not hold them. The sender opens them
from the causing event (``infrastructure.outbox_messages``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row


@dataclass(frozen=True, slots=True)
class PendingNotification:
    """A notification not sent yet (and not cancelled by an erasure); ``payload`` holds what
    the message is about (a survey, a referral code, when its link expires). Its address and
    token are sealed in the event at ``cause_position`` (in its ``cause_entry``-th message, for
    a campaign batch's event; 0 for an event that causes one message)."""

    id: int
    cause_position: int
    cause_entry: int
    customer_id: UUID
    channel: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime


# The partial index on (sent_at) WHERE sent_at IS NULL keeps this cheap however many were sent;
# cancelled messages (to an erased person) are never to be sent.
_PENDING = """
    SELECT id, cause_position, cause_entry, customer_id, channel, kind, payload, created_at
    FROM notification_outbox
    WHERE sent_at IS NULL AND cancelled_at IS NULL
        AND (%(kind)s::text IS NULL OR kind = %(kind)s::text)
    ORDER BY id LIMIT %(limit)s
"""


async def pending_notifications(
    conn: AsyncConnection[Any], kind: str | None = None, limit: int = 100
) -> list[PendingNotification]:
    """Notifications not sent yet (of ``kind``, if given), oldest first, at most ``limit``."""
    async with conn.cursor(row_factory=class_row(PendingNotification)) as cur:
        await cur.execute(_PENDING, {"kind": kind, "limit": limit})
        return await cur.fetchall()


def pending_notifications_sync(
    conn: Connection[Any], kind: str | None = None, limit: int = 100
) -> list[PendingNotification]:
    """`pending_notifications` for synchronous callers (workers, tests)."""
    with conn.cursor(row_factory=class_row(PendingNotification)) as cur:
        cur.execute(_PENDING, {"kind": kind, "limit": limit})
        return cur.fetchall()


_PENDING_COUNT = """
    SELECT count(*) FROM notification_outbox WHERE sent_at IS NULL AND cancelled_at IS NULL
"""


async def pending_count(conn: AsyncConnection[Any]) -> int:
    """How many notifications are still to be sent (the outbox's backlog)."""
    async with conn.cursor() as cur:
        await cur.execute(_PENDING_COUNT)
        row = await cur.fetchone()
    return int(row[0]) if row is not None else 0
