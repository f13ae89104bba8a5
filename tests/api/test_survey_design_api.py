"""Designing surveys over HTTP: analysts draft, edit, publish and close surveys; each refusal
is a typed user error on its field and writes nothing; `survey` and `surveys` read them back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from domain.shared.metadata import Role
from tests.api.steps import errors_of, events_of
from tests.api.survey_steps import (
    SURVEY_FIELDS,
    closed,
    designed,
    draft,
    drafted,
    published,
)
from tests.support.server import LiveApi, module_api


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def read_survey(api: LiveApi, survey_id: str, role: Role = Role.ANALYST) -> Any:
    response = api.graphql(
        f"query S($id: UUID!) {{ survey(id: $id) {{ {SURVEY_FIELDS} }} }}", {"id": survey_id}, role
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["survey"]


def test_an_analyst_drafts_a_survey_and_reads_it_back(api: LiveApi) -> None:
    payload = draft(api, kind="CSAT", title="  Delivery   survey ", productVersion="3.1-beta")
    assert payload["userErrors"] == [] and payload["position"] is not None
    survey = payload["survey"]
    assert survey["kind"] == "CSAT" and survey["status"] == "DRAFT"
    assert survey["title"] == "Delivery survey"  # spaces tidied by the domain
    assert survey["scale"] == {"min": 1, "max": 5}
    assert survey["channels"] == ["EMAIL", "WEB"]
    assert [a["key"] for a in survey["aspects"]] == ["pricing", "delivery"]
    assert survey["productVersion"] == "3.1-beta" and survey["version"] == 1
    assert read_survey(api, survey["id"]) == survey


def test_drafting_again_with_the_same_survey_id_writes_nothing_and_answers_the_same(
    api: LiveApi,
) -> None:
    survey_id = str(uuid4())
    first = draft(api, surveyId=survey_id)
    head = api.quiet_head()
    again = draft(api, surveyId=survey_id, title="Another title")
    assert again["userErrors"] == [] and again["survey"] == first["survey"]
    assert api.ledger.head_position() == head


def test_an_edit_changes_the_fields_sent_and_keeps_the_others(api: LiveApi) -> None:
    survey_id = drafted(api)
    payload = designed(
        api,
        "editSurvey",
        survey_id,
        question="How was checkout today?",
        productVersion=None,
        channels=["APP"],
        expectedVersion=1,
    )
    assert payload["userErrors"] == []
    survey = payload["survey"]
    assert survey["title"] == "Checkout experience"
    assert survey["question"] == "How was checkout today?"
    assert survey["productVersion"] is None and survey["channels"] == ["APP"]
    assert len(survey["aspects"]) == 2


def test_an_edit_from_a_stale_version_is_a_concurrency_conflict_and_writes_nothing(
    api: LiveApi,
) -> None:
    survey_id = drafted(api)
    assert designed(api, "editSurvey", survey_id, title="Second")["userErrors"] == []
    head = api.quiet_head()
    payload = designed(api, "editSurvey", survey_id, title="Third", expectedVersion=1)
    assert errors_of(payload) == [("CONCURRENCY_CONFLICT", ["input", "expectedVersion"])]
    assert payload["userErrors"][0]["currentVersion"] == 2
    assert api.ledger.head_position() == head


def test_publishing_opens_the_survey_and_then_it_is_no_longer_editable(api: LiveApi) -> None:
    survey_id = published(api)
    assert read_survey(api, survey_id)["status"] == "PUBLISHED"
    events = len(events_of(api, survey_id))
    edit = designed(api, "editSurvey", survey_id, title="Too late")
    publish = designed(api, "publishSurvey", survey_id)
    assert errors_of(edit) == [("SURVEY_NOT_EDITABLE", None)]
    assert errors_of(publish) == [("SURVEY_NOT_EDITABLE", None)]
    assert len(events_of(api, survey_id)) == events


def test_closing_a_published_survey_closes_it_for_good(api: LiveApi) -> None:
    survey_id = closed(api)
    survey = read_survey(api, survey_id)
    assert survey["status"] == "CLOSED" and survey["closedAt"] is not None
    head = api.quiet_head()
    assert errors_of(designed(api, "closeSurvey", survey_id)) == [("SURVEY_NOT_OPEN", None)]
    assert errors_of(designed(api, "editSurvey", survey_id, title="x")) == [
        ("SURVEY_NOT_EDITABLE", None)
    ]
    assert api.ledger.head_position() == head


def test_a_draft_cannot_be_closed(api: LiveApi) -> None:
    survey_id = drafted(api)
    assert errors_of(designed(api, "closeSurvey", survey_id)) == [("SURVEY_NOT_OPEN", None)]
    assert read_survey(api, survey_id)["status"] == "DRAFT"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, ["input", "title"]),
        ({"question": "x" * 501}, ["input", "question"]),
        ({"channels": []}, ["input", "channels"]),
        ({"aspects": [{"key": "Not Snake", "question": "Q?"}]}, ["input", "aspects", "key"]),
        (
            {
                "aspects": [
                    {"key": "pricing", "question": "A?"},
                    {"key": "pricing", "question": "B"},
                ]
            },
            ["input", "aspects"],
        ),
        ({"productVersion": "two point oh"}, ["input", "productVersion"]),
    ],
    ids=["blank-title", "long-question", "no-channel", "bad-key", "same-key", "bad-version"],
)
def test_a_bad_draft_is_invalid_input_on_its_field_and_writes_nothing(
    api: LiveApi, fields: dict[str, Any], field: list[str]
) -> None:
    head = api.quiet_head()
    payload = draft(api, **fields)
    assert errors_of(payload) == [("INVALID_INPUT", field)]
    assert payload["survey"] is None and payload["position"] is None
    assert api.ledger.head_position() == head


def test_a_required_field_sent_as_null_in_an_edit_is_invalid_input(api: LiveApi) -> None:
    survey_id = drafted(api)
    payload = designed(api, "editSurvey", survey_id, title=None)
    assert errors_of(payload) == [("INVALID_INPUT", ["input", "title"])]


def test_an_unknown_survey_is_survey_not_found(api: LiveApi) -> None:
    unknown = str(uuid4())
    for name in ("editSurvey", "publishSurvey", "closeSurvey"):
        payload = designed(api, name, unknown)
        assert errors_of(payload) == [("SURVEY_NOT_FOUND", ["input", "surveyId"])], name
    assert read_survey(api, unknown) is None


def test_surveys_pages_with_cursors_and_filters_by_status(api: LiveApi) -> None:
    ids = [published(api, title=f"Paged {n}") for n in range(3)]
    query = """
    query P($after: String, $status: SurveyStatus) {
      surveys(first: 2, after: $after, status: $status) {
        edges { cursor node { id status } } pageInfo { hasNextPage endCursor }
      }
    }
    """
    seen: list[str] = []
    after = None
    while True:
        body = api.graphql(query, {"after": after, "status": "PUBLISHED"}, Role.AUDITOR).json()
        page = body["data"]["surveys"]
        assert all(edge["node"]["status"] == "PUBLISHED" for edge in page["edges"])
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen[-3:] == ids and len(seen) == len(set(seen))


def test_surveys_page_backward_with_last_and_before_in_drafting_order(api: LiveApi) -> None:
    ids = [published(api, title=f"Backward {n}") for n in range(3)]
    query = """
    query P($before: String, $status: SurveyStatus) {
      surveys(last: 2, before: $before, status: $status) {
        edges { cursor node { id status } }
        pageInfo { hasPreviousPage hasNextPage startCursor }
      }
    }
    """
    seen: list[str] = []
    before = None
    while True:
        body = api.graphql(query, {"before": before, "status": "PUBLISHED"}, Role.AUDITOR).json()
        page = body["data"]["surveys"]
        assert all(edge["node"]["status"] == "PUBLISHED" for edge in page["edges"])
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        seen = [edge["node"]["id"] for edge in page["edges"]] + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen[-3:] == ids and len(seen) == len(set(seen))


def test_surveys_refuse_first_and_last_together_as_a_bad_request(api: LiveApi) -> None:
    body = api.graphql("{ surveys(first: 1, last: 1) { edges { cursor } } }", {}, Role.AUDITOR)
    assert [e["extensions"]["code"] for e in body.json()["errors"]] == ["BAD_REQUEST"]
