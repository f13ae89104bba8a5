"""recordFulfilment and order(id) over HTTP (004#7): staff record an order's steps (placed,
paid, packed, shipped with carrier and tracking number, delivered, returned); a step that does
not follow the current one is refused; the customer who owns the order and staff read its
status, lines, timeline and estimated delivery; anyone else reads null; bad input is a typed
refusal that writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from tests.api.steps import mutate
from tests.support.server import LiveApi, module_api

ORDER = (
    "id customerId status lines { sku quantity } timeline { step at carrier trackingNumber }"
    " carrier trackingNumber estimatedDelivery placedAt"
)
PAYLOAD = f"order {{ {ORDER} }} position userErrors {{ field code message }}"
SHIPPED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    api: LiveApi
    owner: str
    other: str


def customer(api: LiveApi, name: str) -> str:
    email = f"{name.lower()}{api.ledger.head_position()}@example.org"
    registered = RegisterCustomer(name, email)
    return str(api.ledger.register_customer(registered, EventMetadata.system()).aggregate_id)


def record(api: LiveApi, order_id: str, step: str, **fields: Any) -> dict[str, Any]:
    given = {"orderId": order_id, "step": step, **fields}
    return mutate(api, "recordFulfilment", given, Role.AGENT, "agent-1", PAYLOAD)


def place(api: LiveApi, order_id: str, owner: str, **fields: Any) -> dict[str, Any]:
    lines = [{"sku": "KETTLE-2", "quantity": 1}, {"sku": "MUG-1", "quantity": 2}]
    at = (SHIPPED_AT - timedelta(days=2)).isoformat()
    return record(api, order_id, "PLACED", customerId=owner, lines=lines, at=at, **fields)


def read(api: LiveApi, order_id: str, role: Role, subject: str) -> dict[str, Any] | None:
    body = api.graphql(
        f"query($id: String!, $at: String) {{ order(id: $id, atLeast: $at) {{ {ORDER} }} }}",
        {"id": order_id, "at": str(api.ledger.head_position())},
        role,
        subject,
    ).json()
    assert "errors" not in body, body
    found: dict[str, Any] | None = body["data"]["order"]
    return found


def shipped(api: LiveApi, order_id: str, owner: str) -> dict[str, Any]:
    """An order placed, paid, packed and shipped with DHL."""
    place(api, order_id, owner)
    for step, days in (("PAID", -1.5), ("PACKED", -0.5)):
        record(api, order_id, step, at=(SHIPPED_AT + timedelta(days=days)).isoformat())
    return record(
        api, order_id, "SHIPPED", at=SHIPPED_AT.isoformat(), carrier="DHL",
        trackingNumber="JD0146000039",
    )  # fmt: skip


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with module_api(pg_admin) as api:
        yield World(api, customer(api, "Owner"), customer(api, "Other"))


def test_a_shipped_order_shows_its_timeline_and_estimated_delivery(world: World) -> None:
    """Four steps in order; carrier and tracking number; estimate: shipped + DHL's 2 days."""
    payload = shipped(world.api, "track-1", world.owner)
    assert payload["userErrors"] == [], payload
    order = payload["order"]
    assert order["status"] == "SHIPPED"
    assert [s["step"] for s in order["timeline"]] == ["PLACED", "PAID", "PACKED", "SHIPPED"]
    assert (order["carrier"], order["trackingNumber"]) == ("dhl", "JD0146000039")
    assert order["lines"] == [{"sku": "KETTLE-2", "quantity": 1}, {"sku": "MUG-1", "quantity": 2}]
    expected = SHIPPED_AT + timedelta(days=2)
    assert datetime.fromisoformat(order["estimatedDelivery"]) == expected


