"""The dashboard's minimum group size (issue 16, item 4) over HTTP, with the server's default
of 5: given six customers who praise the delivery and one who answered five surveys with a
comment naming herself and her illness, analysts and auditors see neither her words nor any
figure that is hers alone (filtered, broken down, compared or followed live), live and after
a rebuild; agents, admins and privacy officers, who read her comment anyway, see every group."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from domain.survey.commands import SubmitResponse
from infrastructure.rebuild import rebuild
from projections.surveys.projection import SurveyDashboard
from tests.api.survey_steps import published
from tests.api.test_survey_live_updates import bearer, connected, receive, subscribe
from tests.support.server import LiveApi, module_api

PRIVATE_WORDS = ("quaxbridge", "diabetes")
LONE_COMMENT = (
    "Ottoline Quaxbridge here: my diabetes clinic parcel came late and the courier was rude"
)
PRAISE = "Great delivery service"
SEE_SMALL_GROUPS = [Role.AGENT, Role.ADMIN, Role.PRIVACY_OFFICER]
SEE_NO_SMALL_GROUPS = [Role.ANALYST, Role.AUDITOR]


@dataclass(frozen=True)
class World:
    api: LiveApi
    old: str
    """Version 1.0's survey: six promoters in the south and the lone detractor."""
    newer: list[str]
    """Four surveys of version 2.0 that only the lone detractor answered."""
    position: str


def respondent(api: LiveApi, region: str) -> UUID:
    email = f"r{api.ledger.head_position()}@example.org"
    command = RegisterCustomer("Respondent", email, region=region)
    return api.ledger.register_customer(command, EventMetadata.system()).aggregate_id


def answer(api: LiveApi, who: UUID, survey_id: str, score: int, comment: str) -> None:
    command = SubmitResponse(
        score, comment, {"delivery": 5 if score > 8 else 1}, survey_id=UUID(survey_id),
        customer_id=who,
    )  # fmt: skip
    api.ledger.submit_survey_response(command, EventMetadata.system())


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with module_api(pg_admin) as api:  # the default limits: a minimum group of 5
        old = published(api, productVersion="1.0")
        newer = [published(api, productVersion="2.0") for _ in range(4)]
        for _ in range(6):
            answer(api, respondent(api, "south"), old, 10, PRAISE)
        lone = respondent(api, "north")
        for survey_id in (old, *newer):  # five responses, one person
            answer(api, lone, survey_id, 2, LONE_COMMENT)
        api.caught_up()  # the comparison asks for no position: it reads what is applied
        yield World(api, old, newer, str(api.ledger.head_position()))


def board(world: World, selection: str, role: Role, **filter_: Any) -> dict[str, Any]:
    body = world.api.graphql(
        "query D($f: SurveyDashboardFilter, $at: String) "
        f"{{ surveyDashboard(filter: $f, atLeast: $at) {{ {selection} }} }}",
        {"f": filter_ or None, "at": world.position},
        role,
    ).json()
    assert "errors" not in body, body
    dashboard: dict[str, Any] = body["data"]["surveyDashboard"]
    return dashboard


FIGURES = "figures { responses invitations nps { responses nps suppressed } suppressed }"
THEMES = "{ term mentions }"
INSIGHT = (
    f"insight(limit: 50) {{ comments averageSentiment suppressed detractorThemes {THEMES}"
    f" promoterThemes {THEMES} weakestAspects {{ aspect }} }}"
)


def terms(insight: dict[str, Any]) -> set[str]:
    themes = insight["detractorThemes"] + insight["promoterThemes"]
    return {word for theme in themes for word in theme["term"].split()}


@pytest.mark.parametrize("role", SEE_NO_SMALL_GROUPS, ids=str)
def test_a_filter_down_to_one_person_shows_no_figure_and_none_of_her_words(
    world: World, role: Role
) -> None:
    """Region north holds five responses, all hers: too few people, however many answers."""
    north = board(
        world, f"minGroupSize {FIGURES} aspects {{ aspect }} {INSIGHT}", role, region="north"
    )
    assert north["minGroupSize"] == 5
    assert north["figures"] == {
        "responses": 0,
        "invitations": 0,
        "nps": {"responses": 0, "nps": None, "suppressed": True},
        "suppressed": True,
    }
    assert north["aspects"] == []
    insight = north["insight"]
    assert insight["suppressed"] is True and insight["comments"] == 0
    assert insight["averageSentiment"] is None and terms(insight) == set()


