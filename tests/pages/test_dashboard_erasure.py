"""Erasure proof for the dashboards: the feedback page lists recent comments (personal data,
read from the survey read model's comments); once the respondent is erased, their words are
gone from the page, for every role, while the other respondents' stay."""

from __future__ import annotations

from domain.shared.metadata import Role
from tests.pages.dashboard_world import answer, nps_survey, signed_in_client
from tests.support.server import LiveApi

REQUEST = """mutation($i: RequestErasureInput!) {
  requestErasure(input: $i) { userErrors { code } } }"""
COMPLETE = """mutation($i: CompleteErasureInput!) {
  completeErasure(input: $i) { userErrors { code } } }"""
WORDS = "Zelda's parcel from Hyrule arrived crushed"
KEPT = "Lovely staff in the Lisbon store"


def test_an_erased_respondents_comment_leaves_the_feedback_page(api: LiveApi) -> None:
    """Before: an agent reads both comments. After the erasure: only the other one."""
    survey_id = nps_survey(api.ledger, None, "Delivery")
    zelda = answer(api.ledger, survey_id, 2, "EU", comment=WORDS)
    answer(api.ledger, survey_id, 9, "EU", comment=KEPT)
    api.caught_up()
    view = {"survey": str(survey_id)}
    with signed_in_client(api, Role.AGENT) as client:
        before = client.get("/dashboard/feedback", params=view).text
    assert WORDS.replace("'", "&#39;") in before and KEPT in before

    asked = api.graphql(
        REQUEST,
        {"i": {"reason": "CUSTOMER_REQUEST", "customerId": str(zelda)}},
        role=Role.CUSTOMER,
        subject=str(zelda),
    ).json()
    assert asked["data"]["requestErasure"]["userErrors"] == [], asked
    done = api.graphql(COMPLETE, {"i": {"subjectId": str(zelda)}}, Role.PRIVACY_OFFICER).json()
    assert done["data"]["completeErasure"]["userErrors"] == [], done
    api.caught_up()
    for role in (Role.AGENT, Role.PRIVACY_OFFICER, Role.ADMIN):
        with signed_in_client(api, role) as client:
            after = client.get("/dashboard/feedback", params=view).text
        assert "Hyrule" not in after and KEPT in after
