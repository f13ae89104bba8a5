"""Testimonials over HTTP: a promoter's comment is proposed only with testimonial consent, an
analyst approves it, it is published with the first name and region only, and withdrawing
the consent or erasure removes it everywhere at once. One server for the module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.customer.profile import ConsentPurpose
from domain.privacy.erasure import ErasureReason
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from tests.api.helpers import error_codes
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

SYSTEM = EventMetadata.system()
OFFICER = EventMetadata("dpo-1", Role.PRIVACY_OFFICER, Channel.WEB)
REVIEW = """
mutation($i: ReviewTestimonialInput!) {
  reviewTestimonial(input: $i) { testimonialId position userErrors { field code } }
}
"""
LISTS = """
query($status: TestimonialStatus!) {
  testimonials(status: $status, first: 100) {
    edges { node { responseId firstName region comment status version } }
  }
  publishedTestimonials(first: 100) { edges { node { firstName region comment } } }
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


def answer(api: LiveApi, score: int, comment: str | None, consent: bool = True) -> UUID:
    """A customer answers an NPS survey; the response's id (its invitation's)."""
    ledger = api.ledger
    customer = ledger.register_customer(
        RegisterCustomer("Wilhelmina Testa", f"{uuid4().hex[:10]}@example.org", region="NORDICS"),
        SYSTEM,
    ).aggregate_id
    if consent:
        ledger.give_consent(customer, ConsentPurpose.TESTIMONIALS, SYSTEM)
    drafted = DraftSurvey(SurveyKind.NPS, "NPS", "Recommend us?", [SurveyChannel.WEB])
    survey = ledger.draft_survey(drafted, SYSTEM).aggregate_id
    ledger.publish_survey(survey, SYSTEM)
    invitation = ledger.invite_to_survey(survey, customer, SurveyChannel.WEB, SYSTEM)
    as_them = EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
    ledger.submit_survey_response(
        SubmitResponse(score, comment, survey_id=survey, customer_id=customer), as_them
    )
    api.caught_up()
    return invitation.aggregate_id


def lists(api: LiveApi, status: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    body = api.graphql(LISTS, {"status": status}, role=Role.ANALYST).json()
    data = body["data"]
    return (
        [e["node"] for e in data["testimonials"]["edges"]],
        [e["node"] for e in data["publishedTestimonials"]["edges"]],
    )


def review(api: LiveApi, response: UUID, decision: str, role: Role = Role.ANALYST) -> Any:
    body = api.graphql(
        REVIEW, {"i": {"responseId": str(response), "decision": decision}}, role=role
    )
    return body.json()


def test_an_approved_promoter_comment_is_published_with_first_name_and_region_only(
    api: LiveApi,
) -> None:
    """Proposed, approved, then public: first name, region, comment."""
    comment = f"Lovely service {uuid4().hex[:6]}"
    response = answer(api, 10, comment)
    proposed, _ = lists(api, "PROPOSED")
    assert {"responseId": str(response), "firstName": "Wilhelmina", "region": "NORDICS",
            "comment": comment, "status": "PROPOSED", "version": 0} in proposed  # fmt: skip

    payload = review(api, response, "APPROVED")["data"]["reviewTestimonial"]

    assert payload["userErrors"] == []
    approved, published = lists(api, "APPROVED")
    assert [t["comment"] for t in approved].count(comment) == 1
    assert {"firstName": "Wilhelmina", "region": "NORDICS", "comment": comment} in published


def test_a_passive_answer_or_one_without_comment_is_not_a_testimonial(api: LiveApi) -> None:
    """A 7 is refused with NOT_A_PROMOTER_COMMENT and nothing is written."""
    response = answer(api, 7, "It was fine")
    head = api.quiet_head()

    payload = review(api, response, "APPROVED")["data"]["reviewTestimonial"]

    assert payload["userErrors"] == [{"field": ["input", "responseId"],
                                      "code": "NOT_A_PROMOTER_COMMENT"}]  # fmt: skip
    assert api.ledger.head_position() == head


def test_without_testimonial_consent_nothing_is_proposed_nor_approved(api: LiveApi) -> None:
    """A promoter who did not consent: not listed, and approving is refused."""
    comment = f"Great {uuid4().hex[:6]}"
    response = answer(api, 9, comment, consent=False)

    payload = review(api, response, "APPROVED")["data"]["reviewTestimonial"]

    assert payload["userErrors"][0]["code"] == "TESTIMONIAL_CONSENT_MISSING"
    assert comment not in [t["comment"] for t in lists(api, "PROPOSED")[0]]


def test_withdrawing_consent_or_erasure_removes_a_published_testimonial_everywhere(
    api: LiveApi,
) -> None:
    """Both lists lose it at once; after erasure the read model holds nothing of them."""
    first, second = f"Withdrawn {uuid4().hex[:6]}", f"Erased {uuid4().hex[:6]}"
    withdrawn, erased = answer(api, 10, first), answer(api, 10, second)
    for response in (withdrawn, erased):
        review(api, response, "APPROVED")
    ledger = api.ledger
    withdrawer = _customer_of(api, withdrawn)
    ledger.withdraw_consent(withdrawer, ConsentPurpose.TESTIMONIALS, SYSTEM)
    subject = _customer_of(api, erased)
    ledger.request_erasure(subject, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(subject, OFFICER)
    api.caught_up()

    approved, published = lists(api, "APPROVED")

    comments = {t["comment"] for t in approved} | {t["comment"] for t in published}
    assert first not in comments and second not in comments
    again = review(api, erased, "APPROVED")["data"]["reviewTestimonial"]
    assert again["userErrors"][0]["code"] == "TESTIMONIAL_CONSENT_MISSING"


def test_an_agent_may_not_review(api: LiveApi) -> None:
    """Reviewing is for analysts and admins."""
    assert error_codes(review(api, uuid4(), "REJECTED", role=Role.AGENT)) == ["FORBIDDEN"]


def _customer_of(api: LiveApi, response: UUID) -> UUID:
    issued = next(iter(api.ledger.repository.event_store.get(response)))
    assert isinstance(issued, Invitation.Issued)
    return issued.customer_id
