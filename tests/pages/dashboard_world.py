"""What the dashboard page tests are given: answered NPS surveys (customers in a region, a
product version, a comment) and a staff member signed in to the pages with a role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID, uuid4

import httpx

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.shared.metadata import Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from tests.pages.world import ADMIN, latest_token
from tests.support.server import LiveApi

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FIGURES = """query($filter: SurveyDashboardFilter) { surveyDashboard(filter: $filter) {
  figures { invitations responses responseRate suppressed
    nps { responses promoters passives detractors nps marginOfError } } } }"""


def nps_survey(ledger: Ledger, version: str | None = None, title: str = "Relationship") -> UUID:
    draft = DraftSurvey(
        SurveyKind.NPS,
        title,
        "How likely are you to recommend us?",
        [SurveyChannel.EMAIL],
        [],
        product_version=version,
    )
    survey_id = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    return survey_id


def answer(
    ledger: Ledger, survey_id: UUID, score: int, region: str = "EU", comment: str | None = None
) -> UUID:
    """A new customer of ``region`` invited by email and answering ``score``."""
    email = f"ada-{uuid4().hex[:12]}@example.org"
    who = ledger.register_customer(RegisterCustomer("Ada", email, region=region), ADMIN)
    ledger.set_contact_preferences(
        SetContactPreferences(who.aggregate_id, {ContactChannel.EMAIL: True}), ADMIN
    )
    invited = ledger.invite_to_survey(survey_id, who.aggregate_id, SurveyChannel.EMAIL, ADMIN)
    token = latest_token(ledger, invited.aggregate_id, (Invitation.Issued,))
    ledger.submit_survey_response(SubmitResponse(score, comment, token=token), ADMIN)
    return who.aggregate_id


@contextmanager
def signed_in_client(api: LiveApi, role: Role) -> Iterator[httpx.Client]:
    """A client (its own cookie jar) signed in to the pages with a token of ``role``."""
    with httpx.Client(base_url=api.url, timeout=30) as client:
        form = client.get("/dashboard/sign-in")
        sent = client.post(
            "/dashboard/sign-in",
            data={"csrf_token": csrf_in(form.text), "token": api.token(role)},
        )
        assert sent.status_code == 303, sent.text
        yield client


def csrf_in(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "the page carries no form token"
    return found.group(1)


def graphql_figures(
    api: LiveApi, role: Role, given: dict[str, object] | None = None
) -> dict[str, object]:
    answered = api.graphql(FIGURES, {"filter": given}, role=role).json()
    assert "errors" not in answered, answered
    figures: dict[str, object] = answered["data"]["surveyDashboard"]["figures"]
    return figures