@pytest.mark.parametrize("role", SEE_NO_SMALL_GROUPS, ids=str)
def test_themes_used_by_fewer_people_than_the_minimum_are_not_shown(
    world: World, role: Role
) -> None:
    """Over everyone (seven people) her words would rank as the strongest detractor themes;
    only the praise of six people shows."""
    everyone = board(world, f"{FIGURES} {INSIGHT}", role)
    assert everyone["figures"]["responses"] == 11 and everyone["figures"]["suppressed"] is False
    insight = everyone["insight"]
    assert insight["suppressed"] is False and insight["comments"] == 11
    assert insight["detractorThemes"] == []
    assert {"great", "delivery", "service"} <= terms(insight)
    assert all(theme["mentions"] >= 5 for theme in insight["promoterThemes"])


@pytest.mark.parametrize("role", SEE_NO_SMALL_GROUPS, ids=str)
def test_a_breakdown_lists_a_group_of_one_person_as_suppressed(world: World, role: Role) -> None:
    groups = board(world, f"breakdown(by: REGION) {{ value {FIGURES} }}", role)["breakdown"]
    shown = {g["value"]: (g["figures"]["responses"], g["figures"]["suppressed"]) for g in groups}
    assert shown == {"north": (0, True), "south": (6, False)}


@pytest.mark.parametrize("role", SEE_NO_SMALL_GROUPS, ids=str)
def test_comparing_a_version_only_one_person_answered_shows_neither_its_nps_nor_the_difference(
    world: World, role: Role
) -> None:
    body = world.api.graphql(
        'query { compareProductVersions(versionA: "1.0", versionB: "2.0") '
        "{ a { responses nps suppressed } b { responses nps suppressed } difference pValue } }",
        role=role,
    ).json()
    comparison = body["data"]["compareProductVersions"]
    assert comparison["a"] == {"responses": 7, "nps": pytest.approx(500 / 7), "suppressed": False}
    assert comparison["b"] == {"responses": 0, "nps": None, "suppressed": True}
    assert (comparison["difference"], comparison["pValue"]) == (None, None)


@pytest.mark.parametrize("role", SEE_SMALL_GROUPS, ids=str)
def test_roles_that_read_her_comment_anyway_see_every_group(world: World, role: Role) -> None:
    north = board(world, f"minGroupSize {FIGURES} {INSIGHT}", role, region="north")
    assert north["minGroupSize"] == 1
    assert north["figures"]["responses"] == 5 and north["figures"]["suppressed"] is False
    assert set(PRIVATE_WORDS) <= terms(north["insight"])


def test_an_analysts_live_figures_of_one_person_arrive_suppressed(world: World) -> None:
    with connected(world.api, {"authorization": bearer(world.api, Role.ANALYST)}) as ws:
        assert receive(ws)["type"] == "connection_ack"
        subscribe(ws, UUID(world.newer[0]))
        first = receive(ws)
    figures = first["payload"]["data"]["surveyDashboardUpdated"]
    assert figures["responses"] == 0 and figures["nps"]["promoters"] == 0


def test_after_a_rebuild_an_analyst_still_sees_no_small_group_and_none_of_her_words(
    world: World,
) -> None:
    rebuild(world.api.ledger, world.api.database, SurveyDashboard(), 100)
    everyone = board(world, INSIGHT, Role.ANALYST)["insight"]
    assert terms(everyone) & set(PRIVATE_WORDS) == set() and everyone["comments"] == 11
    north = board(world, FIGURES, Role.ANALYST, region="north")["figures"]
    assert north["suppressed"] is True
    agent = board(world, INSIGHT, Role.AGENT, region="north")["insight"]
    assert set(PRIVATE_WORDS) <= terms(agent)  # the words are there; analysts do not see them
