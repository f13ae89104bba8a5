"""The checks both inbound webhooks share (infrastructure.signed_webhook), through each
webhook's route: a signature header that is not ASCII is a bad signature (it was an
exception, answered 503, when the check compared text), and each webhook keeps its own
codes for an unsigned delivery and an oversized body."""

from __future__ import annotations

import time

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from domain.billing.commands import Recorded, RecordPaymentNotification
from domain.fulfilment.commands import RecordFulfilment
from domain.shared.application import CommandResult
from domain.shared.metadata import EventMetadata
from infrastructure import order_webhook
from infrastructure.delivery import payment_webhook

SECRET = "s" * 40


def never_payment(command: RecordPaymentNotification, metadata: EventMetadata) -> Recorded:
    raise AssertionError("a refused delivery must not reach the ledger")


def never_order(command: RecordFulfilment, metadata: EventMetadata) -> CommandResult:
    raise AssertionError("a refused delivery must not reach the ledger")


WEBHOOKS = {
    "orders": (order_webhook.PATH, order_webhook.order_webhook_routes(SECRET, 300, never_order)),
    "payments": (
        payment_webhook.PATH,
        payment_webhook.payment_webhook_routes(SECRET, never_payment),
    ),
}


def post(
    path: str, routes: list[BaseRoute], body: bytes, headers: dict[bytes, bytes]
) -> httpx.Response:
    app = Starlette(routes=routes)

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://webhook") as client:
            return await client.post(path, content=body, headers=headers)

    return anyio.run(send)


@pytest.mark.parametrize("webhook", list(WEBHOOKS))
def test_a_signature_that_is_not_ascii_is_a_bad_signature(webhook: str) -> None:
    path, routes = WEBHOOKS[webhook]
    stamp = str(int(time.time())).encode()
    headers = {b"x-cxl-timestamp": stamp, b"x-cxl-signature": b"sha256=\xe9\xe9"}

    response = post(path, routes, b"{}", headers)

    assert (response.status_code, response.json()["error"]["code"]) == (401, "BAD_SIGNATURE")


@pytest.mark.parametrize(
    ("webhook", "unsigned", "too_large"),
    [
        ("orders", "MISSING_SIGNATURE", "PAYLOAD_TOO_LARGE"),
        ("payments", "BAD_SIGNATURE", "BODY_TOO_LARGE"),
    ],
)
def test_each_webhook_keeps_its_own_codes(webhook: str, unsigned: str, too_large: str) -> None:
    path, routes = WEBHOOKS[webhook]
    no_signature = post(path, routes, b"{}", {})
    oversized = post(path, routes, b"x" * 70_000, {})

    assert (no_signature.status_code, no_signature.json()["error"]["code"]) == (401, unsigned)
    assert (oversized.status_code, oversized.json()["error"]["code"]) == (413, too_large)
