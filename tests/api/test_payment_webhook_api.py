"""The payment provider's webhook over real HTTP with real signatures: a signed notification
is recorded once; a bad signature, a stale timestamp, malformed JSON or a hostile field is a
typed 4xx that writes nothing."""

from __future__ import annotations

import json
import time
from typing import Any
from uuid import UUID

import pytest

from domain.billing.model import BillingAccount
from infrastructure.delivery.webhooks import signature
from tests.api.helpers import registered
from tests.api.payment_steps import PAY_URL, notify, send
from tests.support.server import TEST_PAYMENT_WEBHOOK_SECRET, LiveApi


def customer(api: LiveApi) -> str:
    return registered(api, name="Bea Billed", email="bea@example.org")


def notification(customer_id: str, key: str = "evt_1", **changes: Any) -> bytes:
    fields = {
        "id": key,
        "type": "invoice.issued",
        "customerId": customer_id,
        "currency": "EUR",
        "amountMinor": 4250,
        "invoiceId": "inv_1",
        "paymentUrl": PAY_URL,
        **changes,
    }
    return json.dumps(fields).encode()


def account_events(api: LiveApi, customer_id: str) -> list[Any]:
    stream = BillingAccount.id_for(UUID(customer_id))
    return list(api.ledger.repository.event_store.get(stream))


def test_a_signed_notification_is_recorded(api: LiveApi) -> None:
    """A correctly signed invoice.issued answers 200 recorded and opens the account with the
    invoice."""
    bea = customer(api)
    response = send(api, notification(bea))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "recorded"
    kinds = [type(e).__name__ for e in account_events(api, bea)]
    assert kinds == ["Opened", "InvoiceIssued"]


def test_a_retried_delivery_writes_nothing(api: LiveApi) -> None:
    """The same notification delivered again (a retry, or a replay inside the window) answers
    200 duplicate and appends nothing."""
    bea = customer(api)
    body = notification(bea)
    assert send(api, body).json()["status"] == "recorded"
    before = api.quiet_head()
    again = send(api, body)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert api.ledger.head_position() == before


@pytest.mark.parametrize(
    ("signed", "secret"),
    [
        ("sha256=" + "0" * 64, None),
        ("", None),
        (None, "another-secret-of-at-least-32-characters"),
    ],
)
def test_a_bad_signature_is_refused(api: LiveApi, signed: str | None, secret: str | None) -> None:
    """A wrong, missing, or other-secret signature is 401 BAD_SIGNATURE and writes nothing."""
    bea = customer(api)
    before = api.quiet_head()
    kwargs: dict[str, Any] = {"signed": signed}
    if secret is not None:
        kwargs["secret"] = secret
    response = send(api, notification(bea), **kwargs)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "BAD_SIGNATURE"
    assert api.ledger.head_position() == before


def test_a_stale_timestamp_is_refused(api: LiveApi) -> None:
    """A signature made 10 minutes ago (outside the 5-minute window) is 401 STALE_TIMESTAMP,
    however correct it is."""
    bea = customer(api)
    before = api.quiet_head()
    response = send(api, notification(bea), timestamp=int(time.time()) - 600)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "STALE_TIMESTAMP"
    assert api.ledger.head_position() == before


def test_a_body_changed_after_signing_is_refused(api: LiveApi) -> None:
    """The signature of one body does not pass for another (the amount changed)."""
    bea = customer(api)
    stamp = int(time.time())
    good = signature(TEST_PAYMENT_WEBHOOK_SECRET, stamp, notification(bea))
    response = send(api, notification(bea, amountMinor=1), timestamp=stamp, signed=good)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b"\xff\xfe", b"", b"[" * 60_000, b'"just a string"']
)
def test_malformed_json_is_refused(api: LiveApi, body: bytes) -> None:
    """A signed body that is not a JSON object is 400 MALFORMED_JSON."""
    before = api.quiet_head()
    response = send(api, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_JSON"
    assert api.ledger.head_position() == before


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"amountMinor": "42.50"}, "INVALID_INPUT", "amountMinor"),
        ({"amountMinor": 1.5}, "INVALID_INPUT", "amountMinor"),
        ({"amountMinor": True}, "INVALID_INPUT", "amountMinor"),
        ({"amountMinor": -1}, "INVALID_INPUT", "amountMinor"),
        ({"amountMinor": 10**40}, "INVALID_INPUT", "amountMinor"),
        ({"currency": "EURO"}, "INVALID_INPUT", "currency"),
        ({"type": "chargeback"}, "INVALID_INPUT", "type"),
        ({"customerId": "not-a-uuid"}, "INVALID_INPUT", "customerId"),
        ({"customerId": "00000000-0000-0000-0000-000000000007"}, "CUSTOMER_NOT_FOUND", None),
        ({"paymentUrl": "javascript:alert(1)"}, "INVALID_INPUT", "paymentUrl"),
        ({"invoiceId": "x" * 200}, "INVALID_INPUT", "invoiceId"),
        ({"id": None}, "INVALID_INPUT", "id"),
        ({"dueAt": "tomorrow"}, "INVALID_INPUT", "dueAt"),
        ({"dueAt": "2027-01-31T00:00:00"}, "INVALID_INPUT", "dueAt"),
    ],
)
def test_hostile_fields_are_refused_and_nothing_is_written(
    api: LiveApi, changes: dict[str, Any], code: str, field: str | None
) -> None:
    """Each hostile field is a typed 422 naming it; the log does not move."""
    bea = customer(api)
    before = api.quiet_head()
    response = send(api, notification(bea, **changes))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert api.ledger.head_position() == before


def test_an_oversized_body_is_refused(api: LiveApi) -> None:
    """A body over 64 kB is 413 BODY_TOO_LARGE, before its signature is even checked."""
    response = send(api, b"{" + b" " * 70_000 + b"}")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "BODY_TOO_LARGE"


def test_a_refund_beyond_the_payment_is_a_typed_refusal(api: LiveApi) -> None:
    """A domain refusal (REFUND_EXCEEDS_PAYMENT) is 422 with its code, never 500."""
    bea = customer(api)
    common = {"customerId": bea, "currency": "EUR"}
    paid = notify(api, id="e1", type="payment.received", amountMinor=100, paymentId="p1", **common)
    assert paid.status_code == 200
    refund = notify(
        api, id="e2", type="refund.issued", amountMinor=101, paymentId="p1", refundId="r1", **common
    )
    assert refund.status_code == 422
    assert refund.json()["error"]["code"] == "REFUND_EXCEEDS_PAYMENT"
