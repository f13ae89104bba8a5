"""Inviting and answering over HTTP: agents invite customers who allow it; the holder of a
link's token answers once, even anonymously; a logged-in customer answers in-product surveys
for themself. Tokens never come back in an answer, comments are never echoed, and every
refusal is a typed error that writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.shared.metadata import EventMetadata, Role
from domain.survey.values import SurveyChannel
from graphql_api.context import ApiLimits
from tests.api.helpers import error_codes
from tests.api.steps import errors_of, mutate
from tests.api.survey_steps import (
    answer,
    closed,
    customer,
    designed,
    drafted,
    forged,
    invitation_of,
    invite,
    published,
    token_in_log,
    token_in_outbox,
)
from tests.support.server import LiveApi, module_api

INVITATION = """
query I($token: String!) {
  surveyInvitation(token: $token) {
    surveyId kind title question scale { min max } aspects { key question }
    aspectScale { min max } open answered expiresAt
  }
}
"""
DASHBOARD = """
query D($filter: SurveyDashboardFilter, $atLeast: String) {
  surveyDashboard(filter: $filter, atLeast: $atLeast) {
    figures { invitations responses responseRate nps { responses promoters nps } }
    aspects { aspect responses average }
  }
}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    # The dashboard here counts single answers: the minimum group size is not under test.
    with module_api(pg_admin, ApiLimits(min_group_size=1)) as running:
        yield running


def invited(api: LiveApi, survey_id: str | None = None) -> tuple[str, str, str]:
    """A customer invited by email to an open survey: (survey id, customer id, token)."""
    survey_id = survey_id or published(api)
    customer_id = customer(api)
    payload = invite(api, survey_id, customer_id)
    assert payload["userErrors"] == [], payload
    return survey_id, customer_id, token_in_log(api, payload["invitationId"])


def link(api: LiveApi, token: str, role: Role | None = None) -> Any:
    return api.graphql(INVITATION, {"token": token}, role).json()


def test_an_agent_invites_a_customer_and_the_answer_carries_no_token(api: LiveApi) -> None:
    survey_id, customer_id = published(api), customer(api)
    response = api.graphql(
        "mutation M($i: InviteToSurveyInput!) { inviteToSurvey(input: $i) "
        "{ invitationId survey { id status } position userErrors { code } } }",
        {"i": {"surveyId": survey_id, "customerId": customer_id, "channel": "EMAIL"}},
        Role.AGENT,
    )
    payload = response.json()["data"]["inviteToSurvey"]
    assert payload["userErrors"] == [] and payload["position"] is not None
    assert payload["invitationId"] == invitation_of(survey_id, customer_id)
    assert payload["survey"] == {"id": survey_id, "status": "PUBLISHED"}
    token = token_in_log(api, payload["invitationId"])
    assert token.split(".")[1] not in response.text


def test_the_anonymous_holder_of_a_link_sees_the_survey_answers_it_and_the_dashboard_counts_it(
    api: LiveApi,
) -> None:
    survey_id, customer_id = published(api), customer(api)
    invitation = invite(api, survey_id, customer_id)
    token = token_in_outbox(api, invitation["position"])
    shown = link(api, token)["data"]["surveyInvitation"]
    assert shown["surveyId"] == survey_id and shown["kind"] == "NPS"
    assert shown["scale"] == {"min": 0, "max": 10} and shown["aspectScale"] == {"min": 1, "max": 5}
    assert [a["key"] for a in shown["aspects"]] == ["pricing", "delivery"]
    assert shown["open"] is True and shown["answered"] is False
    comment = "Quick checkout, great support"
    scores = [{"aspect": "pricing", "score": 2}, {"aspect": "delivery", "score": 5}]
    answered = answer(api, token=token, score=10, comment=comment, aspectScores=scores)
    assert answered["userErrors"] == [] and answered["surveyId"] == survey_id
    assert answered["responseId"] == invitation["invitationId"]
    assert comment not in str(answered)
    assert link(api, token)["data"]["surveyInvitation"]["answered"] is True
    filter_ = {"surveyId": survey_id}
    body = api.graphql(
        DASHBOARD, {"filter": filter_, "atLeast": answered["position"]}, Role.ANALYST
    ).json()
    dashboard = body["data"]["surveyDashboard"]
    assert dashboard["figures"]["invitations"] == 1 and dashboard["figures"]["responses"] == 1
    assert dashboard["figures"]["responseRate"] == 100.0
    assert dashboard["figures"]["nps"] == {"responses": 1, "promoters": 1, "nps": 100.0}
    assert [(a["aspect"], a["average"]) for a in dashboard["aspects"]] == [
        ("pricing", 2.0),
        ("delivery", 5.0),
    ]


