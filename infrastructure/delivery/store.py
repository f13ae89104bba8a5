"""The delivery state of each outbox message (table ``notification_deliveries``, migration
100): taken in from the outbox, claimed when due, marked sending before the SMTP transaction
and sent after it, retried with exponential backoff, failed past the limit, cancelled when the
outbox cancels (an erasure).

Exactly once per cause: a message is marked ``sending`` (and its attempt counted) in a
committed transaction before it is handed to the SMTP server, and ``sent`` right after the
server accepted it. A crash between the two leaves it ``sending`` with ``next_attempt_at`` a
backoff away; it is then sent again, with the same Message-ID, so a recipient's mail system can
tell it is the same message. Only the one sender holding the lease runs this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import class_row

from projections.outbox.queries import PendingNotification

log = logging.getLogger(__name__)

MessageKey = tuple[int, int]
"""A message's key: its cause's log position and its place in the cause (0 for a cause of one
message; a campaign batch's event causes one per recipient)."""

# New outbox messages on email become pending deliveries (SMS and push wait in the outbox for
# senders of their own); a rebuilt outbox (sent_at NULL again) adds nothing, since the cause
# already has its row here.
_TAKE_IN = """
    INSERT INTO notification_deliveries (cause_position, cause_entry, status, next_attempt_at,
        updated_at)
    SELECT o.cause_position, o.cause_entry, 'pending', %(now)s, %(now)s
    FROM notification_outbox o
    WHERE o.channel = 'email' AND o.cancelled_at IS NULL AND o.sent_at IS NULL
        AND NOT EXISTS (
            SELECT 1 FROM notification_deliveries d
            WHERE d.cause_position = o.cause_position AND d.cause_entry = o.cause_entry)
    ORDER BY o.cause_position, o.cause_entry
    ON CONFLICT (cause_position, cause_entry) DO NOTHING
"""

# The outbox cancels an erased person's unsent messages; so does delivery.
_CANCEL_ERASED = """
    UPDATE notification_deliveries d
    SET status = 'cancelled', updated_at = %(now)s, next_attempt_at = %(now)s
    FROM notification_outbox o
    WHERE o.cause_position = d.cause_position AND o.cause_entry = d.cause_entry
        AND o.cancelled_at IS NOT NULL
        AND d.status IN ('pending', 'sending', 'failed')
"""

_DUE = """
    SELECT o.id, o.cause_position, o.cause_entry, o.customer_id, o.channel, o.kind, o.payload,
        o.created_at, d.attempts, c.language, COALESCE(p.opted_in, true) AS opted_in
    FROM notification_deliveries d
    JOIN notification_outbox o
        ON o.cause_position = d.cause_position AND o.cause_entry = d.cause_entry
    LEFT JOIN customer_directory c ON c.customer_id = o.customer_id
    LEFT JOIN customer_contact_preferences p
        ON p.customer_id = o.customer_id AND p.channel = o.channel
    WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= %(now)s
    ORDER BY d.next_attempt_at, d.cause_position, d.cause_entry
    LIMIT %(limit)s
"""

_SENDING = """
    UPDATE notification_deliveries
    SET status = 'sending', attempts = attempts + 1, sending_since = %(now)s,
        next_attempt_at = %(now)s + make_interval(secs => %(base)s * power(2, attempts)),
        updated_at = %(now)s
    WHERE (cause_position, cause_entry) IN (
            SELECT * FROM unnest(%(positions)b::bigint[], %(entries)b::integer[]))
        AND status IN ('pending', 'sending')
"""

_SENT = """
    WITH done AS (
        UPDATE notification_deliveries
        SET status = 'sent', sent_at = %(now)s, last_error = NULL, updated_at = %(now)s
        WHERE cause_position = %(position)s AND cause_entry = %(entry)s AND status = 'sending'
        RETURNING cause_position, cause_entry
    )
    UPDATE notification_outbox SET sent_at = %(now)s
    WHERE (cause_position, cause_entry) IN (SELECT cause_position, cause_entry FROM done)
"""

# A failed attempt: try again after the backoff counted when it was marked sending, unless it
# was the last try or the refusal was permanent.
_FAILED_ATTEMPT = """
    UPDATE notification_deliveries
    SET status = CASE WHEN %(permanent)s OR attempts >= %(max)s THEN 'failed' ELSE 'pending' END,
        last_error = %(error)s, updated_at = %(now)s
    WHERE cause_position = %(position)s AND cause_entry = %(entry)s AND status = 'sending'
"""

_CANCEL_ONE = """
    UPDATE notification_deliveries
    SET status = 'cancelled', last_error = %(why)s, updated_at = %(now)s
    WHERE cause_position = %(position)s AND cause_entry = %(entry)s
        AND status IN ('pending', 'sending')
"""

_RETRY = """
    UPDATE notification_deliveries d
    SET status = 'pending', attempts = 0, next_attempt_at = %(now)s, updated_at = %(now)s
    FROM notification_outbox o
    WHERE o.cause_position = d.cause_position AND o.cause_entry = d.cause_entry
        AND o.id = %(id)s AND d.status = 'failed'
        AND o.cancelled_at IS NULL
    RETURNING d.cause_position
"""


@dataclass(frozen=True, slots=True)
class DueMessage:
    """An outbox message due for a try: the outbox row, its tries so far, and the language
    (None: not known) and channel preference of the customer it concerns (read models)."""

    id: int
    cause_position: int
    cause_entry: int
    customer_id: UUID
    channel: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    language: str | None
    opted_in: bool
    """False once the customer turned this channel off (unsubscribed) since it was queued."""

    @property
    def key(self) -> MessageKey:
        return (self.cause_position, self.cause_entry)

    @property
    def notification(self) -> PendingNotification:
        return PendingNotification(
            self.id,
            self.cause_position,
            self.cause_entry,
            self.customer_id,
            self.channel,
            self.kind,
            self.payload,
            self.created_at,
        )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a message is tried, and how long between tries (doubling each time)."""

    max_attempts: int = 5
    first_wait_seconds: float = 30.0


class DeliveryStore:
    """Statements on ``notification_deliveries``, each in the caller's connection; the caller
    commits (the sender commits ``mark_sending`` before it talks to the SMTP server)."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def take_in(self, conn: Connection[Any], now: datetime) -> None:
        """Queue the outbox's new messages and cancel what the outbox cancelled."""
        conn.execute(_TAKE_IN, {"now": now})
        conn.execute(_CANCEL_ERASED, {"now": now})

    def due(self, conn: Connection[Any], now: datetime, limit: int) -> list[DueMessage]:
        with conn.cursor(row_factory=class_row(DueMessage)) as cur:
            cur.execute(_DUE, {"now": now, "limit": limit})
            return cur.fetchall()

    def mark_sending(
        self, conn: Connection[Any], messages: list[MessageKey], now: datetime
    ) -> None:
        positions, entries = [m[0] for m in messages], [m[1] for m in messages]
        values = {"positions": positions, "entries": entries, "now": now}
        conn.execute(_SENDING, {**values, "base": self.policy.first_wait_seconds})

    def mark_sent(self, conn: Connection[Any], message: MessageKey, now: datetime) -> None:
        # Not flushed before the commit returns: losing it to a database crash leaves the
        # message "sending", which sends it once more with the same Message-ID (what a process
        # crash does anyway). "Sending" itself is always flushed before the server sees it.
        conn.execute("SET LOCAL synchronous_commit = off")
        conn.execute(_SENT, {**_key(message), "now": now})

    def mark_failed_attempt(
        self,
        conn: Connection[Any],
        message: MessageKey,
        error: str,
        permanent: bool,
        now: datetime,
    ) -> None:
        values = {**_key(message), "error": error, "permanent": permanent, "now": now}
        conn.execute(_FAILED_ATTEMPT, {**values, "max": self.policy.max_attempts})

    def cancel(self, conn: Connection[Any], message: MessageKey, why: str, now: datetime) -> None:
        conn.execute(_CANCEL_ONE, {**_key(message), "why": why, "now": now})


def _key(message: MessageKey) -> dict[str, int]:
    return {"position": message[0], "entry": message[1]}


def retry_failed(conn: Connection[Any], notification_id: int, now: datetime) -> bool:
    """Give a failed message (by its outbox id) a fresh set of tries; False if it is not
    failed (unknown, pending, sent or cancelled)."""
    row = conn.execute(_RETRY, {"id": notification_id, "now": now}).fetchone()
    return row is not None


class FailedRetries:
    """An admin's retry of a failed message (``retryNotification``), on a lent connection."""

    def __init__(self, connection: Callable[[], AbstractContextManager[Connection[Any]]]) -> None:
        self._connection = connection

    def __call__(self, notification_id: int) -> bool:
        with self._connection() as conn, conn.transaction():
            retried = retry_failed(conn, notification_id, datetime.now(UTC))
        if retried:
            log.info("notification %s: failed, retried from now", notification_id)
        return retried