def test_delivered_then_returned_and_no_estimate_after_delivery(world: World) -> None:
    """Delivered: no estimate any more; returned follows delivered."""
    shipped(world.api, "track-2", world.owner)
    delivered = record(world.api, "track-2", "DELIVERED")["order"]
    assert (delivered["status"], delivered["estimatedDelivery"]) == ("DELIVERED", None)
    returned = record(world.api, "track-2", "RETURNED")["order"]
    assert returned["status"] == "RETURNED" and len(returned["timeline"]) == 6


@pytest.mark.parametrize(
    ("steps", "step"),
    [
        ((), "PACKED"),
        (("PAID",), "SHIPPED"),
        (("PAID",), "PAID"),
        (("PAID", "PACKED"), "RETURNED"),
        (("PAID", "PACKED"), "PAID"),
    ],
)
def test_a_step_that_does_not_follow_is_refused_and_writes_nothing(
    world: World, steps: tuple[str, ...], step: str
) -> None:
    """Skipping, repeating an older step or going back: ILLEGAL_TRANSITION, nothing written."""
    order_id = f"illegal-{len(steps)}-{step}-{world.api.ledger.head_position()}"
    place(world.api, order_id, world.owner)
    for earlier in steps:
        record(world.api, order_id, earlier)
    head = world.api.ledger.head_position()
    shipment = {"carrier": "dhl", "trackingNumber": "JD0146000039"} if step == "SHIPPED" else {}
    payload = record(world.api, order_id, step, **shipment)
    if step == (steps[-1] if steps else "PLACED"):
        # the step the order is at, again: a repeated click, answered the same
        assert payload["userErrors"] == []
    else:
        assert [e["code"] for e in payload["userErrors"]] == ["ILLEGAL_TRANSITION"]
    assert world.api.ledger.head_position() == head


def test_placing_an_order_twice_for_another_customer_is_refused(world: World) -> None:
    """The same order id with another customer: ILLEGAL_TRANSITION, nothing written."""
    place(world.api, "twice-1", world.owner)
    head = world.api.ledger.head_position()
    payload = place(world.api, "twice-1", world.other)
    assert [e["code"] for e in payload["userErrors"]] == ["ILLEGAL_TRANSITION"]
    assert world.api.ledger.head_position() == head


def test_a_step_of_an_order_never_placed_is_not_found(world: World) -> None:
    """ORDER_NOT_FOUND, nothing written."""
    head = world.api.ledger.head_position()
    payload = record(world.api, "never-placed", "PAID")
    assert [e["code"] for e in payload["userErrors"]] == ["ORDER_NOT_FOUND"]
    assert world.api.ledger.head_position() == head


