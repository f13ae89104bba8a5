"""The payment webhook when the database cannot be reached: a 503 the provider retries, with
Retry-After, never a 500 (the order webhook answers the same)."""

from __future__ import annotations

import json
import time
from uuid import uuid4

import anyio
import httpx
from psycopg import OperationalError
from starlette.applications import Starlette

from domain.billing.commands import Recorded, RecordPaymentNotification
from domain.shared.metadata import EventMetadata
from infrastructure.delivery.payment_webhook import PATH, payment_webhook_routes
from infrastructure.delivery.webhooks import signature

SECRET = "s" * 40


def unreachable(command: RecordPaymentNotification, metadata: EventMetadata) -> Recorded:
    raise OperationalError("connection refused")


def test_a_database_outage_is_a_503_with_retry_after() -> None:
    """Pins: a signed, valid notification that cannot be recorded (the database is down)
    answers 503 SERVICE_UNAVAILABLE with Retry-After."""
    app = Starlette(routes=payment_webhook_routes(SECRET, unreachable))
    body = json.dumps(
        {
            "id": "evt_outage",
            "type": "invoice.issued",
            "customerId": str(uuid4()),
            "currency": "EUR",
            "amountMinor": 100,
            "invoiceId": "inv_outage",
        }
    ).encode()
    stamp = int(time.time())
    headers = {"x-cxl-timestamp": str(stamp), "x-cxl-signature": signature(SECRET, stamp, body)}

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://webhook") as client:
            return await client.post(PATH, content=body, headers=headers)

    response = anyio.run(post)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert response.headers["retry-after"] == "30"
