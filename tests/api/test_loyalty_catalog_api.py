"""The loyalty program's catalog over HTTP: admins define and retire earning rules, change the
terms, add, change, restock and retire rewards; everyone logged in reads them; staff readers
see program metrics move as members enrol, earn and redeem."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from domain.shared.metadata import Role
from tests.api.helpers import error_codes
from tests.api.loyalty_steps import (
    ADMIN,
    REWARD_PAYLOAD,
    RULE_FIELDS,
    RULE_PAYLOAD,
    account,
    admin,
    customer,
    enrol,
    member,
    redeem,
    reward,
)
from tests.api.steps import errors_of
from tests.support.server import LiveApi, module_api

TERMS = "pointsLifetimeDays returnWindowDays changedAt tiers { tier threshold supportPriority }"
METRICS = "members customers enrolmentRate pointsEarned pointsRedeemed pointsLiability"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def query(api: LiveApi, document: str, role: Role = Role.CUSTOMER, **variables: Any) -> Any:
    response = api.graphql(document, variables, role=role, subject=str(uuid4()))
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def rules(api: LiveApi, include_retired: bool = False) -> list[dict[str, Any]]:
    document = f"query($r: Boolean!) {{ earningRules(includeRetired: $r) {{ {RULE_FIELDS} }} }}"
    found: list[dict[str, Any]] = query(api, document, r=include_retired)["earningRules"]
    return found


def define(api: LiveApi, **fields: Any) -> dict[str, Any]:
    return admin(api, "defineEarningRule", fields, RULE_PAYLOAD)


def test_an_admin_defines_a_base_rate_and_everyone_reads_it_in_the_rule_book(
    api: LiveApi,
) -> None:
    payload = define(
        api, name="One point per euro", kind="BASE_RATE", pointsPerUnit=1, currency="EUR"
    )
    assert payload["userErrors"] == []
    rule = payload["rule"]
    assert (rule["kind"], rule["pointsPerUnit"], rule["currency"]) == ("BASE_RATE", 1, "EUR")
    assert rule["percent"] is None and rule["retiredAt"] is None  # other kinds' fields
    assert rule in rules(api)


def test_defining_the_same_rule_again_writes_nothing(api: LiveApi) -> None:
    fields = {"ruleId": str(uuid4()), "name": "Welcome", "kind": "FIRST_PURCHASE_BONUS"}
    first = define(api, **fields, bonusPoints=50)
    head = api.quiet_head()
    again = define(api, **fields, bonusPoints=50)
    assert again["userErrors"] == [] and again["rule"] == first["rule"]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "BASE_RATE", "pointsPerUnit": 0}, "pointsPerUnit"),
        ({"kind": "MULTIPLIER", "dimension": "TIER", "match": "platinum"}, "match"),
        ({"kind": "MULTIPLIER", "dimension": "CHANNEL", "match": "web", "percent": 0}, "percent"),
        ({"kind": "CAP", "maxPoints": 100}, "period"),
    ],
    ids=["base rate of zero", "unknown tier", "percent of zero", "cap without period"],
)
def test_an_invalid_rule_is_a_user_error_on_its_field_and_writes_nothing(
    api: LiveApi, fields: dict[str, Any], field: str
) -> None:
    head = api.quiet_head()
    payload = define(api, name="Broken", **fields)
    assert errors_of(payload) == [("INVALID_INPUT", ["input", field])]
    assert api.ledger.head_position() == head


def test_a_retired_rule_leaves_the_rule_book_but_stays_in_its_history(api: LiveApi) -> None:
    rule_id = define(
        api, name="Gold x2", kind="MULTIPLIER", dimension="TIER", match="gold", percent=200
    )["rule"]["id"]
    payload = admin(api, "retireEarningRule", {"ruleId": rule_id}, RULE_PAYLOAD)
    assert payload["userErrors"] == [] and payload["rule"]["retiredAt"] is not None
    assert rule_id not in [r["id"] for r in rules(api)]
    assert rule_id in [r["id"] for r in rules(api, include_retired=True)]
    again = admin(api, "retireEarningRule", {"ruleId": rule_id}, RULE_PAYLOAD)
    assert errors_of(again) == [("EARNING_RULE_NOT_FOUND", ["input", "ruleId"])]


def test_a_tier_multiplier_shows_as_that_tiers_earning_multiplier(api: LiveApi) -> None:
    rule = define(
        api, name="Bronze +10%", kind="MULTIPLIER", dimension="TIER", match="bronze", percent=110
    )
    selection = "benefits { tier earningMultipliers { id percent } }"
    benefits = account(api, member(api), selection)["benefits"]
    assert benefits["tier"] == "BRONZE"
    assert {"id": rule["rule"]["id"], "percent": 110} in benefits["earningMultipliers"]


def test_the_terms_start_as_the_defaults_and_an_admin_changes_them(api: LiveApi) -> None:
    terms = query(api, f"{{ loyaltyProgramTerms {{ {TERMS} }} }}")["loyaltyProgramTerms"]
    assert [t["threshold"] for t in terms["tiers"]] == [0, 1000, 5000]
    payload = admin(
        api,
        "changeProgramTerms",
        {"pointsLifetimeDays": 730, "returnWindowDays": 30},
        f"terms {{ {TERMS} }} position userErrors {{ field code }}",
    )
    assert payload["userErrors"] == []
    assert (payload["terms"]["pointsLifetimeDays"], payload["terms"]["returnWindowDays"]) == (
        730,
        30,
    )
    assert payload["terms"]["changedAt"] is not None


def test_a_return_window_as_long_as_the_lifetime_is_refused(api: LiveApi) -> None:
    head = api.quiet_head()
    payload = admin(
        api,
        "changeProgramTerms",
        {"pointsLifetimeDays": 30, "returnWindowDays": 30},
        "terms { pointsLifetimeDays } userErrors { field code }",
    )
    assert payload["terms"] is None
    assert payload["userErrors"] == [
        {"field": ["input", "returnWindowDays"], "code": "INVALID_INPUT"}
    ]
    assert api.ledger.head_position() == head


def test_changing_a_reward_keeps_the_fields_left_out(api: LiveApi) -> None:
    reward_id = reward(api, name="Tote bag", description="Canvas", costPoints=300, minTier="SILVER")
    payload = admin(
        api,
        "changeReward",
        {"rewardId": reward_id, "costPoints": 250, "minTier": None},
        REWARD_PAYLOAD,
    )
    assert payload["userErrors"] == []
    changed = payload["reward"]
    assert (changed["name"], changed["description"]) == ("Tote bag", "Canvas")
    assert (changed["costPoints"], changed["minTier"]) == (250, None)


def test_restocking_adds_items_and_an_unlimited_reward_cannot_be_restocked(api: LiveApi) -> None:
    stocked, unlimited = reward(api, stock=2), reward(api)
    restocked = admin(api, "restockReward", {"rewardId": stocked, "quantity": 3}, REWARD_PAYLOAD)
    assert restocked["reward"]["stock"] == 5
    refused = admin(api, "restockReward", {"rewardId": unlimited, "quantity": 3}, REWARD_PAYLOAD)
    assert errors_of(refused) == [("INVALID_INPUT", ["input", "quantity"])]


def test_a_retired_reward_leaves_the_catalog_and_cannot_be_redeemed(api: LiveApi) -> None:
    reward_id = reward(api)
    retired = admin(api, "retireReward", {"rewardId": reward_id}, REWARD_PAYLOAD)
    assert retired["userErrors"] == [] and retired["reward"]["retired"] is True
    listed = catalog(api)
    assert reward_id not in listed and reward_id in catalog(api, include_retired=True)
    payload = redeem(api, member(api, points=500), reward_id)
    assert [e["code"] for e in payload["userErrors"]] == ["REWARD_UNAVAILABLE"]


def catalog(api: LiveApi, include_retired: bool = False) -> list[str]:
    """Every reward id, page by page (two per page)."""
    ids, after = [], None
    document = (
        "query($a: String, $r: Boolean!) { rewards(first: 2, after: $a, includeRetired: $r) "
        "{ edges { node { id } } pageInfo { hasNextPage endCursor } } }"
    )
    while True:
        page = query(api, document, a=after, r=include_retired)["rewards"]
        ids += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


def test_the_catalog_pages_in_the_order_rewards_were_added(api: LiveApi) -> None:
    added = [reward(api, name=f"Sticker {n}") for n in range(3)]
    listed = catalog(api)
    assert [r for r in listed if r in added] == added and len(set(listed)) == len(listed)


def catalog_backward(api: LiveApi) -> list[str]:
    """Every reward id, paging backward from the end (two per page), in catalog order."""
    ids: list[str] = []
    before = None
    document = (
        "query($b: String) { rewards(last: 2, before: $b, includeRetired: true) "
        "{ edges { node { id } } pageInfo { hasPreviousPage hasNextPage startCursor } } }"
    )
    while True:
        page = query(api, document, b=before)["rewards"]
        ids = [e["node"]["id"] for e in page["edges"]] + ids
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            return ids
        before = page["pageInfo"]["startCursor"]


def test_paging_backward_with_last_and_before_lists_the_catalog_as_forward_does(
    api: LiveApi,
) -> None:
    for n in range(3):
        reward(api, name=f"Badge {n}")
    assert catalog_backward(api) == catalog(api, include_retired=True)


def test_the_page_before_a_cursor_holds_the_rewards_just_before_it(api: LiveApi) -> None:
    added = [reward(api, name=f"Pin {n}") for n in range(3)]
    document = (
        "query($b: String) { rewards(last: 2, before: $b, includeRetired: true) "
        "{ edges { node { id } cursor } } }"
    )
    latest = query(api, document, b=None)["rewards"]["edges"]
    assert [e["node"]["id"] for e in latest] == added[1:]
    earlier = query(api, document, b=latest[0]["cursor"])["rewards"]["edges"]
    assert earlier[-1]["node"]["id"] == added[0]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ("first: 2, last: 2", "BAD_REQUEST"),
        ('after: "cmV3YXJkOjE=", before: "cmV3YXJkOjE="', "BAD_REQUEST"),
        ("last: 0", "BAD_PAGE_SIZE"),
        ("last: 101", "BAD_PAGE_SIZE"),
        ('before: "not-a-cursor"', "BAD_CURSOR"),
        ('last: 2, before: "bm90aWZpY2F0aW9uOjE="', "BAD_CURSOR"),
    ],
)
def test_bad_backward_paging_arguments_are_a_typed_error(
    api: LiveApi, arguments: str, code: str
) -> None:
    """Mixed directions, a size outside 1..100 or a cursor of another connection."""
    response = api.graphql(
        f"{{ rewards({arguments}) {{ edges {{ cursor }} }} }}",
        {},
        role=Role.CUSTOMER,
        subject=str(uuid4()),
    )
    assert response.status_code == 200
    assert error_codes(response.json()) == [code]


def test_an_unknown_reward_cannot_be_changed(api: LiveApi) -> None:
    payload = admin(api, "retireReward", {"rewardId": str(uuid4())}, REWARD_PAYLOAD)
    assert errors_of(payload) == [("REWARD_NOT_FOUND", ["input", "rewardId"])]


def metrics(api: LiveApi) -> dict[str, Any]:
    found: dict[str, Any] = query(
        api, f"{{ loyaltyProgramMetrics {{ {METRICS} }} }}", Role.ANALYST
    )["loyaltyProgramMetrics"]
    return found


def test_metrics_count_members_points_and_redemptions(api: LiveApi) -> None:
    before = metrics(api)
    customer_id = member(api, points=500)
    outsider = customer(api)
    redeem(api, customer_id, reward(api, costPoints=200))
    after = metrics(api)
    assert (after["customers"] - before["customers"], after["members"] - before["members"]) == (
        2,
        1,
    )
    assert after["pointsLiability"] - before["pointsLiability"] == 300
    assert after["pointsRedeemed"] - before["pointsRedeemed"] == 200
    assert 0 < after["enrolmentRate"] <= 100
    assert enrol(api, outsider)["userErrors"] == []
    assert metrics(api)["members"] == after["members"] + 1


def test_metrics_at_a_moment_without_a_time_zone_are_invalid_input(api: LiveApi) -> None:
    response = api.graphql(
        '{ loyaltyProgramMetrics(at: "2026-01-01T00:00:00") { members } }',
        role=Role.ADMIN,
        subject=ADMIN,
    )
    assert error_codes(response.json()) == ["INVALID_INPUT"]


def test_a_customer_may_not_read_program_metrics(api: LiveApi) -> None:
    response = api.graphql(
        "{ loyaltyProgramMetrics { members } }", role=Role.CUSTOMER, subject=str(uuid4())
    )
    assert error_codes(response.json()) == ["FORBIDDEN"]
