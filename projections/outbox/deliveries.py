"""Typed reads of the outbox with each message's delivery (``notification_deliveries``, the
sender's table, migration 100), for staff: what was sent, what waits, what failed and why.

Never an address or a token: the outbox does not hold them, and the sender redacts them from
the errors it records. A message the sender has not taken in yet reads as pending, or as
cancelled when an erasure cancelled it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    """Waiting for its first try, or for the next after a transient failure."""
    SENDING = "sending"
    """Handed to the SMTP server; not yet confirmed (a crash there sends it once more)."""
    SENT = "sent"
    FAILED = "failed"
    """Refused for good, or out of tries; an admin may retry it."""
    CANCELLED = "cancelled"
    """Its recipient was erased: never sent."""


class NotificationKind(StrEnum):
    SURVEY_INVITATION = "survey_invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of message, not a password
    EMAIL_CHANGE_CONFIRMATION = "email_change_confirmation"
    REGISTRATION_ATTEMPTED = "registration_attempted"
    REFERRAL_INVITATION = "referral_invitation"
    PROMOTER_THANKS = "promoter_thanks"
    """A thank-you for a promoter's answer, maybe with their referral code."""
    TICKET_PROGRESS = "ticket_progress"
    """News of the customer's ticket: an agent's reply, waiting on them, resolved."""
    IMPROVEMENT_NOTICE = "improvement_notice"
    """News of an improvement made on what the customer's feedback was about."""
    ORDER_PROGRESS = "order_progress"
    """News of the customer's order: paid, packed, shipped, delivered, returned."""
    CAMPAIGN_MESSAGE = "campaign_message"
    """A marketing campaign's email, personalised."""


@dataclass(frozen=True, slots=True)
class NotificationView:
    """One outbox message and where its delivery stands."""

    id: int
    kind: NotificationKind
    channel: str
    customer_id: UUID
    created_at: datetime
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[NotificationView]
    has_next_page: bool


# Newest first. The filters by customer (notification_outbox_customer_idx) and kind
# (notification_outbox_kind_idx) are indexed; the status one reads the deliveries' status
# beside each row.
_PAGE_TEMPLATE = """
    SELECT * FROM (
        SELECT o.id, o.kind, o.channel, o.customer_id, o.created_at,
            COALESCE(d.status,
                CASE WHEN o.cancelled_at IS NOT NULL THEN 'cancelled'
                     WHEN o.sent_at IS NOT NULL THEN 'sent' ELSE 'pending' END) AS status,
            COALESCE(d.attempts, 0) AS attempts, d.last_error,
            CASE WHEN d.status IN ('pending', 'sending') THEN d.next_attempt_at END
                AS next_attempt_at,
            COALESCE(d.sent_at, o.sent_at) AS sent_at
        FROM notification_outbox o
        LEFT JOIN notification_deliveries d
            ON d.cause_position = o.cause_position AND d.cause_entry = o.cause_entry
        WHERE (%(bound)s::bigint IS NULL OR o.id $BOUND %(bound)s)
            AND (%(kind)s::text IS NULL OR o.kind = %(kind)s)
            AND (%(customer)s::uuid IS NULL OR o.customer_id = %(customer)s)
    ) AS n
    WHERE %(status)s::text IS NULL OR n.status = %(status)s
    ORDER BY n.id $ORDER
    LIMIT %(limit)s
"""
_PAGE = _PAGE_TEMPLATE.replace("$BOUND", "<").replace("$ORDER", "DESC")
# The same rows read oldest first: the messages just newer than a cursor, for paging back.
_PAGE_NEWER = _PAGE_TEMPLATE.replace("$BOUND", ">").replace("$ORDER", "ASC")


async def notifications(
    conn: AsyncConnection[Any],
    *,
    status: DeliveryStatus | None,
    kind: NotificationKind | None,
    customer_id: UUID | None,
    first: int,
    before_id: int | None,
) -> NotificationPage:
    """A page of messages, newest first, older than ``before_id`` when given."""
    values = {
        "status": None if status is None else status.value,
        "kind": None if kind is None else kind.value,
        "customer": customer_id,
        "bound": before_id,
        "limit": first + 1,
    }
    async with conn.cursor(row_factory=class_row(NotificationView)) as cur:
        await cur.execute(_PAGE, values)
        rows = await cur.fetchall()
    return NotificationPage(rows[:first], len(rows) > first)


async def notifications_newer(
    conn: AsyncConnection[Any],
    *,
    status: DeliveryStatus | None,
    kind: NotificationKind | None,
    customer_id: UUID | None,
    last: int,
    after_id: int | None,
) -> NotificationPage:
    """The ``last`` messages just newer than ``after_id`` (None: the oldest ones), newest
    first like the list; ``has_next_page`` says whether yet newer ones exist (the page was
    read backward, from the list's end toward its start)."""
    values = {
        "status": None if status is None else status.value,
        "kind": None if kind is None else kind.value,
        "customer": customer_id,
        "bound": after_id,
        "limit": last + 1,
    }
    async with conn.cursor(row_factory=class_row(NotificationView)) as cur:
        await cur.execute(_PAGE_NEWER, values)
        rows = await cur.fetchall()
    return NotificationPage(rows[:last][::-1], len(rows) > last)


async def notification(conn: AsyncConnection[Any], notification_id: int) -> NotificationView | None:
    page = await notifications(
        conn, status=None, kind=None, customer_id=None, first=1, before_id=notification_id + 1
    )
    found = page.items[0] if page.items else None
    return found if found is not None and found.id == notification_id else None
