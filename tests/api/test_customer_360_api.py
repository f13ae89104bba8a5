"""Customer 360 over HTTP: given a few commands on a customer, the customer query shows their
profile, preferences, consents (with history), purchases and onboarding; personal parts only
to those who may see them; `customers` filters as asked, and only some roles may search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.shared.metadata import Role
from tests.api.helpers import error_codes, registered
from tests.api.steps import mutate, read_customer
from tests.support.server import LiveApi, module_api

FULL = """
address { city country } language birthYear
preferences { channel optedIn changedAt }
consents { purpose given changedAt }
consentHistory { purpose given actorId actorRole channel position }
purchaseSummary {
  count frequency recencyDays firstPurchaseAt lastPurchaseAt channels
  totals { currency purchases gross refunded net }
}
onboarding { state steps { step completedAt } }
"""
LIST = """
query L($filter: CustomerFilter, $first: Int!, $after: String) {
  customers(filter: $filter, first: $first, after: $after) {
    totalCount edges { node { id email purchaseSummary { count } onboarding { state } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    """One server for the module: each test makes its own customers (unique emails and order
    ids) and looks in a list only at the customers it made, or counts as a difference."""
    with module_api(pg_admin) as running:
        yield running


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex}"


def unique_email(local: str) -> str:
    # Unique by domain, so that the local part still starts as a search by prefix expects.
    return f"{local}@{uuid4().hex}.example.org"


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def buy(api: LiveApi, customer_id: str, order_id: str, amount: str, **more: Any) -> None:
    purchase = {
        "customerId": customer_id,
        "orderId": order_id,
        "amount": amount,
        "currency": "EUR",
        "channel": "WEB",
        "purchasedAt": days_ago(3),
        **more,
    }
    assert mutate(api, "recordPurchase", purchase)["userErrors"] == []


def a_known_customer(api: LiveApi) -> str:
    """A customer after a handful of commands from an agent and from themself."""
    customer_id = registered(api, email=unique_email("ada"))
    first, second, third = unique("A-1"), unique("A-2"), unique("A-3")
    address = {"line1": "1 Main St", "city": "Leeds", "country": "GB"}
    mutate(api, "changeAddress", {"customerId": customer_id, "address": address})
    mutate(
        api, "changeDemographics", {"customerId": customer_id, "language": "en", "birthYear": 1980}
    )
    mutate(api, "setContactPreferences", {"customerId": customer_id, "email": True, "sms": False})
    mutate(
        api,
        "giveConsent",
        {"customerId": customer_id, "purpose": "RESEARCH"},
        role=Role.CUSTOMER,
        subject=customer_id,
    )
    mutate(api, "withdrawConsent", {"customerId": customer_id, "purpose": "RESEARCH"})
    mutate(api, "completeOnboardingStep", {"customerId": customer_id, "step": "profile_completed"})
    buy(api, customer_id, first, "10.00", purchasedAt=days_ago(10))
    buy(api, customer_id, second, "5.25", channel="STORE")
    buy(api, customer_id, third, "1000", currency="JPY")
    assert mutate(api, "refundPurchase", {"orderId": first, "amount": "2.50"})["userErrors"] == []
    return customer_id


def test_customer_360_shows_profile_preferences_consents_purchases_and_onboarding(
    api: LiveApi,
) -> None:
    customer_id = a_known_customer(api)
    customer = read_customer(api, customer_id, FULL)
    assert customer["address"] == {"city": "Leeds", "country": "GB"}
    assert (customer["language"], customer["birthYear"]) == ("en", 1980)
    assert [(p["channel"], p["optedIn"]) for p in customer["preferences"]] == [
        ("EMAIL", True),
        ("SMS", False),
    ]
    assert [(c["purpose"], c["given"]) for c in customer["consents"]] == [("RESEARCH", False)]
    summary = customer["purchaseSummary"]
    assert (summary["count"], summary["frequency"], summary["recencyDays"]) == (3, 3, 3)
    assert sorted(summary["channels"]) == ["STORE", "WEB"]
    assert summary["totals"] == [
        {"currency": "EUR", "purchases": 2, "gross": "15.25", "refunded": "2.50", "net": "12.75"},
        {"currency": "JPY", "purchases": 1, "gross": "1000", "refunded": "0", "net": "1000"},
    ]
    assert customer["onboarding"]["state"] == "IN_PROGRESS"
    assert [s["step"] for s in customer["onboarding"]["steps"]] == ["profile_completed"]


def test_consent_history_says_who_changed_what_through_which_channel(api: LiveApi) -> None:
    customer_id = a_known_customer(api)
    history = read_customer(api, customer_id, FULL)["consentHistory"]
    assert [(h["purpose"], h["given"], h["actorId"], h["actorRole"]) for h in history] == [
        ("RESEARCH", True, customer_id, "customer"),
        ("RESEARCH", False, "agent-1", "agent"),
    ]
    assert {h["channel"] for h in history} == {"api"}
    assert int(history[0]["position"]) < int(history[1]["position"])


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR], ids=str)
def test_readers_without_personal_data_see_360_figures_but_no_address_or_actor_ids(
    api: LiveApi, role: Role
) -> None:
    customer_id = a_known_customer(api)
    customer = read_customer(api, customer_id, f"email {FULL}", role=role)
    assert customer["email"] is None
    assert customer["address"] is None
    assert [h["actorId"] for h in customer["consentHistory"]] == [None, None]
    assert [h["actorRole"] for h in customer["consentHistory"]] == ["customer", "agent"]
    assert customer["purchaseSummary"]["count"] == 3


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.CUSTOMER], ids=str)
def test_privacy_officers_and_the_customer_see_the_actor_ids(api: LiveApi, role: Role) -> None:
    customer_id = a_known_customer(api)
    customer = read_customer(api, customer_id, FULL, role=role, subject=customer_id)
    assert [h["actorId"] for h in customer["consentHistory"]] == [customer_id, "agent-1"]
    assert customer["address"] == {"city": "Leeds", "country": "GB"}


