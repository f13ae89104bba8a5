"""The pages' parts that need no server: form tokens (CSRF), the pages' answer to a database
outage or an unexpected fault, and the domain telling an expired link from a forged one (the
pages' 410 against 404) while the API's code stays the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio
import httpx
import psycopg
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.customer.access import RESET_TOKEN_LIFETIME
from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.errors import InvalidResetTokenError, ResetLinkExpiredError
from domain.customer.model import Customer
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import INVITATION_LIFETIME, DraftSurvey
from domain.survey.errors import InvalidSurveyTokenError, SurveyLinkExpiredError
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from graphql_api.pages.failures import answered
from graphql_api.pages.form_tokens import MAX_AGE_SECONDS, FormTokens
from graphql_api.pages.render import Pages

KEY = b"k" * 32
ANYONE = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_form_token_is_accepted_for_its_form_and_link_only() -> None:
    tokens = FormTokens(KEY, clock=Clock(1_000_000))
    given = tokens.issue("survey", "link-a")
    assert tokens.check("survey", "link-a", given)
    assert not tokens.check("reset", "link-a", given)
    assert not tokens.check("survey", "link-b", given)
    assert not FormTokens(b"o" * 32, clock=Clock(1_000_000)).check("survey", "link-a", given)


@pytest.mark.parametrize("given", [None, "", "abc", "1.", ".x", "x" * 200, "-5.abc"])
def test_a_missing_or_malformed_form_token_is_refused(given: str | None) -> None:
    assert not FormTokens(KEY).check("survey", "link", given)


def test_a_form_token_tampered_with_or_moved_in_time_is_refused() -> None:
    tokens = FormTokens(KEY, clock=Clock(1_000_000))
    shown, _, mac = tokens.issue("survey", "link").partition(".")
    assert not tokens.check("survey", "link", f"{int(shown) - 1}.{mac}")
    assert not tokens.check("survey", "link", f"{shown}.{mac[:-1]}A")


def test_a_form_token_expires_after_a_day() -> None:
    clock = Clock(1_000_000)
    tokens = FormTokens(KEY, clock=clock)
    given = tokens.issue("survey", "link")
    clock.now += MAX_AGE_SECONDS
    assert tokens.check("survey", "link", given)
    clock.now += 1
    assert not tokens.check("survey", "link", given)


def test_a_short_form_token_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        FormTokens(b"short")


def answer_of_failing_page(error: Exception) -> httpx.Response:
    """GET a page whose handler raises ``error``, through the pages' failure answer."""

    async def broken(_: Request) -> Response:
        raise error

    page = answered(broken, Pages(), "/s/{token}")
    transport = httpx.ASGITransport(app=Starlette(routes=[Route("/s/{token}", page)]))

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://pages") as client:
            return await client.get("/s/t")

    return anyio.run(get)


def test_an_unreachable_database_gets_a_503_page_with_retry_after() -> None:
    answer = answer_of_failing_page(psycopg.OperationalError("connection refused"))
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert "try again" in answer.text and "connection refused" not in answer.text


def test_an_unexpected_fault_gets_a_500_page_that_tells_nothing_of_it() -> None:
    answer = answer_of_failing_page(RuntimeError("secret internals"))
    assert answer.status_code == 500 and "text/html" in answer.headers["content-type"]
    assert "secret internals" not in answer.text


def test_an_expired_survey_link_is_told_apart_from_a_forged_one_with_the_same_code(
    ledger: Ledger,
) -> None:
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), ANYONE)
    email = {ContactChannel.EMAIL: True}
    ledger.set_contact_preferences(SetContactPreferences(ada.aggregate_id, email), ANYONE)
    draft = DraftSurvey(SurveyKind.NPS, "NPS", "Recommend us?", [SurveyChannel.EMAIL])
    survey_id = ledger.draft_survey(draft, ANYONE).aggregate_id
    ledger.publish_survey(survey_id, ANYONE)
    long_ago = datetime.now(UTC) - INVITATION_LIFETIME - timedelta(minutes=1)
    invited = ledger.invite_to_survey(
        survey_id, ada.aggregate_id, SurveyChannel.EMAIL, ANYONE, now=long_ago
    )
    [issued] = [
        e for e in ledger.events.get(invited.aggregate_id) if isinstance(e, Invitation.Issued)
    ]
    token = issued.token.value if issued.token else None
    assert token is not None
    with pytest.raises(SurveyLinkExpiredError) as expired:
        ledger.survey_link(token)
    assert expired.value.code == InvalidSurveyTokenError.code
    with pytest.raises(InvalidSurveyTokenError) as forged:
        ledger.survey_link(f"{invited.aggregate_id.hex}.guess")
    assert not isinstance(forged.value, SurveyLinkExpiredError)


def test_an_expired_reset_link_is_told_apart_from_a_used_one_with_the_same_code(
    ledger: Ledger,
) -> None:
    command = RegisterCustomer("Ada Lovelace", "ada@example.org")
    customer_id = ledger.register_customer(command, ANYONE).aggregate_id
    long_ago = datetime.now(UTC) - RESET_TOKEN_LIFETIME - timedelta(minutes=1)
    ledger.request_password_reset("ada@example.org", ANYONE, now=long_ago)
    [requested] = [
        e for e in ledger.events.get(customer_id) if isinstance(e, Customer.PasswordResetRequested)
    ]
    token = requested.token.value
    assert token is not None
    with pytest.raises(ResetLinkExpiredError) as expired:
        ledger.check_reset_link(token)
    assert expired.value.code == InvalidResetTokenError.code
    with pytest.raises(InvalidResetTokenError) as forged:
        ledger.check_reset_link(f"{customer_id.hex}.guess")
    assert not isinstance(forged.value, ResetLinkExpiredError)
