"""Loyalty accounts over HTTP: members enrol once, agents give points with a reason, members
redeem (refusals are typed user errors that write nothing), agents reverse; the statement
explains every point, as of any moment, and hides reasons from roles without personal data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from domain.shared.metadata import Role
from tests.api.helpers import error_codes
from tests.api.loyalty_steps import (
    ACCOUNT_PAYLOAD,
    AGENT,
    account,
    adjust,
    customer,
    enrol,
    member,
    read_account,
    redeem,
    reward,
    spendable,
)
from tests.api.steps import errors_of, mutate, read_customer
from tests.support.server import LiveApi, module_api

STATEMENT = (
    "transactions(first: $first, after: $after) { edges { cursor node { kind points at"
    " actorId actorRole channel cause { orderId reward { id name } redemptionId ruleIds award"
    " reason } } } pageInfo { hasNextPage hasPreviousPage endCursor } }"
)


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def statement(
    api: LiveApi, customer_id: str, role: Role = Role.AGENT, **page: object
) -> dict[str, Any]:
    """A page of the account's statement, read as ``role``."""
    body = read_account(
        api,
        customer_id,
        STATEMENT,
        role=role,
        subject=customer_id if role is Role.CUSTOMER else AGENT,
        first=("Int!", page.get("first", 20)),
        after=("String", page.get("after")),
    )
    assert "errors" not in body, body
    connection: dict[str, Any] = body["data"]["loyaltyAccount"]["transactions"]
    return connection


def test_a_customer_enrols_themself_once_and_again_is_already_enrolled(api: LiveApi) -> None:
    customer_id = member(api)
    assert account(api, customer_id)["tier"] == "BRONZE"
    head = api.quiet_head()
    again = enrol(api, customer_id)
    assert errors_of(again) == [("ALREADY_ENROLLED", ["input", "customerId"])]
    assert again["account"] is None and api.ledger.head_position() == head


def test_a_new_member_starts_bronze_with_nothing_and_silver_ahead(api: LiveApi) -> None:
    member_id = customer(api)
    payload = enrol(api, member_id, role=Role.AGENT, subject=AGENT)
    assert payload["userErrors"] == [] and payload["position"] is not None
    new = payload["account"]
    assert new["customerId"] == member_id
    assert new["balance"] == {"spendable": 0, "pending": 0} and new["nextExpiry"] is None
    assert (new["nextTier"], new["pointsToNextTier"]) == ("SILVER", 1000)


def test_a_customer_who_is_not_enrolled_has_no_account(api: LiveApi) -> None:
    body = read_account(api, customer(api))
    assert body["data"]["loyaltyAccount"] is None and "errors" not in body


def test_an_agent_gives_points_with_a_reason_and_they_are_spendable_at_once(api: LiveApi) -> None:
    customer_id = member(api)
    payload = adjust(api, customer_id, 250, reason="Parcel arrived broken")
    assert payload["userErrors"] == []
    assert payload["account"]["balance"] == {"spendable": 250, "pending": 0}
    assert payload["account"]["nextExpiry"]["points"] == 250
    line = statement(api, customer_id)["edges"][0]["node"]
    assert (line["kind"], line["points"], line["actorRole"]) == ("ADJUSTED", 250, "agent")
    assert line["cause"]["reason"] == "Parcel arrived broken" and line["actorId"] == AGENT


@pytest.mark.parametrize(
    ("points", "reason", "field"),
    [(0, "why", "points"), (10, "   ", "reason"), (-50, "take back more than held", None)],
    ids=["zero points", "blank reason", "more than held"],
)
def test_a_refused_adjustment_is_a_user_error_and_writes_nothing(
    api: LiveApi, points: int, reason: str, field: str | None
) -> None:
    customer_id = member(api, points=20)
    head = api.quiet_head()
    payload = adjust(api, customer_id, points, reason=reason)
    [(code, path)] = errors_of(payload)
    assert path == (["input", field] if field else path)
    assert code == ("INVALID_INPUT" if field else "INSUFFICIENT_POINTS")
    assert api.ledger.head_position() == head and spendable(api, customer_id) == 20