def test_a_second_answer_is_already_responded_and_writes_nothing(api: LiveApi) -> None:
    _, _, token = invited(api)
    assert answer(api, token=token, score=7)["userErrors"] == []
    head = api.quiet_head()
    again = answer(api, token=token, score=0)
    assert errors_of(again) == [("ALREADY_RESPONDED", None)]
    assert again["responseId"] is None and again["position"] is None
    assert api.ledger.head_position() == head


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"score": 11}, ["input", "score"]),
        ({"score": -1}, ["input", "score"]),
        (
            {"score": 5, "aspectScores": [{"aspect": "pricing", "score": 6}]},
            ["input", "aspectScores", "score"],
        ),
        (
            {"score": 5, "aspectScores": [{"aspect": "colour", "score": 3}]},
            ["input", "aspectScores", "aspect"],
        ),
        ({"score": 5, "comment": "x" * 5_001}, ["input", "comment"]),
        (
            {
                "score": 5,
                "aspectScores": [
                    {"aspect": "pricing", "score": 3},
                    {"aspect": "pricing", "score": 4},
                ],
            },
            ["input", "aspectScores"],
        ),
    ],
    ids=["too-high", "negative", "aspect-score", "unknown-aspect", "long-comment", "aspect-twice"],
)
def test_a_bad_answer_is_invalid_input_and_writes_nothing(
    api: LiveApi, fields: dict[str, Any], field: list[str]
) -> None:
    _, _, token = invited(api)
    head = api.quiet_head()
    payload = answer(api, token=token, **fields)
    assert errors_of(payload) == [("INVALID_INPUT", field)]
    assert api.ledger.head_position() == head
    assert link(api, token)["data"]["surveyInvitation"]["answered"] is False


def expired_token(api: LiveApi) -> str:
    survey_id, customer_id = published(api), customer(api)
    long_ago = datetime.now(UTC) - timedelta(days=40)
    result = api.ledger.invite_to_survey(
        UUID(survey_id), UUID(customer_id), SurveyChannel.EMAIL, EventMetadata.system(), long_ago
    )
    return token_in_log(api, str(result.aggregate_id))


def superseded_token(api: LiveApi) -> str:
    survey_id, customer_id, token = invited(api)
    assert invite(api, survey_id, customer_id)["userErrors"] == []
    return token


TOKENS = {
    "forged": lambda api: forged(invited(api)[2]),
    "garbage": lambda api: "not-a-token",
    "unknown": lambda api: "0" * 32 + ".secret",
    "expired": expired_token,
    "superseded": superseded_token,
}


@pytest.mark.parametrize("kind", list(TOKENS))
def test_a_bad_token_is_invalid_survey_token_to_read_and_to_answer(api: LiveApi, kind: str) -> None:
    token = TOKENS[kind](api)
    head = api.quiet_head()
    body = link(api, token)
    assert error_codes(body) == ["INVALID_SURVEY_TOKEN"] and body["data"] is None
    [(code, _)] = errors_of(answer(api, token=token, score=9))
    assert code == "INVALID_SURVEY_TOKEN"
    assert api.ledger.head_position() == head


