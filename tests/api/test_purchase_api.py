"""Purchase mutations over HTTP: given a customer, when staff record orders and refunds, then
the payload and the log say what happened; recording an order again writes nothing; bad input
is a typed user error on its field and writes nothing; only staff may record or refund."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.purchase.model import Purchase
from domain.shared.metadata import Role
from tests.api.helpers import error_codes
from tests.api.helpers import registered as register_with
from tests.api.steps import PURCHASE_FIELDS, errors_of, events_of, mutate, mutate_response
from tests.support.server import LiveApi, module_api

SELECTION = (
    f"{PURCHASE_FIELDS} customer {{ id purchaseSummary {{ count totals {{ currency gross }} }} }}"
    " position userErrors { field code message }"
)
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def registered(api: LiveApi) -> str:
    """A new customer under an email no other test on the shared server uses; its id."""
    return register_with(api, email=f"ada-{uuid4().hex}@example.org")


def order_id_of(customer_id: str) -> str:
    """The order id each test's customer buys under: unique to the test's own customer."""
    return f"WEB-{customer_id}"


def order(customer_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "customerId": customer_id,
        "orderId": order_id_of(customer_id),
        "amount": "25.50",
        "currency": "eur",
        "channel": "WEB",
        "purchasedAt": YESTERDAY,
        "items": [
            {"sku": "TEA-01", "category": "tea", "quantity": 2, "unitPrice": "10.00"},
            {"sku": "CUP-7", "quantity": 1, "unitPrice": "5.50"},
        ],
        **overrides,
    }


def record(api: LiveApi, order_input: dict[str, Any], role: Role = Role.AGENT) -> dict[str, Any]:
    return mutate(api, "recordPurchase", order_input, role=role, selection=SELECTION)


def test_record_purchase_answers_with_the_purchase_and_the_customers_summary(
    api: LiveApi,
) -> None:
    customer_id = registered(api)
    payload = record(api, order(customer_id))
    assert payload["userErrors"] == []
    purchase = payload["purchase"]
    assert purchase["orderId"] == order_id_of(customer_id)
    assert purchase["customerId"] == customer_id
    assert (purchase["amount"], purchase["currency"], purchase["channel"]) == (
        "25.50",
        "EUR",
        "WEB",
    )
    assert (purchase["refunded"], purchase["refundable"]) == ("0.00", "25.50")
    assert purchase["items"][0] == {
        "sku": "TEA-01",
        "category": "tea",
        "quantity": 2,
        "unitPrice": "10.00",
    }
    assert payload["customer"]["purchaseSummary"] == {
        "count": 1,
        "totals": [{"currency": "EUR", "gross": "25.50"}],
    }
    assert int(payload["position"]) == api.ledger.head_position()


def test_record_purchase_appends_one_recorded_event_with_the_request_metadata(
    api: LiveApi,
) -> None:
    customer_id = registered(api)
    head = api.quiet_head()
    record(api, order(customer_id))
    assert api.ledger.head_position() == head + 1
    [event] = events_of(api, Purchase.id_for(order_id_of(customer_id)))
    assert isinstance(event, Purchase.Recorded)
    assert (event.amount_minor, event.currency, event.channel) == (2550, "EUR", "web")
    assert event.metadata.actor_role is Role.AGENT


def test_recording_the_same_order_again_writes_nothing_and_answers_the_same(api: LiveApi) -> None:
    customer_id = registered(api)
    first = record(api, order(customer_id))
    head = api.quiet_head()
    again = record(api, order(customer_id))
    assert again["userErrors"] == []
    assert again["purchase"] == first["purchase"]
    assert api.ledger.head_position() == head


def test_the_same_order_id_with_another_amount_is_refused_as_reused(api: LiveApi) -> None:
    customer_id = registered(api)
    record(api, order(customer_id))
    head = api.quiet_head()
    payload = record(api, order(customer_id, amount="99.00"))
    assert errors_of(payload) == [("ORDER_ID_REUSED", ["input", "orderId"])]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"currency": "XXX"}, ["input", "currency"]),
        ({"currency": "E" * 100_000}, ["input", "currency"]),
        ({"amount": "-5.00"}, ["input", "amount"]),
        ({"amount": "0"}, ["input", "amount"]),
        ({"amount": "1.234"}, ["input", "amount"]),
        ({"amount": "1e999999999"}, ["input", "amount"]),
        ({"amount": "NaN"}, ["input", "amount"]),
        ({"orderId": "no spaces please"}, ["input", "orderId"]),
        ({"orderId": "x" * 10_000}, ["input", "orderId"]),
        ({"purchasedAt": "2999-01-01T00:00:00+00:00"}, ["input", "purchasedAt"]),
        ({"purchasedAt": "2024-01-01T00:00:00"}, ["input", "purchasedAt"]),
        (
            {"items": [{"sku": "A", "quantity": 0, "unitPrice": "1"}]},
            ["input", "items", "quantity"],
        ),
        (
            {"items": [{"sku": "A", "quantity": 1, "unitPrice": "-1"}]},
            ["input", "items", "unitPrice"],
        ),
        (
            {"items": [{"sku": "A", "quantity": 1, "unitPrice": "9e99999"}]},
            ["input", "items", "unitPrice"],
        ),
        ({"items": [{"sku": "?", "quantity": 1, "unitPrice": "1"}]}, ["input", "items", "sku"]),
    ],
)
def test_bad_order_input_is_refused_on_its_field_and_writes_nothing(
    api: LiveApi, change: dict[str, Any], path: list[str]
) -> None:
    customer_id = registered(api)
    head = api.quiet_head()
    payload = record(api, order(customer_id, **change))
    assert payload["purchase"] is None
    assert payload["position"] is None
    [error] = payload["userErrors"]
    assert error["field"] == path
    assert error["code"] == "INVALID_INPUT"
    assert api.ledger.head_position() == head


def test_order_of_an_unknown_customer_is_refused_on_the_customer_id_field(api: LiveApi) -> None:
    head = api.quiet_head()
    payload = record(api, order(str(uuid4())))
    assert errors_of(payload) == [("CUSTOMER_NOT_FOUND", ["input", "customerId"])]
    assert api.ledger.head_position() == head


def test_refund_of_part_then_the_rest_leaves_nothing_to_refund(api: LiveApi) -> None:
    customer_id = registered(api)
    record(api, order(customer_id))
    part = mutate(
        api,
        "refundPurchase",
        {"orderId": order_id_of(customer_id), "amount": "5.50"},
        selection=SELECTION,
    )
    assert part["userErrors"] == []
    assert (part["purchase"]["refunded"], part["purchase"]["refundable"]) == ("5.50", "20.00")
    rest = mutate(api, "refundPurchase", {"orderId": order_id_of(customer_id)}, selection=SELECTION)
    assert (rest["purchase"]["refunded"], rest["purchase"]["refundable"]) == ("25.50", "0.00")
    refunds = [
        e.amount_minor for e in events_of(api, Purchase.id_for(order_id_of(customer_id)))[1:]
    ]
    assert refunds == [550, 2000]


def test_refund_larger_than_what_is_left_is_refused_and_writes_nothing(api: LiveApi) -> None:
    customer_id = registered(api)
    record(api, order(customer_id))
    head = api.quiet_head()
    payload = mutate(
        api,
        "refundPurchase",
        {"orderId": order_id_of(customer_id), "amount": "25.51"},
        selection=SELECTION,
    )
    assert errors_of(payload) == [("REFUND_EXCEEDS_PURCHASE", ["input", "amount"])]
    assert api.ledger.head_position() == head


def test_refund_of_an_unknown_order_is_refused_on_the_order_id_field(api: LiveApi) -> None:
    payload = mutate(api, "refundPurchase", {"orderId": "NOPE-1"}, selection=SELECTION)
    assert errors_of(payload) == [("PURCHASE_NOT_FOUND", ["input", "orderId"])]


@pytest.mark.parametrize(
    "role", [None, Role.CUSTOMER, Role.ANALYST, Role.AUDITOR, Role.PRIVACY_OFFICER], ids=str
)
def test_only_staff_may_record_or_refund_purchases(api: LiveApi, role: Role | None) -> None:
    customer_id = registered(api)
    head = api.quiet_head()
    recorded = mutate_response(api, "recordPurchase", order(customer_id), role, customer_id)
    refunded = mutate_response(
        api, "refundPurchase", {"orderId": order_id_of(customer_id)}, role, customer_id
    )
    assert error_codes(recorded) == error_codes(refunded) == ["FORBIDDEN"]
    assert api.ledger.head_position() == head