def test_a_customer_may_not_adjust_their_own_points(api: LiveApi) -> None:
    customer_id = member(api)
    head = api.quiet_head()
    fields = {"customerId": customer_id, "points": 1000, "reason": "I deserve it"}
    response = api.graphql(
        "mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { position } }",
        {"i": fields},
        role=Role.CUSTOMER,
        subject=customer_id,
    )
    assert error_codes(response.json()) == ["FORBIDDEN"]
    assert api.ledger.head_position() == head


def test_redeeming_spends_the_cost_and_reversing_gives_points_and_stock_back(
    api: LiveApi,
) -> None:
    customer_id, coffee = member(api, points=300), reward(api, costPoints=120, stock=5)
    payload = redeem(api, customer_id, coffee)
    assert payload["userErrors"] == [] and payload["pointsSpent"] == 120
    assert payload["account"]["balance"]["spendable"] == 180
    assert payload["account"]["pointsRedeemed"] == 120
    reversal = {
        "customerId": customer_id,
        "redemptionId": payload["redemptionId"],
        "reason": "Machine was broken",
    }
    reversed_ = mutate(api, "reverseRedemption", reversal, selection=ACCOUNT_PAYLOAD)
    assert reversed_["userErrors"] == [] and reversed_["account"]["balance"]["spendable"] == 300
    again = mutate(api, "reverseRedemption", reversal, selection=ACCOUNT_PAYLOAD)
    assert errors_of(again) == [("REDEMPTION_ALREADY_REVERSED", ["input", "redemptionId"])]
    kinds = [e["node"]["kind"] for e in statement(api, customer_id)["edges"]]
    assert kinds == ["REDEMPTION_REVERSED", "REDEEMED", "ADJUSTED"]
    assert _stock(api, coffee) == 5


def _stock(api: LiveApi, reward_id: str) -> int:
    response = api.graphql(
        "{ rewards(first: 100, includeRetired: true) { edges { node { id stock } } } }",
        role=Role.CUSTOMER,
        subject=str(uuid4()),
    )
    nodes = [e["node"] for e in response.json()["data"]["rewards"]["edges"]]
    stock: int = next(n["stock"] for n in nodes if n["id"] == reward_id)
    return stock


def test_retrying_a_redemption_with_its_id_spends_nothing_more(api: LiveApi) -> None:
    customer_id, coffee = member(api, points=300), reward(api)
    key = str(uuid4())
    first = redeem(api, customer_id, coffee, redemptionId=key)
    head = api.quiet_head()
    again = redeem(api, customer_id, coffee, redemptionId=key)
    assert again["userErrors"] == [] and again["redemptionId"] == first["redemptionId"] == key
    assert api.ledger.head_position() == head and spendable(api, customer_id) == 200


@pytest.mark.parametrize(
    ("points", "reward_fields", "code"),
    [
        (99, {"costPoints": 100}, "INSUFFICIENT_POINTS"),
        (500, {"costPoints": 100, "stock": 0}, "OUT_OF_STOCK"),
        (500, {"costPoints": 100, "minTier": "GOLD"}, "TIER_TOO_LOW"),
        (500, None, "REWARD_NOT_FOUND"),
    ],
    ids=["insufficient points", "out of stock", "tier too low", "unknown reward"],
)
def test_a_refused_redemption_is_a_typed_user_error_and_writes_nothing(
    api: LiveApi, points: int, reward_fields: dict[str, object] | None, code: str
) -> None:
    customer_id = member(api, points=points)
    reward_id = str(uuid4()) if reward_fields is None else reward(api, **reward_fields)
    head = api.quiet_head()
    payload = redeem(api, customer_id, reward_id)
    assert [e["code"] for e in payload["userErrors"]] == [code]
    assert payload["account"] is None and payload["redemptionId"] is None
    assert api.ledger.head_position() == head and spendable(api, customer_id) == points


def test_the_balance_as_of_a_past_moment_is_what_was_held_then(api: LiveApi) -> None:
    customer_id = member(api)
    before_points = datetime.now(UTC).isoformat()
    adjust(api, customer_id, 400)
    between = datetime.now(UTC).isoformat()
    redeem(api, customer_id, reward(api, costPoints=150))
    query = "a: balanceAsOf(at: $a) { spendable } b: balanceAsOf(at: $b) { spendable }"
    body = read_account(
        api, customer_id, query, a=("DateTime!", before_points), b=("DateTime!", between)
    )
    assert "errors" not in body, body
    found = body["data"]["loyaltyAccount"]
    assert (found["a"]["spendable"], found["b"]["spendable"]) == (0, 400)
    assert spendable(api, customer_id) == 250