def test_customer_without_any_activity_has_empty_360_parts(api: LiveApi) -> None:
    customer = read_customer(api, registered(api, email=unique_email("ada")), FULL)
    assert customer["address"] is None
    assert customer["preferences"] == customer["consents"] == customer["consentHistory"] == []
    assert customer["purchaseSummary"]["count"] == 0
    assert customer["purchaseSummary"]["totals"] == []
    assert customer["purchaseSummary"]["recencyDays"] is None
    assert customer["onboarding"] == {"state": "NOT_STARTED", "steps": []}


def list_customers(
    api: LiveApi,
    conditions: dict[str, Any],
    role: Role = Role.AGENT,
    after: str | None = None,
) -> dict[str, Any]:
    response = api.graphql(LIST, {"filter": conditions, "first": 50, "after": after}, role=role)
    body: dict[str, Any] = response.json()
    return body


def listed(
    api: LiveApi, conditions: dict[str, Any], role: Role = Role.AGENT
) -> list[dict[str, Any]]:
    """Every customer the filter lists, page after page, in list order."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        body = list_customers(api, conditions, role, after)
        assert "errors" not in body, body
        connection = body["data"]["customers"]
        nodes.extend(edge["node"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


def ids_of(nodes: list[dict[str, Any]], *among: str) -> list[str]:
    """The ids listed, in list order; only those in ``among`` (this test's customers)."""
    return [node["id"] for node in nodes if node["id"] in among]


def three_customers(api: LiveApi) -> tuple[str, str, str]:
    ada = registered(api, name="Ada Lovelace", email=unique_email("ada"))
    grace = registered(api, name="Grace Hopper", email=unique_email("grace"))
    alan = registered(api, name="Alan Turing", email=unique_email("alan"))
    mutate(api, "changeDemographics", {"customerId": grace, "region": "US"})
    buy(api, ada, unique("B-1"), "3.00", channel="STORE", purchasedAt=days_ago(40))
    buy(api, grace, unique("B-2"), "4.00", purchasedAt=days_ago(2))
    mutate(api, "completeOnboardingStep", {"customerId": alan, "step": "app_installed"})
    return ada, grace, alan


def test_customers_are_filtered_by_region_channel_purchase_time_and_onboarding(
    api: LiveApi,
) -> None:
    both = {"region": "US", "channel": "STORE"}
    before = list_customers(api, both)["data"]["customers"]["totalCount"]
    ours = three_customers(api)
    ada, grace, alan = ours
    assert ids_of(listed(api, {"region": "US"}), *ours) == [grace]
    assert ids_of(listed(api, {"channel": "STORE"}), *ours) == [ada]
    assert ids_of(listed(api, {"lastPurchaseBefore": days_ago(30)}), *ours) == [ada]
    assert ids_of(listed(api, {"lastPurchaseAfter": days_ago(30)}), *ours) == [grace]
    assert ids_of(listed(api, {"onboarding": "IN_PROGRESS"}), *ours) == [alan]
    assert ids_of(listed(api, both), *ours) == []
    body = list_customers(api, both)
    assert body["data"]["customers"]["totalCount"] == before


def test_list_nodes_answer_their_own_360_parts(api: LiveApi) -> None:
    ada, grace, alan = three_customers(api)
    nodes = {node["id"]: node for node in listed(api, {})}
    assert nodes[ada]["purchaseSummary"] == {"count": 1}
    assert nodes[grace]["purchaseSummary"] == {"count": 1}
    assert nodes[alan]["purchaseSummary"] == {"count": 0}
    assert nodes[alan]["onboarding"] == {"state": "IN_PROGRESS"}


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN, Role.PRIVACY_OFFICER], ids=str)
def test_staff_and_privacy_officers_search_by_name_or_email_prefix(
    api: LiveApi, role: Role
) -> None:
    ours = three_customers(api)
    ada, grace, alan = ours
    assert ids_of(listed(api, {"search": "a"}, role=role), *ours) == [ada, alan]
    assert ids_of(listed(api, {"search": "GRACE@"}, role=role), *ours) == [grace]
    assert listed(api, {"search": "%"}, role=role) == []


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR], ids=str)
def test_search_is_forbidden_to_readers_who_may_not_see_personal_data(
    api: LiveApi, role: Role
) -> None:
    three_customers(api)
    body = list_customers(api, {"search": "Ada"}, role=role)
    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize("text", ["\x00", "a" * 201, ""])
def test_filter_text_that_is_empty_huge_or_holds_nul_is_refused_as_invalid_input(
    api: LiveApi, text: str
) -> None:
    body = list_customers(api, {"region": text})
    assert error_codes(body) == ["INVALID_INPUT"]
