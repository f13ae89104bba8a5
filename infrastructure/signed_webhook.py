"""What every inbound webhook does before its own work: read a bounded body, check its
HMAC-SHA256 signature and timestamp, parse it as a JSON object, and answer every failure
with a typed JSON error (4xx, writing nothing) or, when the database cannot be reached, a
503 with Retry-After that the sender retries; never a 500.

Signed as the product's own outgoing webhooks are (:mod:`infrastructure.delivery.webhooks`):
``X-CXL-Timestamp`` (Unix seconds) and ``X-CXL-Signature: sha256=<hex of HMAC-SHA256(secret,
"<timestamp>.<body>")>``. The signature is compared before the timestamp's age, so a forger
learns nothing about the clock, and both before the body is read as JSON, so an unsigned
caller learns nothing of the format. Each webhook keeps its own limits and codes
(:class:`SignatureRules`), as its senders know them.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.shared.errors import DomainError
from infrastructure.delivery.webhooks import signature

RETRY_AFTER_SECONDS = "30"


class WebhookRefusalError(Exception):
    """A typed 4xx answer: ``{"error": {"code", "message", "field"}}``."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> JSONResponse:
        error = {"code": self.code, "message": self.message, "field": self.field}
        return JSONResponse({"error": error}, status_code=self.status)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A code and a message a webhook answers some failure with."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class SignatureRules:
    """One webhook's limits and the way it words its refusals."""

    max_body_bytes: int
    too_large: Refusal
    """413: the body (declared or read) is longer than ``max_body_bytes``."""
    missing: Refusal
    """401: no timestamp or no signature."""
    malformed: Refusal
    """401: a timestamp that is not Unix seconds."""


def invalid(message: str, field: str) -> WebhookRefusalError:
    """422 INVALID_INPUT on ``field``."""
    return WebhookRefusalError(422, "INVALID_INPUT", message, field)


async def signed_body(
    request: Request, rules: SignatureRules, secret: str, tolerance: int, now: float
) -> bytes:
    """The body, once its size, signature and timestamp are good."""
    body = await _body(request, rules)
    _check_signature(request, body, rules, secret, tolerance, now)
    return body


async def _body(request: Request, rules: SignatureRules) -> bytes:
    """Read no further than ``max_body_bytes`` whatever the headers say (a chunked body
    declares no length)."""
    limit, too_large = rules.max_body_bytes, rules.too_large
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise WebhookRefusalError(413, too_large.code, too_large.message)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise WebhookRefusalError(413, too_large.code, too_large.message)
    return bytes(body)


def _check_signature(
    request: Request,
    body: bytes,
    rules: SignatureRules,
    secret: str,
    tolerance: int,
    now: float,
) -> None:
    stamp = request.headers.get("x-cxl-timestamp", "")
    given = request.headers.get("x-cxl-signature", "")
    if not stamp or not given:
        raise WebhookRefusalError(401, rules.missing.code, rules.missing.message)
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        raise WebhookRefusalError(401, rules.malformed.code, rules.malformed.message)
    # Bytes, not text: compare_digest refuses text with non-ASCII characters (a header may
    # hold any Latin-1), and that must be a bad signature, not an exception.
    expected = signature(secret, int(stamp), body).encode()
    if not hmac.compare_digest(expected, given.encode()):
        raise WebhookRefusalError(401, "BAD_SIGNATURE", "the signature does not match the body")
    if abs(now - int(stamp)) > tolerance:
        raise WebhookRefusalError(
            401, "STALE_TIMESTAMP", f"the timestamp is over {tolerance} s away"
        )


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, else 400 MALFORMED_JSON."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        raise WebhookRefusalError(400, "MALFORMED_JSON", "the body is not JSON") from None
    if not isinstance(parsed, dict):
        raise WebhookRefusalError(400, "MALFORMED_JSON", "the body is not a JSON object")
    return parsed


def webhook_route(
    path: str,
    handle: Callable[[Request], Awaitable[Response]],
    refusal_of: Callable[[DomainError], WebhookRefusalError],
    log: logging.Logger,
    name: str,
) -> Route:
    """``POST path`` answered by ``handle``; its refusals, the ledger's (as ``refusal_of``
    words them) and any other failure (the database, most likely: logged as ``name``
    failed) answered as typed errors."""

    async def receive(request: Request) -> Response:
        try:
            return await handle(request)
        except WebhookRefusalError as refusal:
            return refusal.response()
        except DomainError as error:
            return refusal_of(error).response()
        except Exception:  # the database, most likely: the sender retries later
            log.exception("%s failed", name)
            return unavailable()

    return Route(path, receive, methods=["POST"])


def unavailable() -> JSONResponse:
    """503 SERVICE_UNAVAILABLE with Retry-After."""
    error = {"code": "SERVICE_UNAVAILABLE", "message": "try again later", "field": None}
    response = JSONResponse({"error": error}, status_code=503)
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response