def test_answers_to_a_closed_survey_are_survey_not_open(api: LiveApi) -> None:
    survey_id, _, token = invited(api)
    assert designed(api, "closeSurvey", survey_id)["userErrors"] == []
    assert link(api, token)["data"]["surveyInvitation"]["open"] is False
    head = api.quiet_head()
    assert errors_of(answer(api, token=token, score=9)) == [("SURVEY_NOT_OPEN", None)]
    assert api.ledger.head_position() == head


def test_no_one_is_invited_to_a_draft_or_a_closed_survey(api: LiveApi) -> None:
    customer_id = customer(api)
    for survey_id in (drafted(api), closed(api)):
        head = api.quiet_head()
        assert errors_of(invite(api, survey_id, customer_id)) == [("SURVEY_NOT_OPEN", None)]
        assert api.ledger.head_position() == head


def test_an_invitation_on_a_channel_the_customer_did_not_opt_in_to_is_refused(
    api: LiveApi,
) -> None:
    survey_id, customer_id = published(api), customer(api, email_opt_in=False)
    head = api.quiet_head()
    payload = invite(api, survey_id, customer_id)
    assert errors_of(payload) == [("CONTACT_NOT_PERMITTED", ["input", "channel"])]
    assert payload["invitationId"] is None and payload["position"] is None
    assert api.ledger.head_position() == head


def test_an_invitation_to_a_customer_who_withdrew_research_consent_is_refused(
    api: LiveApi,
) -> None:
    survey_id, customer_id = published(api), customer(api)
    research = {"customerId": customer_id, "purpose": "RESEARCH"}
    assert mutate(api, "giveConsent", research)["userErrors"] == []
    assert mutate(api, "withdrawConsent", research)["userErrors"] == []
    head = api.quiet_head()
    payload = invite(api, survey_id, customer_id)
    assert errors_of(payload) == [("CONTACT_NOT_PERMITTED", ["input", "customerId"])]
    assert api.ledger.head_position() == head


def test_an_invitation_to_a_customer_who_refused_research_consent_never_given_is_refused(
    api: LiveApi,
) -> None:
    """The reported defect: withdrawing a research consent never given recorded nothing, and
    the customer could then be invited."""
    survey_id, customer_id = published(api), customer(api)
    research = {"customerId": customer_id, "purpose": "RESEARCH"}
    assert mutate(api, "withdrawConsent", research)["userErrors"] == []
    head = api.quiet_head()
    payload = invite(api, survey_id, customer_id)
    assert errors_of(payload) == [("CONTACT_NOT_PERMITTED", ["input", "customerId"])]
    assert api.ledger.head_position() == head


def test_a_logged_in_customer_answers_an_in_product_survey_for_themself(api: LiveApi) -> None:
    survey_id, customer_id = published(api), customer(api, email_opt_in=False)
    payload = answer(api, Role.CUSTOMER, customer_id, surveyId=survey_id, score=3)
    assert payload["userErrors"] == []
    assert payload["responseId"] == invitation_of(survey_id, customer_id)
    again = answer(api, Role.CUSTOMER, customer_id, surveyId=survey_id, score=4)
    assert errors_of(again) == [("ALREADY_RESPONDED", None)]


def test_a_customer_cannot_answer_a_draft(api: LiveApi) -> None:
    survey_id, customer_id = drafted(api), customer(api)
    head = api.quiet_head()
    payload = answer(api, Role.CUSTOMER, customer_id, surveyId=survey_id, score=3)
    assert errors_of(payload) == [("SURVEY_NOT_OPEN", None)]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize("role", [None, Role.AGENT, Role.ANALYST], ids=str)
def test_without_a_token_only_a_customer_may_answer(api: LiveApi, role: Role | None) -> None:
    survey_id = published(api)
    head = api.quiet_head()
    response = api.graphql(
        "mutation M($i: SubmitSurveyResponseInput!) { submitSurveyResponse(input: $i) "
        "{ responseId } }",
        {"i": {"surveyId": survey_id, "score": 9}},
        role,
    )
    body = response.json()
    assert error_codes(body) == ["FORBIDDEN"] and body["data"] is None
    assert api.ledger.head_position() == head