def test_the_same_idempotency_key_writes_nothing_and_another_step_with_it_is_refused(
    world: World,
) -> None:
    """Retried with its key: the same answer, no event; the key on another step:
    IDEMPOTENCY_KEY_REUSED."""
    place(world.api, "keyed-1", world.owner)
    first = record(world.api, "keyed-1", "PAID", idempotencyKey="delivery-77")
    head = world.api.ledger.head_position()
    again = record(world.api, "keyed-1", "PAID", idempotencyKey="delivery-77")
    assert again["userErrors"] == [] and again["order"]["status"] == first["order"]["status"]
    assert world.api.ledger.head_position() == head
    reused = record(world.api, "keyed-1", "PACKED", idempotencyKey="delivery-77")
    assert [e["code"] for e in reused["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert world.api.ledger.head_position() == head


def test_the_owner_and_staff_read_the_order_and_another_customer_reads_null(
    world: World,
) -> None:
    """Owner: the order; agent: the order; another customer: null, as for an unknown id."""
    shipped(world.api, "read-1", world.owner)
    mine = read(world.api, "read-1", Role.CUSTOMER, world.owner)
    assert mine is not None and mine["trackingNumber"] == "JD0146000039"
    assert read(world.api, "read-1", Role.AGENT, "agent-1") is not None
    assert read(world.api, "read-1", Role.CUSTOMER, world.other) is None
    assert read(world.api, "x" * 500, Role.AGENT, "agent-1") is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "A", "quantity": 1}] * 501}, "lines"),
        ({"lines": [{"sku": "bad sku", "quantity": 1}]}, "lines.sku"),
        ({"lines": [{"sku": "A", "quantity": 0}]}, "lines.quantity"),
        ({"lines": [{"sku": "A", "quantity": 100_001}]}, "lines.quantity"),
        ({"customerId": None}, "customerId"),
        ({"customerId": "00000000-0000-4000-8000-000000000000"}, "customerId"),
        ({"at": "2999-01-01T00:00:00+00:00"}, "at"),
        ({"at": "1999-12-31T00:00:00+00:00"}, "at"),
        ({"carrier": "dhl"}, "carrier"),
        ({"orderId": "has space"}, "orderId"),
        ({"orderId": "o" * 129}, "orderId"),
        ({"idempotencyKey": "key with space"}, "idempotencyKey"),
    ],
)
def test_bad_placing_is_a_typed_error_that_writes_nothing(
    world: World, fields: dict[str, Any], field: str
) -> None:
    """Lines missing, too many or malformed, no or unknown customer, implausible time, a
    carrier on placing, a malformed order id or key: a typed error on that field, nothing
    written, never a 500."""
    given = {
        "orderId": f"bad-{world.api.ledger.head_position()}",
        "step": "PLACED",
        "customerId": world.owner,
        "lines": [{"sku": "A", "quantity": 1}],
        **fields,
    }
    head = world.api.ledger.head_position()
    payload = mutate(world.api, "recordFulfilment", given, Role.AGENT, "agent-1", PAYLOAD)
    assert payload["order"] is None and payload["position"] is None
    [error] = payload["userErrors"]
    assert error["field"] == ["input", *field.split(".")], payload
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "carrier"),
        ({"carrier": "dhl"}, "trackingNumber"),
        ({"carrier": "Deutsche Post!", "trackingNumber": "JD0146000039"}, "carrier"),
        ({"carrier": "dhl", "trackingNumber": "x"}, "trackingNumber"),
        ({"carrier": "dhl", "trackingNumber": "JD01<script>"}, "trackingNumber"),
        ({"carrier": "dhl", "trackingNumber": "JD0146000039", "at": "2001-01-01T00:00:00Z"}, "at"),
    ],
)
def test_a_bad_shipment_is_a_typed_error_that_writes_nothing(
    world: World, fields: dict[str, Any], field: str
) -> None:
    """No carrier or tracking number, malformed ones, or a time before the previous step:
    INVALID_INPUT on that field, nothing written."""
    order_id = f"ship-{world.api.ledger.head_position()}"
    place(world.api, order_id, world.owner)
    record(world.api, order_id, "PAID")
    record(world.api, order_id, "PACKED")
    head = world.api.ledger.head_position()
    payload = record(world.api, order_id, "SHIPPED", **fields)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["input", field])
    ]
    assert world.api.ledger.head_position() == head


def test_the_owners_data_export_holds_their_orders_and_steps(world: World) -> None:
    """exportCustomerData (right of access): the tracked order and its timeline."""
    shipped(world.api, "export-1", world.owner)
    body = world.api.graphql(
        "mutation($i: ExportCustomerDataInput!) { exportCustomerData(input: $i)"
        " { document userErrors { code } } }",
        {"i": {"customerId": world.owner, "reason": "access request #8"}},
        Role.PRIVACY_OFFICER,
        "po-1",
    ).json()
    rows = body["data"]["exportCustomerData"]["document"]["sections"]["read_models"]
    orders = rows["order_tracking"]
    assert "export-1" in {o["order_id"] for o in orders["tracked_orders"]}
    steps = [s for s in orders["tracked_order_steps"] if s["order_id"] == "export-1"]
    assert [s["step"] for s in steps] == ["placed", "paid", "packed", "shipped"]
