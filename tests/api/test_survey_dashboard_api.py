"""The survey dashboard and Customer 360's survey parts over HTTP: given answers to two
product versions' surveys, the dashboard shows figures, trend, breakdown, aspects and insight
under a filter, compares the versions, and refuses bad arguments with clear codes; Customer
360 shows a customer's responses, their comments only to those who may see personal data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from domain.survey.commands import SubmitResponse
from graphql_api.context import ApiLimits
from tests.api.helpers import error_codes
from tests.api.survey_steps import published
from tests.support.server import LiveApi, module_api

COMPLAINT = "The courier was late and rude"


@dataclass(frozen=True)
class World:
    """Three answers to version 1.0's survey and three to 2.0's; ``critic``, a bronze loyalty
    member, left a comment."""

    api: LiveApi
    old: str
    new: str
    critic: str
    position: str


def answered(
    api: LiveApi, survey_id: str, region: str, score: int, comment: str | None, member: bool = False
) -> str:
    """A customer in ``region`` (a loyalty member if ``member``) who answered ``survey_id`` in
    the web site."""
    ledger, system = api.ledger, EventMetadata.system()
    customer = ledger.register_customer(
        RegisterCustomer("Respondent", f"r{ledger.head_position()}@example.org", region=region),
        system,
    ).aggregate_id
    if member:
        ledger.enrol_in_loyalty(customer, system)
    scores = {"delivery": 1 if comment else 4}
    ledger.submit_survey_response(
        SubmitResponse(score, comment, scores, survey_id=UUID(survey_id), customer_id=customer),
        system,
    )
    return str(customer)


# Three answers per version check the arithmetic, not the minimum group size (which has its
# own module, test_survey_dashboard_small_groups): every group shows.
EVERY_GROUP = ApiLimits(min_group_size=1)


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with module_api(pg_admin, EVERY_GROUP) as api:
        old, new = published(api, productVersion="1.0"), published(api, productVersion="2.0")
        critic = answered(api, old, "north", 3, COMPLAINT, member=True)
        for survey_id, region, score in [(old, "north", 10), (old, "south", 9)]:
            answered(api, survey_id, region, score, None)
        for score in (10, 10, 8):
            answered(api, new, "south", score, "Lovely, fast delivery")
        yield World(api, old, new, critic, str(api.ledger.head_position()))


def dashboard(world: World, selection: str, role: Role = Role.ANALYST, **filter_: Any) -> Any:
    body = world.api.graphql(
        f"query D($f: SurveyDashboardFilter, $at: String) "
        f"{{ surveyDashboard(filter: $f, atLeast: $at) {{ {selection} }} }}",
        {"f": filter_ or None, "at": world.position},
        role,
    ).json()
    return body


FIGURES = "figures { responses nps { responses promoters passives detractors nps } }"


def test_the_figures_count_the_responses_under_the_filter(world: World) -> None:
    everything = dashboard(world, FIGURES)["data"]["surveyDashboard"]["figures"]
    assert everything["responses"] == 6
    assert everything["nps"] == {
        "responses": 6,
        "promoters": 4,
        "passives": 1,
        "detractors": 1,
        "nps": pytest.approx(50.0),
    }
    old = dashboard(world, FIGURES, surveyId=world.old)["data"]["surveyDashboard"]["figures"]
    assert old["nps"]["nps"] == pytest.approx(100 / 3)
    north = dashboard(world, FIGURES, region="north")["data"]["surveyDashboard"]["figures"]
    assert north["responses"] == 2


def test_the_breakdown_groups_by_product_version(world: World) -> None:
    selection = "breakdown(by: PRODUCT_VERSION) { value figures { responses } }"
    groups = dashboard(world, selection)["data"]["surveyDashboard"]["breakdown"]
    assert sorted((g["value"], g["figures"]["responses"]) for g in groups) == [
        ("1.0", 3),
        ("2.0", 3),
    ]


def test_the_breakdown_and_filter_by_loyalty_tier_count_the_tier_at_answer_time(
    world: World,
) -> None:
    selection = "breakdown(by: TIER) { value figures { responses } }"
    groups = dashboard(world, selection)["data"]["surveyDashboard"]["breakdown"]
    assert [(g["value"], g["figures"]["responses"]) for g in groups] == [("BRONZE", 1), (None, 5)]
    bronze = dashboard(world, FIGURES, tier="BRONZE")["data"]["surveyDashboard"]["figures"]
    assert bronze["nps"]["detractors"] == 1 and bronze["responses"] == 1


def test_each_channel_of_the_breakdown_is_a_value_the_channel_filter_takes(world: World) -> None:
    """The breakdown names a channel as the filter's enum does (WEB, not web), so passing a
    group's value back as the filter selects exactly that group."""
    selection = "breakdown(by: CHANNEL) { value figures { responses } }"
    groups = dashboard(world, selection)["data"]["surveyDashboard"]["breakdown"]
    assert [(g["value"], g["figures"]["responses"]) for g in groups] == [("WEB", 6)]
    for group in groups:
        body = dashboard(world, FIGURES, channel=group["value"])
        assert "errors" not in body, body
        figures = body["data"]["surveyDashboard"]["figures"]
        assert figures["responses"] == group["figures"]["responses"]


