"""Points past 32 bits over HTTP: the domain accepts a purchase of 3,000,000,000.00 EUR, and at
one point per euro it earns 3,000,000,000 points, more than GraphQL's Int holds (2,147,483,647).
The account (balance, lifetime and qualifying points, transactions, what expires, tier history,
the balance as of a moment) and the program's metrics, whose sums over every member pass 32
bits sooner, answer with the exact numbers and no error."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from domain.shared.metadata import Role
from tests.api.loyalty_steps import AGENT, RULE_PAYLOAD, admin, member
from tests.api.steps import mutate
from tests.support.server import LiveApi

INT_MAX = 2**31 - 1
BIG = 3_000_000_000
SMALLER = 2_000_000_000
"""Below Int's limit on one account; with BIG, the program's sum is far past it."""
ACCOUNT = """
query A($id: UUID!, $at: DateTime!) {
  loyaltyAccount(customerId: $id) {
    qualifyingPoints pointsEarned pointsRedeemed pointsExpired tier
    balance { spendable pending }
    balanceAsOf(at: $at) { spendable pending }
    nextExpiry { points }
    upcomingExpiries { points }
    transactions(first: 5) { edges { node { kind points unrecovered } } }
    tierHistory { toTier qualifyingPoints }
  }
}
"""
METRICS = """
query M($at: DateTime!) {
  loyaltyProgramMetrics(at: $at) {
    customers members activeMembers pointsEarned pointsRedeemed pointsLiability
  }
}
"""


def purchase(api: LiveApi, customer_id: str, order_id: str, amount: str) -> None:
    fields = {
        "customerId": customer_id,
        "orderId": order_id,
        "amount": amount,
        "currency": "EUR",
        "channel": "WEB",
        "purchasedAt": datetime.now(UTC).isoformat(),
    }
    assert mutate(api, "recordPurchase", fields)["userErrors"] == []


def read(api: LiveApi, query: str, **variables: Any) -> dict[str, Any]:
    response = api.graphql(query, variables, role=Role.AGENT, subject=AGENT)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def account_once_earned(api: LiveApi, customer_id: str, points: int) -> dict[str, Any]:
    """The whole response body once the account shows ``points`` pending (the process manager
    earns them behind the request), or the last one read after a generous deadline."""
    deadline = time.monotonic() + 20
    while True:
        now = datetime.now(UTC).isoformat()
        body = read(api, ACCOUNT, id=customer_id, at=now)
        found = (body.get("data") or {}).get("loyaltyAccount") or {}
        if found.get("balance", {}).get("pending") == points or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_a_member_earning_three_billion_points_reads_them_exactly(api: LiveApi) -> None:
    rule = {"name": "One point per euro", "kind": "BASE_RATE", "pointsPerUnit": 1}
    assert admin(api, "defineEarningRule", rule, RULE_PAYLOAD)["userErrors"] == []
    customer_id = member(api)
    purchase(api, customer_id, "ORDER-BIG-1", "3000000000.00")

    body = account_once_earned(api, customer_id, BIG)

    assert "errors" not in body, body
    account = body["data"]["loyaltyAccount"]
    assert account["balance"] == {"spendable": 0, "pending": BIG}
    assert account["balanceAsOf"] == {"spendable": 0, "pending": BIG}
    assert (account["pointsEarned"], account["qualifyingPoints"]) == (BIG, BIG)
    assert (account["pointsRedeemed"], account["pointsExpired"]) == (0, 0)
    assert account["nextExpiry"] == {"points": BIG}
    assert account["upcomingExpiries"] == [{"points": BIG}]
    transactions = [edge["node"] for edge in account["transactions"]["edges"]]
    assert transactions == [{"kind": "EARNED", "points": BIG, "unrecovered": 0}]
    assert account["tier"] == "GOLD"
    assert account["tierHistory"][0] == {"toTier": "GOLD", "qualifyingPoints": BIG}


def test_the_programs_metrics_sum_every_members_points_past_32_bits(api: LiveApi) -> None:
    rule = {"name": "One point per euro", "kind": "BASE_RATE", "pointsPerUnit": 1}
    assert admin(api, "defineEarningRule", rule, RULE_PAYLOAD)["userErrors"] == []
    big, smaller = member(api), member(api)
    purchase(api, big, "ORDER-BIG-2", "3000000000.00")
    purchase(api, smaller, "ORDER-SMALLER-1", "2000000000.00")
    assert "errors" not in account_once_earned(api, big, BIG)
    smaller_body = account_once_earned(api, smaller, SMALLER)
    assert smaller_body["data"]["loyaltyAccount"]["pointsEarned"] == SMALLER <= INT_MAX

    body = read(api, METRICS, at=datetime.now(UTC).isoformat())

    assert "errors" not in body, body
    metrics = body["data"]["loyaltyProgramMetrics"]
    assert metrics == {
        "customers": 2,
        "members": 2,
        "activeMembers": 2,
        "pointsEarned": BIG + SMALLER,
        "pointsRedeemed": 0,
        "pointsLiability": BIG + SMALLER,
    }
