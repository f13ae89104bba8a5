"""Redemptions racing over HTTP: points and stock are never overspent.

Fifty redemptions sent at once on an account that can afford ten give exactly ten successes;
every other answer is a typed user error and the balance ends at zero. Twenty members racing
for a reward with three items in stock get exactly three; the stock ends at zero.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from domain.shared.metadata import Role
from tests.api.loyalty_steps import REDEEM_PAYLOAD, member, reward, spendable
from tests.support.server import LiveApi, module_api

REDEEM = f"mutation($i: RedeemRewardInput!) {{ redeemReward(input: $i) {{ {REDEEM_PAYLOAD} }} }}"
# A refusal a racing redemption may get: the rule that stopped it, or (if its retries ran
# out) a conflict the client may retry. Never a crash, never an untyped error.
TYPED_REFUSALS = {"INSUFFICIENT_POINTS", "OUT_OF_STOCK", "CONCURRENCY_CONFLICT"}


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


async def _race(api: LiveApi, redemptions: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Send every (customer, reward) redemption at once, each as the customer; the payloads."""
    limits = httpx.Limits(max_connections=len(redemptions))
    async with httpx.AsyncClient(base_url=api.url, timeout=120, limits=limits) as client:

        async def one(customer_id: str, reward_id: str) -> dict[str, Any]:
            token = api.token(Role.CUSTOMER, customer_id)
            response = await client.post(
                "/graphql",
                json={
                    "query": REDEEM,
                    "variables": {"i": {"customerId": customer_id, "rewardId": reward_id}},
                },
                headers={"authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert "errors" not in body, body
            payload: dict[str, Any] = body["data"]["redeemReward"]
            return payload

        return await asyncio.gather(*(one(c, r) for c, r in redemptions))


def outcomes(payloads: list[dict[str, Any]]) -> Counter[str]:
    """How many succeeded ("ok") and how many were refused with each code."""
    counted: Counter[str] = Counter()
    for payload in payloads:
        errors = payload["userErrors"]
        assert len(errors) <= 1 and (errors == []) == (payload["redemptionId"] is not None)
        counted[errors[0]["code"] if errors else "ok"] += 1
    return counted


def stock_of(api: LiveApi, reward_id: str) -> int:
    response = api.graphql(
        "{ rewards(first: 100) { edges { node { id stock } } } }", role=Role.ADMIN
    )
    nodes = [e["node"] for e in response.json()["data"]["rewards"]["edges"]]
    stock: int = next(n["stock"] for n in nodes if n["id"] == reward_id)
    return stock


def test_fifty_redemptions_at_once_on_an_account_that_affords_ten_give_exactly_ten(
    api: LiveApi,
) -> None:
    coffee = reward(api, costPoints=70)
    customer_id = member(api, points=10 * 70)
    payloads = asyncio.run(_race(api, [(customer_id, coffee)] * 50))
    counted = outcomes(payloads)
    assert counted["ok"] == 10, counted
    assert set(counted) - {"ok"} <= TYPED_REFUSALS and sum(counted.values()) == 50
    assert spendable(api, customer_id) == 0
    spent = {p["redemptionId"] for p in payloads if p["redemptionId"] is not None}
    assert len(spent) == 10  # ten distinct redemptions, none counted twice


def test_twenty_members_racing_for_three_items_get_exactly_three(api: LiveApi) -> None:
    scarce = reward(api, name="Backstage pass", kind="EXPERIENCE", costPoints=50, stock=3)
    members = [member(api, points=1_000) for _ in range(20)]
    counted = outcomes(asyncio.run(_race(api, [(m, scarce) for m in members])))
    # Exactly three items go; the others are refused with a typed error (out of stock, or,
    # on a loaded machine, a conflict whose retries ran out, which the client may retry).
    assert counted["ok"] == 3, counted
    assert set(counted) - {"ok"} <= TYPED_REFUSALS and sum(counted.values()) == 20
    api.caught_up()  # the stock and balances below are read from the read models
    assert stock_of(api, scarce) == 0
    balances = sorted(spendable(api, m) for m in members)
    assert balances == [950] * 3 + [1_000] * 17