def test_the_trend_has_todays_point_in_the_zone_asked_for(world: World) -> None:
    selection = (
        'trend(interval: DAY, timeZone: "Pacific/Auckland") { periodStart figures { responses } }'
    )
    points = dashboard(world, selection)["data"]["surveyDashboard"]["trend"]
    assert sum(p["figures"]["responses"] for p in points) == 6
    assert all(p["periodStart"].endswith(("+12:00", "+13:00")) for p in points)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "x" * 65, "Europe/../../etc"])
def test_an_unknown_time_zone_is_bad_time_zone(world: World, zone: str) -> None:
    selection = "trend(interval: WEEK, timeZone: $zone) { periodStart }"
    body = world.api.graphql(
        f"query D($zone: String!) {{ surveyDashboard {{ {selection} }} }}",
        {"zone": zone},
        Role.ANALYST,
    ).json()
    assert error_codes(body) == ["BAD_TIME_ZONE"]


def test_aspects_and_insight_show_the_weakest_aspect_and_comment_themes(world: World) -> None:
    selection = (
        "aspects { aspect responses average lowShare }"
        " insight(limit: 5) { comments negative positive weakestAspects { aspect } }"
    )
    board = dashboard(world, selection)["data"]["surveyDashboard"]
    assert board["aspects"][0]["aspect"] == "delivery"
    assert board["aspects"][0]["responses"] == 6
    assert board["insight"]["comments"] == 4
    assert board["insight"]["negative"] >= 1 and board["insight"]["positive"] >= 1


def test_an_insight_limit_out_of_range_is_invalid_input(world: World) -> None:
    body = dashboard(world, "insight(limit: 500) { comments }")
    assert error_codes(body) == ["INVALID_INPUT"]


def test_a_filter_moment_without_a_time_zone_is_invalid_input(world: World) -> None:
    body = dashboard(world, FIGURES, since="2024-01-01T00:00:00")
    assert error_codes(body) == ["INVALID_INPUT"]


def test_two_product_versions_are_compared(world: World) -> None:
    # compareProductVersions takes no atLeast: run first on its own (as under xdist), it read
    # the dashboard before the answers were applied.
    world.api.caught_up()
    body = world.api.graphql(
        'query { compareProductVersions(versionA: "2.0", versionB: "1.0") '
        "{ versionA versionB a { responses nps } b { responses nps } difference significant } }",
        role=Role.AUDITOR,
    ).json()
    comparison = body["data"]["compareProductVersions"]
    assert (comparison["versionA"], comparison["versionB"]) == ("2.0", "1.0")
    assert comparison["a"]["responses"] == 3 and comparison["b"]["responses"] == 3
    assert comparison["difference"] == pytest.approx(200 / 3 - 100 / 3)
    assert comparison["significant"] is False  # three answers each prove nothing


RESPONSES = """
query C($id: UUID!, $after: String) {
  customer(id: $id) {
    npsCategory
    surveyResponses(first: 1, after: $after) {
      edges { cursor node { surveyId surveyTitle kind score npsCategory comment sentiment
        aspectScores { aspect score } channel productVersion tier respondedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def responses(world: World, role: Role, subject: str = "reader") -> Any:
    body = world.api.graphql(RESPONSES, {"id": world.critic}, role, subject).json()
    assert "errors" not in body, body
    return body["data"]["customer"]


def test_customer_360_lists_responses_with_the_latest_nps_category(world: World) -> None:
    customer = responses(world, Role.AGENT)
    assert customer["npsCategory"] == "DETRACTOR"
    [edge] = customer["surveyResponses"]["edges"]
    node = edge["node"]
    assert node["surveyId"] == world.old and node["kind"] == "NPS" and node["score"] == 3
    assert node["npsCategory"] == "DETRACTOR" and node["channel"] == "WEB"
    assert node["aspectScores"] == [{"aspect": "delivery", "score": 1}]
    assert node["productVersion"] == "1.0" and node["sentiment"] < 0
    assert node["tier"] == "BRONZE"
    assert customer["surveyResponses"]["pageInfo"]["hasNextPage"] is False


def test_customer_360_pages_responses_backward_as_forward(world: World) -> None:
    document = """
    query C($id: UUID!) {
      customer(id: $id) {
        forward: surveyResponses(first: 5) { edges { cursor } }
        backward: surveyResponses(last: 5) {
          edges { cursor } pageInfo { hasPreviousPage hasNextPage }
        }
      }
    }
    """
    body = world.api.graphql(document, {"id": world.critic}, Role.AGENT, "reader").json()
    assert "errors" not in body, body
    customer = body["data"]["customer"]
    assert customer["backward"]["edges"] == customer["forward"]["edges"] != []
    assert customer["backward"]["pageInfo"] == {"hasPreviousPage": False, "hasNextPage": False}


@pytest.mark.parametrize(
    ("role", "sees"),
    [(Role.AGENT, True), (Role.ADMIN, True), (Role.ANALYST, False), (Role.AUDITOR, False)],
    ids=str,
)
def test_a_comment_shows_only_to_roles_that_may_see_personal_data(
    world: World, role: Role, sees: bool
) -> None:
    node = responses(world, role)["surveyResponses"]["edges"][0]["node"]
    assert node["comment"] == (COMPLAINT if sees else None)
    assert node["score"] == 3  # the rest is not personal


def test_a_customer_sees_their_own_comment(world: World) -> None:
    node = responses(world, Role.CUSTOMER, world.critic)["surveyResponses"]["edges"][0]["node"]
    assert node["comment"] == COMPLAINT
