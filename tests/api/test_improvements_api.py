"""announceImprovement, improvement and improvements over HTTP (000#9, 001#8): an analyst
announces an improvement of an aspect; every respondent who scored it is told once; the
dashboard shows their NPS before and after, suppressed for analysts when fewer people than the
minimum group size (5) are behind a side; bad and unknown topics are typed refusals that write
nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.shared.metadata import EventMetadata, Role
from domain.survey.commands import SubmitResponse
from tests.api.steps import mutate
from tests.api.survey_steps import published
from tests.support.server import LiveApi, module_api

NPS = "responses promoters passives detractors nps marginOfError suppressed"
IMPROVEMENT = (
    f"id topic aspect theme productVersion message audience notified"
    f" npsBefore {{ {NPS} }} npsAfter {{ {NPS} }}"
)
PAYLOAD = (
    f"improvementId improvement {{ {IMPROVEMENT} }} position userErrors {{ field code message }}"
)
BEFORE_SCORES = (2, 3, 4, 7, 8, 9)
AFTER_SCORES = (10, 9)


@dataclass(frozen=True)
class World:
    api: LiveApi
    improvement_id: str
    second_id: str


def respondent(api: LiveApi) -> UUID:
    email = f"r{api.ledger.head_position()}@example.org"
    system = EventMetadata.system()
    customer_id = api.ledger.register_customer(RegisterCustomer("R", email), system).aggregate_id
    channels = SetContactPreferences(customer_id, {ContactChannel.EMAIL: True})
    api.ledger.set_contact_preferences(channels, system)
    return customer_id


def answer(api: LiveApi, who: UUID, survey_id: str, score: int, delivery: int | None) -> None:
    aspects = {} if delivery is None else {"delivery": delivery}
    command = SubmitResponse(score, None, aspects, survey_id=UUID(survey_id), customer_id=who)
    api.ledger.submit_survey_response(command, EventMetadata.system())


def caught_up(api: LiveApi) -> None:
    """The survey read model has every answer (announcing reads the audience from it)."""
    at = str(api.ledger.head_position())
    body = api.graphql(
        "query($at: String) { surveyDashboard(atLeast: $at) { figures { responses } } }",
        {"at": at},
        Role.ADMIN,
    ).json()
    assert "errors" not in body, body


def announce(api: LiveApi, role: Role = Role.ANALYST, **fields: Any) -> dict[str, Any]:
    given = {"productVersion": "2.5.0", "message": "Deliveries now arrive next day.", **fields}
    return mutate(api, "announceImprovement", given, role, "analyst-1", PAYLOAD)


def improvement(api: LiveApi, improvement_id: str, role: Role) -> dict[str, Any]:
    body = api.graphql(
        f"query($id: UUID!, $at: String) {{ improvement(id: $id, atLeast: $at) "
        f"{{ {IMPROVEMENT} }} }}",
        {"id": improvement_id, "at": str(api.ledger.head_position())},
        role,
    ).json()
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["improvement"]
    return found


def told(api: LiveApi, improvement_id: str, expected: int) -> dict[str, Any]:
    """The improvement once the reaction has queued its notices (it runs in the worker)."""
    deadline = time.monotonic() + 20
    while True:
        shown = improvement(api, improvement_id, Role.ADMIN)
        if shown["notified"] >= expected or time.monotonic() > deadline:
            return shown
        time.sleep(0.05)


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with module_api(pg_admin) as api:  # the default minimum group of 5
        before = published(api)
        people = [respondent(api) for _ in BEFORE_SCORES]
        for person, score in zip(people, BEFORE_SCORES, strict=True):
            answer(api, person, before, score, delivery=1)
        answer(api, respondent(api), before, 10, delivery=None)  # no word on delivery
        caught_up(api)
        first = announce(api, aspect="delivery")
        assert first["userErrors"] == [], first
        second = announce(api, role=Role.ADMIN, aspect="pricing", productVersion="2.6.0")
        after = published(api)
        for person, score in zip(people, AFTER_SCORES, strict=False):
            answer(api, person, after, score, delivery=None)
        yield World(api, first["improvementId"], second["improvementId"])


def test_the_announcement_answers_with_its_audience(world: World) -> None:
    """The payload shows the improvement: its topic, version, message and audience."""
    shown = improvement(world.api, world.improvement_id, Role.ANALYST)
    assert (shown["topic"], shown["aspect"], shown["theme"]) == ("ASPECT", "delivery", None)
    assert (shown["productVersion"], shown["audience"]) == ("2.5.0", len(BEFORE_SCORES))
    assert shown["message"] == "Deliveries now arrive next day."


def test_every_respondent_who_scored_the_aspect_is_told_once(world: World) -> None:
    """The reaction queues one email per respondent who scored delivery, and no more."""
    assert told(world.api, world.improvement_id, len(BEFORE_SCORES))["notified"] == 6
    with world.api.database.connect() as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT customer_id) FROM notification_outbox"
            " WHERE kind = 'improvement_notice' AND payload ->> 'improvement_id' = %s",
            (world.improvement_id,),
        ).fetchone()
    assert row == (6, 6)


def test_an_admin_sees_the_nps_before_and_after(world: World) -> None:
    """Before: 1 promoter, 2 passives, 3 detractors of the audience; after: 2 promoters."""
    shown = improvement(world.api, world.improvement_id, Role.ADMIN)
    before, after = shown["npsBefore"], shown["npsAfter"]
    assert (before["promoters"], before["passives"], before["detractors"]) == (1, 2, 3)
    assert before["nps"] == pytest.approx(-100 / 3) and before["marginOfError"] > 0
    assert (after["responses"], after["promoters"], after["nps"]) == (2, 2, 100.0)
    assert not after["suppressed"]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR])
def test_analysts_and_auditors_see_no_side_of_fewer_than_five_people(
    world: World, role: Role
) -> None:
    """Six people answered before: shown. Two after: suppressed, counts 0, NPS null."""
    shown = improvement(world.api, world.improvement_id, role)
    assert shown["npsBefore"]["responses"] == 6 and not shown["npsBefore"]["suppressed"]
    after = shown["npsAfter"]
    assert after["suppressed"] and (after["responses"], after["nps"]) == (0, None)


def test_improvements_page_forward_and_backward(world: World) -> None:
    """In the order announced: the first page forward is the first, the last backward the
    second."""
    query = (
        "query($f: Int, $l: Int) { improvements(first: $f, last: $l) "
        "{ edges { node { id productVersion } } pageInfo { hasNextPage hasPreviousPage } } }"
    )
    forward = world.api.graphql(query, {"f": 1}, Role.ANALYST).json()["data"]["improvements"]
    backward = world.api.graphql(query, {"l": 1}, Role.ANALYST).json()["data"]["improvements"]
    assert [e["node"]["id"] for e in forward["edges"]] == [world.improvement_id], forward
    assert forward["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["id"] for e in backward["edges"]] == [world.second_id]
    assert backward["pageInfo"]["hasPreviousPage"] is True, backward


def test_an_aspect_no_survey_asks_about_is_refused_naming_it(world: World) -> None:
    """UNKNOWN_TOPIC, naming the aspect, and nothing written."""
    world.api.caught_up()  # the reactions to the world's announcements write meanwhile
    head = world.api.ledger.head_position()
    payload = announce(world.api, aspect="delivry")
    assert payload["improvement"] is None and payload["position"] is None
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("UNKNOWN_TOPIC", ["input", "aspect"])
    assert "'delivry'" in error["message"]
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "aspect"),
        ({"aspect": "delivery", "theme": "courier"}, "aspect"),
        ({"aspect": "Delivery!"}, "aspect"),
        ({"theme": "t" * 101}, "theme"),
        ({"aspect": "delivery", "message": ""}, "message"),
        ({"aspect": "delivery", "message": "m" * 2001}, "message"),
        ({"aspect": "delivery", "productVersion": "two point five"}, "productVersion"),
    ],
)
def test_bad_input_is_a_typed_error_that_writes_nothing(
    world: World, fields: dict[str, Any], field: str
) -> None:
    """Neither or both topics, a bad key, an overlong theme, a blank or overlong
    message, a bad version: INVALID_INPUT on that field, nothing written, never a 500."""
    world.api.caught_up()  # the reactions to the world's announcements write meanwhile
    head = world.api.ledger.head_position()
    payload = announce(world.api, **fields)
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["input", field])
    assert world.api.ledger.head_position() == head
