"""POST /webhooks/payments: the payment service provider's notifications, checked and recorded.

The provider signs like our outgoing webhooks (``infrastructure.delivery.webhooks``):
``X-CXL-Timestamp`` (Unix seconds) and ``X-CXL-Signature: sha256=<hex of HMAC-SHA256(secret,
"<timestamp>.<body>")>``. A request is refused, writing nothing and always with a typed JSON
error, when its body is too large (413), its signature is missing or wrong (401
BAD_SIGNATURE), its timestamp is outside the replay window (401 STALE_TIMESTAMP), its body is
not JSON (400 MALFORMED_JSON), a field is missing or of the wrong type (422 INVALID_INPUT), or
the ledger refuses it (422 with the domain's code, e.g. CURRENCY_MISMATCH). The signature is
checked before the body is read as JSON, so an unsigned caller learns nothing of the format
(reading, checking and answering are :mod:`infrastructure.signed_webhook`'s, shared with the
order webhook).
The notification's ``id`` is its idempotency key: a retried delivery (or a replay inside the
window) answers 200 ``duplicate`` and writes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from domain.billing.commands import Recorded, RecordPaymentNotification
from domain.billing.values import NotificationKind
from domain.shared.errors import ConcurrencyConflictError, DomainError
from domain.shared.metadata import EventMetadata
from infrastructure.signed_webhook import (
    Refusal,
    SignatureRules,
    WebhookRefusalError,
    invalid,
    json_object,
    signed_body,
    webhook_route,
)

log = logging.getLogger(__name__)

PATH = "/webhooks/payments"
MAX_BODY_BYTES = 64_000
"""A notification is a few hundred bytes; anything near this is not one."""
REPLAY_WINDOW_SECONDS = 300
"""How far a signed timestamp may lie from our clock, either way (the provider's retries are
signed afresh)."""
PROVIDER = EventMetadata.system("payment-provider")
_UNSIGNED = Refusal("BAD_SIGNATURE", "X-CXL-Timestamp and X-CXL-Signature are required")
RULES = SignatureRules(
    max_body_bytes=MAX_BODY_BYTES,
    too_large=Refusal("BODY_TOO_LARGE", f"a notification is at most {MAX_BODY_BYTES} bytes"),
    missing=_UNSIGNED,
    malformed=_UNSIGNED,
)

Record = Callable[[RecordPaymentNotification, EventMetadata], Recorded]
Clock = Callable[[], float]


def payment_webhook_routes(
    secret: str, record: Record, clock: Clock = time.time
) -> list[BaseRoute]:
    async def receive(request: Request) -> Response:
        body = await signed_body(request, RULES, secret, REPLAY_WINDOW_SECONDS, clock())
        command = notification(json_object(body))
        recorded = await anyio.to_thread.run_sync(record, command, PROVIDER)
        status = "duplicate" if recorded.duplicate else "recorded"
        return JSONResponse({"status": status, "position": str(recorded.position)})

    return [webhook_route(PATH, receive, _refusal_of, log, "payment webhook")]


def _refusal_of(error: DomainError) -> WebhookRefusalError:
    if isinstance(error, ConcurrencyConflictError):
        return WebhookRefusalError(409, error.code, error.message, None)
    return WebhookRefusalError(422, error.code, error.message, error.field)


def notification(data: dict[str, Any]) -> RecordPaymentNotification:
    """The command a notification's JSON asks for; unknown keys are ignored (providers add
    fields), known ones must have their type."""
    kind_text = _required_text(data, "type")
    try:
        kind = NotificationKind(kind_text)
    except ValueError:
        known = ", ".join(k.value for k in NotificationKind)
        raise WebhookRefusalError(
            422, "INVALID_INPUT", f"type must be one of {known}", "type"
        ) from None
    customer_text = _required_text(data, "customerId")
    try:
        customer_id = UUID(customer_text)
    except ValueError:
        raise WebhookRefusalError(
            422, "INVALID_INPUT", "customerId is not a UUID", "customerId"
        ) from None
    amount = data.get("amountMinor")
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise WebhookRefusalError(
            422, "INVALID_INPUT", "amountMinor must be an integer", "amountMinor"
        )
    return RecordPaymentNotification(
        key=_required_text(data, "id"),
        kind=kind,
        customer_id=customer_id,
        currency=_required_text(data, "currency"),
        amount_minor=amount,
        invoice_id=_text(data, "invoiceId"),
        payment_id=_text(data, "paymentId"),
        refund_id=_text(data, "refundId"),
        due_at=_moment(data, "dueAt"),
        payment_url=_text(data, "paymentUrl"),
        failure_code=_text(data, "failureCode"),
        occurred_at=_moment(data, "occurredAt"),
    )


def _required_text(data: dict[str, Any], key: str) -> str:
    value = _text(data, key)
    if value is None:
        raise invalid(f"{key} is required", key)
    return value


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 4_000:
        raise invalid(f"{key} must be a string", key)
    return value


def _moment(data: dict[str, Any], key: str) -> datetime | None:
    text = _text(data, key)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise WebhookRefusalError(
            422, "INVALID_INPUT", f"{key} is not an ISO 8601 time", key
        ) from None
    if moment.tzinfo is None:
        raise invalid(f"{key} needs a time zone", key)
    return moment
