"""POST /webhooks/orders over real HTTP with real HMAC-SHA256 signatures: a signed delivery
records a fulfilment step; a retried delivery (same Idempotency-Key) writes nothing new; a bad
or missing signature, a stale timestamp, malformed JSON, bad fields and illegal steps are each
a typed 4xx that writes nothing; never a 500."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from infrastructure.delivery.webhooks import signature
from infrastructure.order_webhook import PATH, order_webhook_routes
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

SECRET = "shop-secret-" + "s" * 32
TOLERANCE = 300
INVALID = (422, "INVALID_INPUT")
SHOP_4 = {"orderId": "shop-4"}


@dataclass(frozen=True)
class World:
    api: LiveApi
    customer: str


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with fresh_database(pg_admin) as database, postgres_ledger(database) as ledger:
        routes = order_webhook_routes(SECRET, TOLERANCE, ledger.record_fulfilment)
        with live_api(ledger, database, extra_routes=routes) as api:
            registered = RegisterCustomer("Shop Buyer", "buyer@example.org")
            customer = ledger.register_customer(registered, EventMetadata.system())
            yield World(api, str(customer.aggregate_id))


def post(
    api: LiveApi,
    body: bytes,
    key: str | None = "k-1",
    *,
    secret: str = SECRET,
    stamp: int | None = None,
    signed: str | None = None,
) -> httpx.Response:
    """POST ``body`` signed with ``secret`` at ``stamp`` (now), or with ``signed`` as given."""
    stamp = int(time.time()) if stamp is None else stamp
    headers = {
        "content-type": "application/json",
        "x-cxl-timestamp": str(stamp),
        "x-cxl-signature": signed if signed is not None else signature(secret, stamp, body),
    }
    if key is not None:
        headers["idempotency-key"] = key
    return api.client.post(api.url + PATH, content=body, headers=headers)


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


def placing(order_id: str, customer: str) -> bytes:
    lines = [{"sku": "KETTLE-2", "quantity": 1}]
    return as_json({"orderId": order_id, "step": "placed", "customerId": customer, "lines": lines})


def status_of(api: LiveApi, order_id: str) -> str | None:
    body = api.graphql(
        "query($id: String!, $at: String) { order(id: $id, atLeast: $at) { status } }",
        {"id": order_id, "at": str(api.ledger.head_position())},
        Role.AGENT,
    ).json()
    order = body["data"]["order"]
    return None if order is None else str(order["status"])


def refused(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_a_signed_delivery_records_the_step(world: World) -> None:
    """200 with the order id and position; the order reads as placed, then paid."""
    placed = post(world.api, placing("shop-1", world.customer), key="shop-1-placed")
    assert placed.status_code == 200, placed.text
    assert placed.json()["orderId"] == "shop-1"
    paid = post(world.api, as_json({"orderId": "shop-1", "step": "PAID"}), key="shop-1-paid")
    assert paid.status_code == 200, paid.text
    assert status_of(world.api, "shop-1") == "PAID"


def test_a_retried_delivery_writes_nothing_new(world: World) -> None:
    """The same body and Idempotency-Key again (a retry, or a replay within the window):
    200 and the log does not grow."""
    body = placing("shop-2", world.customer)
    assert post(world.api, body, key="shop-2-placed").status_code == 200
    head = world.api.ledger.head_position()
    again = post(world.api, body, key="shop-2-placed")
    assert again.status_code == 200
    assert world.api.ledger.head_position() == head


def test_the_key_of_one_step_on_another_is_a_conflict(world: World) -> None:
    """409 IDEMPOTENCY_KEY_REUSED, nothing written."""
    assert post(world.api, placing("shop-3", world.customer), key="dup").status_code == 200
    head = world.api.ledger.head_position()
    response = post(world.api, as_json({"orderId": "shop-3", "step": "paid"}), key="dup")
    assert refused(response) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize(
    ("send", "expected"),
    [
        (lambda body: {"secret": "another-secret-" + "x" * 32}, (401, "BAD_SIGNATURE")),
        (lambda body: {"signed": "sha256=" + "0" * 64}, (401, "BAD_SIGNATURE")),
        (lambda body: {"signed": ""}, (401, "MISSING_SIGNATURE")),
        (lambda body: {"stamp": int(time.time()) - TOLERANCE - 60}, (401, "STALE_TIMESTAMP")),
        (lambda body: {"stamp": int(time.time()) + TOLERANCE + 60}, (401, "STALE_TIMESTAMP")),
        (lambda body: {"key": None}, (400, "MISSING_IDEMPOTENCY_KEY")),
    ],
    ids=["wrong-secret", "forged", "unsigned", "stale", "future", "no-key"],
)
def test_an_unauthenticated_or_stale_delivery_is_refused_and_writes_nothing(
    world: World, send: Any, expected: tuple[int, str]
) -> None:
    """Signed with another secret, a forged or missing signature, a timestamp outside the
    window (a replay of an old delivery), or no idempotency key: a typed 4xx, nothing
    written."""
    body = placing("shop-bad", world.customer)
    head = world.api.ledger.head_position()
    assert refused(post(world.api, body, **send(body))) == expected
    assert world.api.ledger.head_position() == head


def test_a_body_changed_after_signing_is_refused(world: World) -> None:
    """The signature covers the body: another order id under the same signature, 401."""
    stamp = int(time.time())
    signed = signature(SECRET, stamp, placing("shop-x", world.customer))
    response = post(world.api, placing("shop-y", world.customer), stamp=stamp, signed=signed)
    assert refused(response) == (401, "BAD_SIGNATURE")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{not json", (400, "MALFORMED_JSON")),
        (b"[1, 2]", (400, "MALFORMED_JSON")),
        (b"\xff\xfe", (400, "MALFORMED_JSON")),
        (b"[" * 100_00 + b"]" * 100_00, (400, "MALFORMED_JSON")),
        (as_json({"orderId": 7, "step": "paid"}), INVALID),
        (as_json({**SHOP_4, "step": "teleported"}), INVALID),
        (as_json({**SHOP_4, "step": "placed", "customerId": "nope"}), INVALID),
        (as_json({**SHOP_4, "step": "placed", "lines": "many"}), INVALID),
        (as_json({**SHOP_4, "step": "paid", "at": "yesterday"}), INVALID),
        (as_json({**SHOP_4, "step": "paid", "at": "2026-01-01T00:00:00"}), INVALID),
        (as_json({**SHOP_4, "step": "paid"}), (404, "ORDER_NOT_FOUND")),
        (b"x" * 70_000, (413, "PAYLOAD_TOO_LARGE")),
    ],
    ids=[
        "broken", "array", "not-utf8", "deep", "order-id-type", "step", "customer-id",
        "lines-type", "at-text", "at-no-zone", "unknown-order", "too-large",
    ],
)  # fmt: skip
def test_a_bad_body_is_a_typed_4xx_that_writes_nothing(
    world: World, body: bytes, expected: tuple[int, str]
) -> None:
    """Malformed JSON, wrong types, an unknown step, customer id or order, a naive time, an
    oversized body (each correctly signed): a typed 4xx, nothing written, never a 500."""
    head = world.api.ledger.head_position()
    assert refused(post(world.api, body, key="bad-body")) == expected
    assert world.api.ledger.head_position() == head


def test_an_illegal_step_is_a_conflict(world: World) -> None:
    """Delivered before shipped: 409 ILLEGAL_TRANSITION, nothing written."""
    assert post(world.api, placing("shop-5", world.customer), key="s5").status_code == 200
    head = world.api.ledger.head_position()
    body = as_json({"orderId": "shop-5", "step": "delivered"})
    assert refused(post(world.api, body, key="s5-d")) == (409, "ILLEGAL_TRANSITION")
    assert world.api.ledger.head_position() == head


def test_a_chunked_body_past_the_limit_is_refused_unread(world: World) -> None:
    """No Content-Length (chunked): reading stops past 64 KiB, 413."""
    stamp = int(time.time())

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 4096

    headers = {
        "x-cxl-timestamp": str(stamp),
        "x-cxl-signature": "sha256=00",
        "idempotency-key": "c",
    }
    response = world.api.client.post(world.api.url + PATH, content=chunks(), headers=headers)
    assert refused(response) == (413, "PAYLOAD_TOO_LARGE")
