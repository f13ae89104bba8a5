"""Segments over HTTP: who may define and read them, typed rules and their refusals, the
preview, members paged both ways, members at a past instant, sizes over time, and RFM on the
Customer 360. One server for the module; each test works in a region of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings

from domain.customer.commands import ChangeDemographics, RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from tests.api.helpers import assert_no_internals, error_codes
from tests.api.test_hostile_input import HOSTILE
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

SEGMENT_FIELDS = "id name ruleJson size version"
DEFINE = f"""
mutation($i: DefineSegmentInput!) {{
  defineSegment(input: $i) {{
    segment {{ {SEGMENT_FIELDS} }} segmentId position userErrors {{ field code message }}
  }}
}}
"""
CHANGE = f"""
mutation($i: ChangeSegmentRuleInput!) {{
  changeSegmentRule(input: $i) {{
    segment {{ {SEGMENT_FIELDS} }} position userErrors {{ field code message currentVersion }}
  }}
}}
"""
MEMBERS = """
query($id: UUID!, $first: Int, $after: String, $last: Int, $before: String) {
  segment(id: $id) {
    members(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { customerId enteredBecause } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
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


def region() -> str:
    return f"R{uuid4().hex[:10].upper()}"


def in_region(code: str) -> dict[str, Any]:
    return {"predicate": {"field": "REGION", "values": [code]}}


def register(api: LiveApi, code: str, count: int) -> list[str]:
    system = EventMetadata.system()
    return [
        str(
            api.ledger.register_customer(
                RegisterCustomer("Member", f"{uuid4().hex[:12]}@example.org", region=code), system
            ).aggregate_id
        )
        for _ in range(count)
    ]


def call(api: LiveApi, document: str, variables: dict[str, Any], role: Role) -> dict[str, Any]:
    response = api.graphql(document, variables, role=role)
    assert response.status_code in (200, 400), response.text
    assert_no_internals(response)
    body: dict[str, Any] = response.json()
    return body


def define(api: LiveApi, rule: dict[str, Any], role: Role = Role.ANALYST) -> dict[str, Any]:
    body = call(api, DEFINE, {"i": {"name": "Test segment", "rule": rule}}, role)
    payload: dict[str, Any] = body["data"]["defineSegment"]
    return payload


def test_an_analyst_defines_a_segment_and_sees_its_members_at_once(api: LiveApi) -> None:
    """The payload waits for the read model: the segment comes back with its size."""
    code = region()
    register(api, code, 3)

    payload = define(api, in_region(code))

    assert payload["userErrors"] == []
    assert payload["segment"]["size"] == 3
    assert '"values": ["' + code + '"]' in payload["segment"]["ruleJson"]


def test_a_rule_on_a_value_of_the_wrong_kind_is_refused_naming_the_field(api: LiveApi) -> None:
    """A range on a set field is INVALID_INPUT at input.rule.min, and nothing is written."""
    head = api.quiet_head()

    payload = define(api, {"predicate": {"field": "REGION", "min": 3}})

    assert payload["segment"] is None
    assert payload["userErrors"][0]["code"] == "INVALID_INPUT"
    assert payload["userErrors"][0]["field"] == ["input", "rule", "min"]
    assert api.ledger.head_position() == head


def test_a_nested_bad_value_is_named_by_its_place_in_the_tree(api: LiveApi) -> None:
    """An unknown tier deep in the tree names its path; nothing is written."""
    head = api.quiet_head()
    rule = {
        "all": [
            in_region("EU"),
            {"not": {"predicate": {"field": "LOYALTY_TIER", "values": ["platinum"]}}},
        ]
    }

    payload = define(api, rule)

    assert payload["userErrors"][0]["field"] == ["input", "rule", "all", "1", "not", "values"]
    assert api.ledger.head_position() == head


def test_a_rule_on_an_unknown_field_is_refused_by_the_schema(api: LiveApi) -> None:
    """A field the product does not know is not a SegmentField: the request names it."""
    body = call(
        api, DEFINE, {"i": {"name": "x", "rule": {"predicate": {"field": "SHOE_SIZE"}}}},
        Role.ANALYST,
    )  # fmt: skip

    assert "SHOE_SIZE" in body["errors"][0]["message"]
    assert body.get("data") is None


def test_a_rule_deeper_than_the_bound_is_refused(api: LiveApi) -> None:
    """Seven levels of `not` is more than the six a rule may nest."""
    rule: dict[str, Any] = in_region("EU")
    for _ in range(7):
        rule = {"not": rule}

    payload = define(api, rule)

    assert payload["userErrors"][0]["code"] == "INVALID_INPUT"


def test_an_agent_may_not_define_a_segment(api: LiveApi) -> None:
    """Agents read segments but do not define them."""
    body = call(api, DEFINE, {"i": {"name": "x", "rule": in_region("EU")}}, Role.AGENT)

    assert error_codes(body) == ["FORBIDDEN"]


def test_a_preview_gives_the_size_and_a_sample_and_writes_nothing(api: LiveApi) -> None:
    """previewSegment counts the customers the rule takes in now."""
    code = region()
    ids = register(api, code, 4)
    api.caught_up()
    head = api.quiet_head()

    body = call(
        api,
        "query($r: SegmentRuleInput!) { previewSegment(rule: $r, sampleSize: 2) { size sample } }",
        {"r": in_region(code)},
        Role.AGENT,
    )

    preview = body["data"]["previewSegment"]
    assert preview["size"] == 4
    assert preview["sample"] == sorted(ids, key=UUID)[:2]
    assert api.ledger.head_position() == head


def test_a_bad_preview_rule_is_an_invalid_input_error(api: LiveApi) -> None:
    """A preview of a rule the domain refuses is INVALID_INPUT naming the place."""
    body = call(
        api,
        "query($r: SegmentRuleInput!) { previewSegment(rule: $r) { size } }",
        {"r": {"predicate": {"field": "BIRTH_YEAR", "values": ["1980"]}}},
        Role.ANALYST,
    )

    assert error_codes(body) == ["INVALID_INPUT"]
    assert "rule.values" in body["errors"][0]["message"]


def test_members_page_forward_and_backward(api: LiveApi) -> None:
    """first/after and last/before walk the same list in the same order."""
    code = region()
    register(api, code, 5)
    segment_id = define(api, in_region(code))["segmentId"]

    def page(**arguments: Any) -> dict[str, Any]:
        body = call(api, MEMBERS, {"id": segment_id, **arguments}, Role.AUDITOR)
        members: dict[str, Any] = body["data"]["segment"]["members"]
        return members

    first = page(first=3)
    rest = page(first=3, after=first["pageInfo"]["endCursor"])
    back = page(last=3, before=rest["edges"][0]["cursor"])

    forward = [e["node"]["customerId"] for e in first["edges"] + rest["edges"]]
    assert len(forward) == 5 and len(set(forward)) == 5
    assert first["pageInfo"]["hasNextPage"] and not rest["pageInfo"]["hasNextPage"]
    assert [e["node"]["customerId"] for e in back["edges"]] == forward[:3]
    assert {e["node"]["enteredBecause"] for e in first["edges"]} == {"Segment.Defined"}


def test_who_was_in_a_segment_at_a_past_instant_comes_from_its_history(api: LiveApi) -> None:
    """A customer who moved away is no member now, but is one at an instant before."""
    code = region()
    ada, bo = register(api, code, 2)
    segment_id = define(api, in_region(code))["segmentId"]
    before_move = datetime.now(UTC)
    api.ledger.change_demographics(
        ChangeDemographics(UUID(ada), region="ELSEWHERE"), EventMetadata.system()
    )
    api.caught_up()
    query = """
    query($id: UUID!, $at: DateTime!, $from: DateTime!, $to: DateTime!) {
      segment(id: $id) {
        size
        members { edges { node { customerId } } }
        membersAt(date: $at) { edges { node { customerId } } }
        sizeTrend(from: $from, to: $to, interval: DAY) { at size }
      }
    }
    """
    later = datetime.now(UTC) + timedelta(seconds=1)
    body = call(
        api,
        query,
        {"id": segment_id, "at": before_move.isoformat(), "from": before_move.isoformat(),
         "to": later.isoformat()},
        Role.ANALYST,
    )  # fmt: skip

    segment = body["data"]["segment"]
    assert segment["size"] == 1
    assert [e["node"]["customerId"] for e in segment["members"]["edges"]] == [bo]
    assert {e["node"]["customerId"] for e in segment["membersAt"]["edges"]} == {ada, bo}
    assert [point["size"] for point in segment["sizeTrend"]] == [2]


def test_changing_the_rule_recomputes_and_a_stale_version_conflicts(api: LiveApi) -> None:
    """A new rule takes new members in; an old expectedVersion is CONCURRENCY_CONFLICT."""
    code, other = region(), region()
    register(api, code, 1)
    register(api, other, 2)
    segment = define(api, in_region(code))["segment"]
    wider = {"any": [in_region(code), in_region(other)]}

    changed = call(api, CHANGE, {"i": {"segmentId": segment["id"], "rule": wider}}, Role.ADMIN)[
        "data"
    ]["changeSegmentRule"]
    stale = call(
        api,
        CHANGE,
        {"i": {"segmentId": segment["id"], "rule": in_region(other), "expectedVersion": 1}},
        Role.ADMIN,
    )["data"]["changeSegmentRule"]

    assert changed["segment"]["size"] == 3
    assert stale["userErrors"][0]["code"] == "CONCURRENCY_CONFLICT"
    assert stale["userErrors"][0]["currentVersion"] == 2


def test_a_customer_without_purchases_has_no_rfm_scores(api: LiveApi) -> None:
    """Customer 360's rfm is null until the customer has bought and been ranked."""
    (customer,) = register(api, region(), 1)
    api.caught_up()

    body = call(
        api,
        "query($id: UUID!) { customer(id: $id) { rfm { recency frequency monetary } } }",
        {"id": customer},
        Role.ANALYST,
    )

    assert body["data"]["customer"]["rfm"] is None


@pytest.mark.parametrize("place", ["name", "description", "region"])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=HOSTILE)
def test_hostile_text_in_a_segment_is_refused_cleanly_or_written_whole(
    api: LiveApi, place: str, text: str
) -> None:
    """Any text as the name, description or a region value: a typed refusal writing nothing,
    or one Defined event; never a 500 nor a leaked internal."""
    head = api.quiet_head()
    given_input: dict[str, Any] = {"name": "Hostile", "rule": in_region("EU")}
    if place == "region":
        given_input["rule"] = {"predicate": {"field": "REGION", "values": [text]}}
    else:
        given_input[place] = text

    response = api.graphql(DEFINE, {"i": given_input}, role=Role.ANALYST)

    assert response.status_code in (200, 400, 413), response.text[:500]
    assert_no_internals(response)
    written = api.ledger.head_position() - head
    if response.status_code != 200:
        assert written == 0
        return
    payload = response.json()["data"]["defineSegment"]
    assert written == (1 if payload["userErrors"] == [] else 0)
