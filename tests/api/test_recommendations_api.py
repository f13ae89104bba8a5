"""Recommendations over HTTP: a customer reads their own, explained; `first` is bounded with
a typed error that writes nothing; an unknown customer reads as null. One server for the
module; each test buys its own products."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import EventMetadata, Role
from tests.api.helpers import assert_no_internals, error_codes
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

RECOMMENDATIONS = """
query($c: UUID!, $first: Int) {
  recommendations(customerId: $c, first: $first) {
    sku category score explanation boughtWith customers aspectScore
  }
}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database) as running,
    ):
        yield running


def customer_who_bought(api: LiveApi, *skus: str) -> str:
    system = EventMetadata.system()
    email = f"{uuid4().hex[:12]}@example.org"
    customer = api.ledger.register_customer(RegisterCustomer("Buyer", email), system).aggregate_id
    lines = [OrderLineInput(sku, 1, "10", "kitchen") for sku in skus]
    order = RecordPurchase(customer, uuid4().hex, str(10 * len(skus)), "EUR",
                           PurchaseChannel.WEB, datetime.now(UTC), lines)  # fmt: skip
    api.ledger.record_purchase(order, system)
    return str(customer)


def ask(api: LiveApi, customer: str, first: int | None, role: Role, **who: Any) -> dict[str, Any]:
    response = api.graphql(RECOMMENDATIONS, {"c": customer, "first": first}, role=role, **who)
    assert response.status_code == 200, response.text
    assert_no_internals(response)
    body: dict[str, Any] = response.json()
    return body


def test_a_customer_reads_their_own_recommendations_explained(api: LiveApi) -> None:
    kettle, tea = f"KETTLE-{uuid4().hex[:6]}", f"TEA-{uuid4().hex[:6]}"
    ada = customer_who_bought(api, kettle)
    for _ in range(3):
        customer_who_bought(api, kettle, tea)
    api.caught_up()

    body = ask(api, ada, None, Role.CUSTOMER, subject=ada)

    assert "errors" not in body, body
    assert body["data"]["recommendations"] == [
        {
            "sku": tea,
            "category": "kitchen",
            "score": round(3 / (4 * 3) ** 0.5, 6),
            "explanation": f"bought with {kettle} by 3 customers",
            "boughtWith": kettle,
            "customers": 3,
            "aspectScore": None,
        }
    ]


@pytest.mark.parametrize("first", [0, -1, 21, 2**31 - 1])
def test_first_outside_1_to_20_is_bad_page_size_and_writes_nothing(
    api: LiveApi, first: int
) -> None:
    ada = customer_who_bought(api, "KETTLE-B")
    api.caught_up()
    head = api.quiet_head()

    body = ask(api, ada, first, Role.AGENT)

    assert error_codes(body) == ["BAD_PAGE_SIZE"]
    assert body["data"] == {"recommendations": None}
    assert api.ledger.head_position() == head


def test_twenty_is_accepted_and_the_default_is_five(api: LiveApi) -> None:
    """A customer with 7 candidates gets 5 by default, 7 when asking for up to 20."""
    anchor = f"BASE-{uuid4().hex[:6]}"
    others = [f"P{i}-{uuid4().hex[:6]}" for i in range(7)]
    ada = customer_who_bought(api, anchor)
    for _ in range(2):
        customer_who_bought(api, anchor, *others)
    api.caught_up()

    default = ask(api, ada, None, Role.ANALYST)["data"]["recommendations"]
    most = ask(api, ada, 20, Role.ANALYST)["data"]["recommendations"]

    assert len(default) == 5 and len(most) == 7
    assert [r["sku"] for r in most] == sorted(others)  # equal scores: by sku
    assert most[:5] == default


def test_an_unknown_customer_reads_as_null(api: LiveApi) -> None:
    body = ask(api, str(uuid4()), 3, Role.AGENT)

    assert "errors" not in body, body
    assert body["data"]["recommendations"] is None
