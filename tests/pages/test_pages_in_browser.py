"""The pages in a real browser (Debian's chromium through Playwright): a customer answers the
survey and resets a password with the keyboard only, sees each refusal as a page, and every
state is saved as a screenshot under the test's tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from domain.customer.access import RESET_TOKEN_LIFETIME
from domain.survey.commands import INVITATION_LIFETIME, SubmitResponse, invitation_id_in
from domain.survey.model import Invitation
from tests.pages.browser import (
    PHONE,
    chromium,
    focused_id,
    snapshot,
    unlabelled_controls,
)
from tests.pages.world import (
    ADMIN,
    PASSWORD,
    customer,
    events_of,
    open_survey,
    reset_token,
    survey_token,
)
from tests.support.server import LiveApi


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_customer_answers_the_survey_with_the_keyboard_only(
    api: LiveApi, page: Page, tmp_path: Path
) -> None:
    token = survey_token(api.ledger, open_survey(api.ledger))
    assert page.goto(f"{api.url}/s/{token}").status == 200  # type: ignore[union-attr]
    assert unlabelled_controls(page) == []
    snapshot(page, tmp_path, "survey-form")

    page.keyboard.press("Tab")
    assert focused_id(page) == "score-0"  # the question's scale comes first
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    assert focused_id(page) == "aspect_pricing-1"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    assert focused_id(page) == "aspect_delivery-1"
    page.keyboard.press("Tab")
    assert focused_id(page) == "comment"
    page.keyboard.type("Delivery took two weeks.")
    page.keyboard.press("Tab")
    snapshot(page, tmp_path, "survey-filled")
    # A form post navigates: wait for the answer page, not the page still shown.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Thank you"
    snapshot(page, tmp_path, "survey-thanks")
    [answer] = [
        e
        for e in events_of(api.ledger, invitation_id_in(token))
        if isinstance(e, Invitation.Responded)
    ]
    assert (answer.score, answer.aspect_scores) == (3, {"pricing": 2})
    assert answer.comment is not None and answer.comment.value == "Delivery took two weeks."


def test_the_chosen_score_and_the_focus_are_visible(
    api: LiveApi, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=PHONE)  # scripts on, only to read computed styles
    page = context.new_page()
    try:
        page.goto(f"{api.url}/s/{survey_token(api.ledger, open_survey(api.ledger))}")
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowRight")
        style = page.evaluate(
            """(() => { const s = getComputedStyle(document.querySelector('label[for="score-1"]'));
                return [s.outlineStyle, s.backgroundColor, s.color, s.height]; })()"""
        )
        assert style[:3] == ["solid", "rgb(11, 74, 139)", "rgb(255, 255, 255)"]
        assert float(style[3].removesuffix("px")) >= 44  # a touch target on a phone
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"]  # the eleven choices wrap instead of scrolling sideways
        snapshot(page, tmp_path, "survey-focus")
    finally:
        context.close()


def test_a_customer_resets_the_password_with_the_keyboard_only(
    api: LiveApi, page: Page, tmp_path: Path
) -> None:
    _, email = customer(api.ledger)
    token = reset_token(api.ledger, email)
    page.goto(f"{api.url}/reset/{token}")
    assert unlabelled_controls(page) == []
    snapshot(page, tmp_path, "reset-form")
    page.keyboard.press("Tab")
    assert focused_id(page) == "new_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert focused_id(page) == "confirm_password"
    page.keyboard.type(PASSWORD)
    # A form post navigates: wait for the answer page, not the page still shown.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Your password was changed"
    snapshot(page, tmp_path, "reset-done")
    assert api.ledger.verify_credentials(email, PASSWORD)


def test_a_weak_password_is_shown_as_an_error_beside_the_form(
    api: LiveApi, page: Page, tmp_path: Path
) -> None:
    _, email = customer(api.ledger)
    page.goto(f"{api.url}/reset/{reset_token(api.ledger, email)}")
    page.get_by_label("New password").fill("password1234")
    page.get_by_label("The same password again").fill("password1234")
    # A form post navigates: wait for the answer page, not the page still shown.
    with page.expect_navigation():
        page.get_by_role("button", name="Set my new password").click()
    assert "too easy to guess" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("New password").get_attribute("aria-invalid") == "true"
    snapshot(page, tmp_path, "reset-weak-password")


def test_a_survey_sent_without_a_score_is_shown_again_with_the_reason(
    api: LiveApi, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{api.url}/s/{survey_token(api.ledger, open_survey(api.ledger))}")
    page.get_by_label("Anything you would like to tell us? (optional)").fill("No score given")
    # A form post navigates: wait for the answer page, not the page still shown.
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").click()
    assert "Choose a score" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Anything you would like to tell us? (optional)").input_value() == (
        "No score given"
    )
    snapshot(page, tmp_path, "survey-no-score")


def test_a_form_with_a_tampered_token_gets_the_refusal_page(
    api: LiveApi, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{api.url}/s/{survey_token(api.ledger, open_survey(api.ledger))}")
    page.locator("input[name=csrf_token]").evaluate("e => e.value = '1.forged'")
    page.locator("label[for=score-9]").click()
    response_status = []
    page.on("response", lambda r: response_status.append(r.status))
    # A form post navigates: wait for the answer page, not the page still shown.
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").click()
    assert response_status[:1] == [403]
    assert page.locator("h1").inner_text() == "This form cannot be accepted"
    snapshot(page, tmp_path, "survey-bad-csrf")


def test_each_unusable_link_gets_its_own_page(api: LiveApi, page: Page, tmp_path: Path) -> None:
    ledger = api.ledger
    answered = survey_token(ledger, open_survey(ledger))
    ledger.submit_survey_response(SubmitResponse(7, token=answered), ADMIN)
    long_ago = datetime.now(UTC) - INVITATION_LIFETIME - timedelta(minutes=1)
    _, email = customer(ledger)
    reset_ago = datetime.now(UTC) - RESET_TOKEN_LIFETIME - timedelta(minutes=1)
    states = {
        "survey-answered": (f"/s/{answered}", 409, "You have already answered this survey"),
        "survey-expired": (
            f"/s/{survey_token(ledger, open_survey(ledger), now=long_ago)}",
            410,
            "This survey link has expired",
        ),
        "survey-forged": (f"/s/{answered[:33]}forged", 404, "This survey link is not valid"),
        "reset-expired": (
            f"/reset/{reset_token(ledger, email, now=reset_ago)}",
            410,
            "This password-reset link has expired",
        ),
        "reset-forged": ("/reset/not-a-token", 404, "This password-reset link is not valid"),
    }
    for state, (path, status, title) in states.items():
        response = page.goto(f"{api.url}{path}")
        assert response is not None and response.status == status, state
        assert page.locator("h1").inner_text() == title, state
        assert page.locator("form").count() == 0, state
        snapshot(page, tmp_path, state)
