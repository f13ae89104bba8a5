"""Referral rewards end to end through the API: the friend's qualifying purchase, recorded by
an agent, rewards both sides once through the ReferralRewards process manager the server
runs; an admin's new rule reverses a past reward with compensating events; the funnel, top
referrers and Customer 360 show it all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from domain.shared.metadata import Role
from tests.api.loyalty_steps import read_account
from tests.api.referral_steps import (
    ADMIN,
    REFERRAL_FIELDS,
    buys,
    change_terms,
    code_of,
    customer,
    eventually,
    invite,
    period,
    query,
    register_with,
    spendable,
    unique,
)
from tests.support.server import LiveApi, module_api

FUNNEL = """
query F($since: DateTime!, $until: DateTime!, $p: String) {
  referralFunnel(since: $since, until: $until, atLeast: $p) {
    invited registered qualified rewarded reversed flagged
  }
}
"""
REFERRALS_360 = f"""
query C($id: UUID!) {{
  customer(id: $id) {{
    referrals {{
      referrer {{ code conversions rewarded pointsEarned }}
      referred(first: 5) {{ edges {{ node {{ {REFERRAL_FIELDS} }} }} pageInfo {{ hasNextPage }} }}
      referredBy {{ stage referrerId }}
    }}
  }}
}}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def referred(api: LiveApi, domain: str = "example.org") -> tuple[str, str]:
    """A referrer and the friend who registered with their code."""
    referrer = customer(api)
    payload = register_with(api, unique(domain=domain), code_of(api, referrer))
    assert payload["userErrors"] == [], payload
    return referrer, payload["customer"]["id"]


def rewarded(api: LiveApi, domain: str = "example.org") -> tuple[str, str]:
    """A referral whose friend's qualifying purchase has rewarded both sides."""
    referrer, friend = referred(api, domain)
    assert rewarded_after(api, referrer, friend) == (500, 250)
    return referrer, friend


def funnel(api: LiveApi) -> dict[str, int]:
    """The funnel around now, once the read model shows every write made so far."""
    head = str(api.ledger.head_position())
    figures: dict[str, int] = query(api, FUNNEL, p=head, **period())["referralFunnel"]
    return figures


def test_a_qualifying_purchase_rewards_both_sides_once(api: LiveApi) -> None:
    referrer, friend = referred(api)
    buys(api, friend, "10.00")  # below the 20 EUR threshold: no reward
    assert rewarded_after(api, referrer, friend) == (500, 250)
    buys(api, friend, "99.00")  # a later purchase: nothing more
    expected = {"stage": "REWARDED", "referrerId": referrer}
    assert eventually(lambda: referred_by(api, friend), expected) == expected
    assert (spendable(api, referrer), spendable(api, friend)) == (500, 250)


def rewarded_after(api: LiveApi, referrer: str, friend: str) -> tuple[int, int]:
    buys(api, friend, "25.00")
    found: tuple[int, int] = eventually(
        lambda: (spendable(api, referrer), spendable(api, friend)), (500, 250)
    )
    return found


def test_a_rule_added_later_reverses_a_past_reward_with_compensating_entries(
    api: LiveApi,
) -> None:
    spammy = f"later{uuid4().hex[:8]}.example"
    referrer, friend = rewarded(api, domain=spammy)
    assert change_terms(api, disposableDomains=[spammy])["userErrors"] == []

    review = review_referrals(api)
    assert review == {
        "caught": [{"rule": "disposable_domain", "reversed": 1}],
        "position": review["position"],
        "userErrors": [],
    }

    assert eventually(lambda: (spendable(api, referrer), spendable(api, friend)), (0, 0)) == (0, 0)
    kinds = [t["node"]["kind"] for t in transactions(api, referrer)]
    assert kinds[0] == "AWARD_REVOKED" and "EARNED" in kinds
    assert eventually(lambda: referred_by(api, friend)["stage"], "REVERSED") == "REVERSED"


def referred_by(api: LiveApi, friend: str) -> dict[str, Any]:
    """The referral that brought ``friend``, as an agent sees it in Customer 360."""
    referral: dict[str, Any] = query(api, REFERRALS_360, id=friend)["customer"]["referrals"][
        "referredBy"
    ]
    return referral


def transactions(api: LiveApi, customer_id: str) -> list[dict[str, Any]]:
    body = read_account(
        api, customer_id, "transactions(first: 20) { edges { node { kind points } } }"
    )
    edges: list[dict[str, Any]] = body["data"]["loyaltyAccount"]["transactions"]["edges"]
    return edges


def review_referrals(api: LiveApi) -> dict[str, Any]:
    response = api.graphql(
        "mutation { reviewReferrals { caught { rule reversed } position userErrors { code } } }",
        role=Role.ADMIN,
        subject=ADMIN,
    )
    payload: dict[str, Any] = response.json()["data"]["reviewReferrals"]
    return payload


