"""The shop system's inbound webhook: ``POST /webhooks/orders`` records a fulfilment step.

Signed as the product's own outgoing webhooks are (:mod:`infrastructure.delivery.webhooks`):
``X-CXL-Timestamp`` (Unix seconds) and ``X-CXL-Signature: sha256=<hex of HMAC-SHA256(secret,
"<timestamp>.<body>")>`` with ``CXL_ORDER_WEBHOOK_SECRET``. A timestamp further than
``CXL_ORDER_WEBHOOK_TOLERANCE`` seconds from the clock is stale; within it, a replayed delivery
carries the same ``Idempotency-Key`` and writes nothing new (the order remembers its keys).

Every refusal is a 4xx with ``{"error": {"code", "message", "field"}}`` and writes nothing; a
database that cannot be reached is a 503 with Retry-After, so the shop retries; never a 500.
Reading, checking and answering are :mod:`infrastructure.signed_webhook`'s, shared with the
payment webhook; this module reads the order's fields.
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
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute

from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.fulfilment.values import FulfilmentStep
from domain.shared.application import CommandResult
from domain.shared.errors import ConcurrencyConflictError, DomainError, NotFoundError
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.signed_webhook import (
    Refusal,
    SignatureRules,
    WebhookRefusalError,
    json_object,
    signed_body,
    webhook_route,
)

log = logging.getLogger(__name__)

PATH = "/webhooks/orders"
MAX_BODY_BYTES = 65_536
"""An order of 500 lines fits with room to spare."""
ACTOR = "order-webhook"
RULES = SignatureRules(
    max_body_bytes=MAX_BODY_BYTES,
    too_large=Refusal("PAYLOAD_TOO_LARGE", f"at most {MAX_BODY_BYTES} bytes"),
    missing=Refusal("MISSING_SIGNATURE", "X-CXL-Timestamp and X-CXL-Signature needed"),
    malformed=Refusal("BAD_SIGNATURE", "X-CXL-Timestamp is Unix seconds"),
)

Record = Callable[[RecordFulfilment, EventMetadata], CommandResult]


def order_webhook_routes(
    secret: str | None, tolerance: int, record: Record, clock: Callable[[], float] = time.time
) -> list[BaseRoute]:
    """The route, when a secret is set (without one nobody could sign a delivery)."""
    if secret is None:
        return []

    async def receive(request: Request) -> JSONResponse:
        body = await signed_body(request, RULES, secret, tolerance, clock())
        command = _command(body, request.headers.get("idempotency-key"))
        metadata = EventMetadata(ACTOR, Role.SYSTEM, Channel.API)
        result = await anyio.to_thread.run_sync(record, command, metadata)
        return JSONResponse({"orderId": command.order_id, "position": str(result.position)})

    return [webhook_route(PATH, receive, _refusal_of, log, "order webhook")]


def _command(body: bytes, key: str | None) -> RecordFulfilment:
    if key is None:
        raise WebhookRefusalError(400, "MISSING_IDEMPOTENCY_KEY", "Idempotency-Key is needed")
    data = json_object(body)
    step = _text(data, "step")
    if step not in {s.value.upper() for s in FulfilmentStep} | {s.value for s in FulfilmentStep}:
        raise _invalid("step is one of " + ", ".join(FulfilmentStep), "step")
    return RecordFulfilment(
        order_id=_text(data, "orderId"),
        step=FulfilmentStep(step.lower()),
        at=_moment(data.get("at")),
        customer_id=_customer(data.get("customerId")),
        lines=_lines(data.get("lines", [])),
        carrier=_optional_text(data, "carrier"),
        tracking_number=_optional_text(data, "trackingNumber"),
        idempotency_key=key,
    )


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise WebhookRefusalError(422, "INVALID_INPUT", f"{name} is a string", name)
    return value


def _optional_text(data: dict[str, Any], name: str) -> str | None:
    return None if data.get(name) is None else _text(data, name)


def _moment(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise WebhookRefusalError(422, "INVALID_INPUT", "at is an ISO 8601 time with a zone", "at")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise _invalid("at is an ISO 8601 time with a zone", "at") from None


def _customer(value: object) -> UUID | None:
    if value is None:
        return None
    refusal = WebhookRefusalError(422, "INVALID_INPUT", "customerId is a UUID", "customerId")
    if not isinstance(value, str) or len(value) > 40:
        raise refusal
    try:
        return UUID(value)
    except ValueError:
        raise refusal from None


def _lines(value: object) -> list[LineInput]:
    if not isinstance(value, list):
        raise WebhookRefusalError(422, "INVALID_INPUT", "lines is a list", "lines")
    lines = []
    for line in value[:501]:  # the domain refuses more than 500; no need to read them all
        if not isinstance(line, dict):
            raise WebhookRefusalError(422, "INVALID_INPUT", "a line is an object", "lines")
        sku, quantity = line.get("sku"), line.get("quantity")
        if not isinstance(sku, str) or type(quantity) is not int:
            raise _invalid("a line has a string sku and a whole quantity", "lines")
        lines.append(LineInput(sku, quantity))
    return lines


def _invalid(message: str, field: str) -> WebhookRefusalError:
    return WebhookRefusalError(422, "INVALID_INPUT", message, field)


def _refusal_of(error: DomainError) -> WebhookRefusalError:
    return WebhookRefusalError(_status_of(error), error.code, error.message, error.field)


def _status_of(error: DomainError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConcurrencyConflictError) or error.code in {
        "ILLEGAL_TRANSITION",
        "IDEMPOTENCY_KEY_REUSED",
    }:
        return 409
    return 422
