"""Outgoing webhooks: each outbox message of a kind an endpoint asked for is POSTed to it as
JSON (what the message is, for whom, when; never an address or a token), signed with
HMAC-SHA256 over the timestamp and the body, retried with exponential backoff up to a limit.

Headers: ``X-CXL-Timestamp`` (Unix seconds) and ``X-CXL-Signature: sha256=<hex of
HMAC-SHA256(secret, "<timestamp>.<body>")>``, so a receiver checks the body and refuses old
replays. ``X-CXL-Delivery`` is the same for every try of one message to one endpoint. Runs in the
worker beside the mail sender, one process at a time (its own job lease).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from psycopg import Connection

from infrastructure.delivery.store import RetryPolicy

log = logging.getLogger(__name__)

Connections = Callable[[], AbstractContextManager[Connection[Any]]]
Clock = Callable[[], datetime]
TIMEOUT_SECONDS = 10.0
MAX_URL_CHARS = 2000
KINDS = (
    "survey_invitation",
    "password_reset",
    "email_change_confirmation",
    "registration_attempted",
    "referral_invitation",
)

# Every kind above has one message per cause (``cause_entry`` 0), so a webhook delivery is
# keyed by the cause's position alone; a campaign batch's messages are never posted.
# Each endpoint takes in the outbox's messages past its mark (the outbox's unique position
# index), then moves the mark: a run costs what is new, not what the outbox holds.
_TAKE_IN = """
    WITH taken AS (
        INSERT INTO webhook_deliveries (endpoint_id, cause_position, status, next_attempt_at)
        SELECT e.id, o.cause_position, 'pending', %(now)s
        FROM webhook_endpoints e
        JOIN notification_outbox o ON o.cause_position > e.taken_up_to
        WHERE o.kind = ANY(e.kinds) AND o.created_at >= e.created_at AND o.cancelled_at IS NULL
        ON CONFLICT DO NOTHING
    )
    UPDATE webhook_endpoints e
    SET taken_up_to = GREATEST(e.taken_up_to,
        (SELECT COALESCE(max(cause_position), 0) FROM notification_outbox))
"""

_DUE = """
    SELECT d.endpoint_id, d.cause_position, d.attempts, e.url, e.secret,
        o.id, o.kind, o.channel, o.customer_id, o.created_at
    FROM webhook_deliveries d
    JOIN webhook_endpoints e ON e.id = d.endpoint_id
    JOIN notification_outbox o ON o.cause_position = d.cause_position
    WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= %(now)s
    ORDER BY d.next_attempt_at LIMIT %(limit)s
"""

_SENDING = """
    UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1,
        next_attempt_at = %(now)s + make_interval(secs => %(base)s * power(2, attempts))
    WHERE endpoint_id = %(endpoint)s AND cause_position = %(position)s
"""

_DONE = """
    UPDATE webhook_deliveries SET status = %(status)s, last_error = %(error)s,
        sent_at = CASE WHEN %(status)s = 'sent' THEN %(now)s::timestamptz END
    WHERE endpoint_id = %(endpoint)s AND cause_position = %(position)s
"""


def checked_webhook_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL_CHARS:
        raise ValueError("must be an http:// or https:// URL with a host")
    return url


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-CXL-Signature`` value of ``body`` sent at ``timestamp``."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class RegisteredEndpoint:
    id: int
    secret: str
    """Shown once, to the admin who registered it."""


class WebhookEndpoints:
    """Registration of endpoints (``registerWebhook``), on a lent connection."""

    def __init__(self, connection: Connections) -> None:
        self._connection = connection

    def register(self, url: str, kinds: list[str], registered_by: str) -> RegisteredEndpoint:
        checked_webhook_url(url)
        if not kinds or any(kind not in KINDS for kind in kinds):
            raise ValueError(f"kinds must be some of {', '.join(KINDS)}")
        secret = secrets.token_urlsafe(32)
        with self._connection() as conn, conn.transaction():
            row = conn.execute(
                "INSERT INTO webhook_endpoints (url, kinds, secret, registered_by, created_at)"
                " VALUES (%s, %s, %s, %s, now()) RETURNING id",
                (url, sorted(set(kinds)), secret, registered_by),
            ).fetchone()
        assert row is not None
        log.info("webhook %s registered by %s for %s", row[0], registered_by, kinds)
        return RegisteredEndpoint(int(row[0]), secret)


class WebhookDelivery:
    """Posts what is due to each endpoint; a 2xx answer is delivered, anything else a retry."""

    def __init__(
        self, connection: Connections, policy: RetryPolicy, clock: Clock | None = None
    ) -> None:
        self._connection = connection
        self._policy = policy
        self._clock = clock or (lambda: datetime.now(UTC))

    def run(self, batch_size: int = 100) -> int:
        """Post what is due now; the number delivered."""
        delivered = 0
        with self._connection() as conn:
            now = self._clock()
            with conn.transaction():
                conn.execute(_TAKE_IN, {"now": now})
                due = conn.execute(_DUE, {"now": now, "limit": batch_size}).fetchall()
            for row in due:
                delivered += self._post(conn, row)
        return delivered

    def _post(self, conn: Connection[Any], row: tuple[Any, ...]) -> int:
        endpoint, position, attempts, url, secret, *message = row
        key = {"endpoint": endpoint, "position": position, "now": self._clock()}
        with conn.transaction():
            conn.execute(_SENDING, {**key, "base": self._policy.first_wait_seconds})
        error = _send(url, secret, _body(message), f"{endpoint}.{position}")
        final = error is None or attempts + 1 >= self._policy.max_attempts
        status = "sent" if error is None else ("failed" if final else "pending")
        with conn.transaction():
            conn.execute(_DONE, {**key, "status": status, "error": error})
        return int(error is None)


def _body(message: list[Any]) -> bytes:
    notification_id, kind, channel, customer_id, created_at = message
    document = {
        "id": str(notification_id),
        "kind": kind,
        "channel": channel,
        "customerId": str(customer_id),
        "createdAt": created_at.isoformat(),
    }
    return json.dumps(document, separators=(",", ":")).encode()


def _send(url: str, secret: str, body: bytes, delivery_id: str) -> str | None:
    """POST ``body``; None on a 2xx answer, else why not (no body of the answer is kept)."""
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - the URL was checked to be http(s)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-CXL-Timestamp": str(timestamp),
            "X-CXL-Signature": signature(secret, timestamp, body),
            "X-CXL-Delivery": delivery_id,
            "User-Agent": "cxledger-webhooks",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        return f"{type(error).__name__}: unreachable"
