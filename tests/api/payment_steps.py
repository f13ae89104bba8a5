"""Steps of the billing tests: a payment provider's signed notification, over real HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from infrastructure.delivery.webhooks import signature
from tests.support.server import TEST_PAYMENT_WEBHOOK_SECRET, LiveApi

PATH = "/webhooks/payments"
PAY_URL = "https://pay.example.com/i/inv_1"


def send(
    api: LiveApi,
    body: bytes,
    *,
    timestamp: int | None = None,
    secret: str = TEST_PAYMENT_WEBHOOK_SECRET,
    signed: str | None = None,
) -> httpx.Response:
    """POST ``body`` signed as the provider signs (or with ``signed`` as the signature)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "content-type": "application/json",
        "x-cxl-timestamp": str(stamp),
        "x-cxl-signature": signed if signed is not None else signature(secret, stamp, body),
    }
    return api.client.post(f"{api.url}{PATH}", content=body, headers=headers)


def notify(api: LiveApi, **fields: Any) -> httpx.Response:
    return send(api, json.dumps(fields).encode())


def invoice(api: LiveApi, customer_id: str, key: str, invoice_id: str, amount: int) -> None:
    response = notify(
        api,
        id=key,
        type="invoice.issued",
        customerId=customer_id,
        currency="EUR",
        amountMinor=amount,
        invoiceId=invoice_id,
        dueAt="2027-01-31T00:00:00Z",
        paymentUrl=PAY_URL,
    )
    assert response.status_code == 200, response.text


def payment(api: LiveApi, customer_id: str, key: str, payment_id: str, amount: int) -> None:
    response = notify(
        api,
        id=key,
        type="payment.received",
        customerId=customer_id,
        currency="EUR",
        amountMinor=amount,
        paymentId=payment_id,
    )
    assert response.status_code == 200, response.text
