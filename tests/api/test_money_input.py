"""Issue 16: money accepted Arabic-Indic and fullwidth digits, "1_000", "+5", ".5" and "1e3".
Over HTTP, every money input (order total, unit price, refund, referral qualifying amount)
takes only plain decimal text: anything else is INVALID_INPUT on its field and writes nothing;
a JSON number is not text and is refused before anything runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.shared.metadata import Role
from tests.api.helpers import registered
from tests.api.steps import mutate
from tests.support.server import LiveApi, module_api

NOT_PLAIN = ["\u0661\u0660", "\uff11\uff10", "1_000", "+5", ".5", "1e3", "5.", "-5", "1,000"]
SELECTION = "purchase { amount } position userErrors { field code }"
TERMS = "terms { qualifyingAmount } position userErrors { field code }"
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def an_order(api: LiveApi, **fields: Any) -> dict[str, Any]:
    customer_id = registered(api, email=f"{uuid4().hex}@example.org")
    return {
        "customerId": customer_id,
        "orderId": f"O-{uuid4().hex}",
        "amount": "10",
        "currency": "EUR",
        "channel": "WEB",
        "purchasedAt": YESTERDAY,
        **fields,
    }


def refused_on(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


@pytest.mark.parametrize("amount", NOT_PLAIN)
def test_an_order_total_that_is_not_plain_decimal_text_is_refused(
    api: LiveApi, amount: str
) -> None:
    order = an_order(api, amount=amount)
    head = api.quiet_head()
    payload = mutate(api, "recordPurchase", order, selection=SELECTION)
    assert refused_on(payload) == [("INVALID_INPUT", ["input", "amount"])]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize("price", NOT_PLAIN)
def test_a_unit_price_that_is_not_plain_decimal_text_is_refused(api: LiveApi, price: str) -> None:
    order = an_order(api, items=[{"sku": "TEA-01", "quantity": 1, "unitPrice": price}])
    head = api.quiet_head()
    payload = mutate(api, "recordPurchase", order, selection=SELECTION)
    assert refused_on(payload) == [("INVALID_INPUT", ["input", "items", "unitPrice"])]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize("amount", NOT_PLAIN)
def test_a_refund_that_is_not_plain_decimal_text_is_refused(api: LiveApi, amount: str) -> None:
    order = an_order(api)
    assert mutate(api, "recordPurchase", order, selection=SELECTION)["userErrors"] == []
    head = api.quiet_head()
    refund = {"orderId": order["orderId"], "amount": amount}
    payload = mutate(api, "refundPurchase", refund, selection=SELECTION)
    assert refused_on(payload) == [("INVALID_INPUT", ["input", "amount"])]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize("amount", NOT_PLAIN)
def test_a_qualifying_amount_that_is_not_plain_decimal_text_is_refused(
    api: LiveApi, amount: str
) -> None:
    head = api.quiet_head()
    terms = {"qualifyingAmount": amount}
    payload = mutate(api, "changeReferralTerms", terms, role=Role.ADMIN, selection=TERMS)
    assert refused_on(payload) == [("INVALID_INPUT", ["input", "qualifyingAmount"])]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize("amount", ["10", "12.50", "0012.5"])
def test_plain_decimal_text_is_accepted(api: LiveApi, amount: str) -> None:
    payload = mutate(api, "recordPurchase", an_order(api, amount=amount), selection=SELECTION)
    assert payload["userErrors"] == []
    assert payload["purchase"]["amount"] == f"{float(amount):.2f}"


@pytest.mark.parametrize("amount", [10, 12.5, True])
def test_an_amount_sent_as_a_json_number_is_refused_before_anything_runs(
    api: LiveApi, amount: object
) -> None:
    document = "mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { position } }"
    order = an_order(api, amount=amount)
    head = api.quiet_head()
    response = api.graphql(document, {"i": order}, role=Role.AGENT)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "string" in error["message"]
    assert api.ledger.head_position() == head