def test_a_second_review_reverses_nothing_more(api: LiveApi) -> None:
    review_referrals(api)
    assert review_referrals(api)["caught"] == []


def test_the_funnel_counts_invitations_conversions_and_rewards(api: LiveApi) -> None:
    before = funnel(api)
    referrer = customer(api)
    code = code_of(api, referrer)
    assert invite(api, referrer, unique())["userErrors"] == []
    first = register_with(api, unique(), code)
    second = register_with(api, unique(), code)
    buys(api, first["customer"]["id"], "30.00")
    eventually(lambda: spendable(api, referrer), 500)
    assert second["userErrors"] == []

    def grown() -> dict[str, int]:
        after = funnel(api)
        return {stage: after[stage] - before[stage] for stage in after}

    expected = {
        "invited": 1,
        "registered": 2,
        "qualified": 1,
        "rewarded": 1,
        "reversed": 0,
        "flagged": 0,
    }
    assert eventually(grown, expected) == expected
    top = query(
        api,
        "query T($since: DateTime!, $until: DateTime!) { topReferrers(since: $since, "
        "until: $until, limit: 100) { customerId conversions rewarded pointsEarned } }",
        **period(),
    )["topReferrers"]
    assert {"customerId": referrer, "conversions": 2, "rewarded": 1, "pointsEarned": 500} in top


def test_a_funnel_period_without_a_time_zone_is_refused(api: LiveApi) -> None:
    response = api.graphql(
        FUNNEL, {"since": "2026-01-01T00:00:00", "until": "2026-02-01T00:00:00Z"}, Role.ANALYST
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_the_funnel_trend_is_per_period_of_a_time_zone(api: LiveApi) -> None:
    friend = register_with(api, unique(), code_of(api, customer(api)))
    trend = query(
        api,
        "query T($since: DateTime!, $until: DateTime!, $p: String) { referralFunnelTrend("
        'since: $since, until: $until, granularity: DAY, timeZone: "Europe/Rome", atLeast: $p) '
        "{ periodStart funnel { registered } } }",
        Role.ANALYST,
        "analyst-1",
        p=friend["position"],
        **period(),
    )["referralFunnelTrend"]
    assert trend and all(p["periodStart"].endswith(("+01:00", "+02:00")) for p in trend)
    assert sum(p["funnel"]["registered"] for p in trend) >= 1


def test_an_unknown_time_zone_is_refused(api: LiveApi) -> None:
    response = api.graphql(
        "query T($since: DateTime!, $until: DateTime!) { referralFunnelTrend(since: $since, "
        'until: $until, timeZone: "Mars/Olympus") { periodStart } }',
        period(),
        Role.ANALYST,
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_customer_360_shows_referrals_to_staff_and_counts_to_analysts(api: LiveApi) -> None:
    referrer, friend = rewarded(api)
    eventually(lambda: referred_by(api, friend)["stage"], "REWARDED")
    staff = query(api, REFERRALS_360, id=referrer)["customer"]["referrals"]
    assert (staff["referrer"]["conversions"], staff["referrer"]["pointsEarned"]) == (1, 500)
    [edge] = staff["referred"]["edges"]
    assert (edge["node"]["friendId"], edge["node"]["stage"]) == (friend, "REWARDED")
    assert (edge["node"]["referrerPoints"], edge["node"]["friendPoints"]) == (500, 250)
    assert staff["referredBy"] is None

    own = query(api, REFERRALS_360, Role.CUSTOMER, referrer, id=referrer)["customer"]["referrals"]
    assert own["referred"]["edges"][0]["node"]["friendId"] is None  # not their friend's id
    assert own["referrer"]["code"] == staff["referrer"]["code"] is not None

    analyst = query(api, REFERRALS_360, Role.ANALYST, "analyst-1", id=referrer)
    counts = analyst["customer"]["referrals"]
    assert counts["referrer"]["code"] is None and counts["referrer"]["conversions"] == 1
    assert counts["referred"] is None and counts["referredBy"] is None


def test_customer_360_pages_the_friends_referred_backward_as_forward(api: LiveApi) -> None:
    referrer, friend = referred(api)
    document = """
    query C($id: UUID!) { customer(id: $id) { referrals {
      forward: referred(first: 5) { edges { cursor node { friendId } } }
      backward: referred(last: 5) {
        edges { cursor node { friendId } } pageInfo { hasPreviousPage hasNextPage }
      }
    } } }
    """
    referrals = query(api, document, id=referrer)["customer"]["referrals"]
    assert [e["node"]["friendId"] for e in referrals["backward"]["edges"]] == [friend]
    assert referrals["backward"]["edges"] == referrals["forward"]["edges"]
    assert referrals["backward"]["pageInfo"] == {"hasPreviousPage": False, "hasNextPage": False}