def test_a_moment_without_a_time_zone_is_invalid_input(api: LiveApi) -> None:
    body = read_account(
        api, member(api), "balanceAsOf(at: $a) { spendable }", a=("DateTime!", "2026-01-01T00:00")
    )
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "time zone" in body["errors"][0]["message"]


def test_the_statement_pages_newest_first_with_cursors(api: LiveApi) -> None:
    customer_id = member(api)
    for points in (10, 20, 30, 40, 50):
        adjust(api, customer_id, points)
    seen, after, pages = [], None, 0
    while True:
        page = statement(api, customer_id, first=2, after=after)
        seen += [e["node"]["points"] for e in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert (seen, pages) == ([50, 40, 30, 20, 10], 3)


def test_the_statement_pages_backward_from_the_oldest_toward_the_newest(api: LiveApi) -> None:
    """The statement is newest first, so the page before a cursor holds newer ones."""
    customer_id = member(api)
    for points in (10, 20, 30, 40, 50):
        adjust(api, customer_id, points)
    selection = (
        "transactions(last: 2, before: $before) { edges { node { points } } "
        "pageInfo { hasNextPage hasPreviousPage startCursor } }"
    )
    seen: list[int] = []
    before = None
    while True:
        body = read_account(api, customer_id, selection, before=("String", before))
        assert "errors" not in body, body
        page = body["data"]["loyaltyAccount"]["transactions"]
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        seen = [e["node"]["points"] for e in page["edges"]] + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen == [50, 40, 30, 20, 10]


def test_a_cursor_from_another_list_is_refused(api: LiveApi) -> None:
    body = read_account(
        api,
        member(api),
        "transactions(after: $after) { edges { cursor } }",
        after=("String", "bm9wZTox"),
    )
    assert error_codes(body) == ["BAD_CURSOR"]


def test_a_customer_reads_their_own_account_but_not_another_customers(api: LiveApi) -> None:
    mine, theirs = member(api, points=30), member(api, points=40)
    line = statement(api, mine, role=Role.CUSTOMER)["edges"][0]["node"]
    assert line["cause"]["reason"] is not None and line["actorId"] == AGENT
    other = read_account(api, theirs, role=Role.CUSTOMER, subject=mine)
    assert error_codes(other) == ["FORBIDDEN"] and other["data"]["loyaltyAccount"] is None


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR])
def test_readers_without_personal_data_see_the_statement_without_reasons_or_actors(
    api: LiveApi, role: Role
) -> None:
    customer_id = member(api, points=30)
    line = statement(api, customer_id, role=role)["edges"][0]["node"]
    assert (line["points"], line["actorRole"]) == (30, "agent")
    assert line["cause"]["reason"] is None and line["actorId"] is None


def test_customer_360_shows_the_loyalty_account_or_null_when_not_enrolled(
    api: LiveApi,
) -> None:
    enrolled, outsider = member(api, points=75), customer(api)
    selection = "loyalty { tier balance { spendable } benefits { supportPriority } }"
    found = read_customer(api, enrolled, selection, role=Role.ANALYST)["loyalty"]
    assert found == {
        "tier": "BRONZE",
        "balance": {"spendable": 75},
        "benefits": {"supportPriority": "NORMAL"},
    }
    assert read_customer(api, outsider, selection)["loyalty"] is None


def test_a_customer_lists_the_rewards_catalog(api: LiveApi) -> None:
    reward_id = reward(api, name="Cinema night", kind="EXPERIENCE", costPoints=900)
    response = api.graphql(
        "{ rewards(first: 100) { edges { node { id name kind costPoints } } } }",
        role=Role.CUSTOMER,
        subject=str(uuid4()),
    )
    nodes = [e["node"] for e in response.json()["data"]["rewards"]["edges"]]
    expected = {"id": reward_id, "name": "Cinema night", "kind": "EXPERIENCE", "costPoints": 900}
    assert expected in nodes
