"""The NPS dashboard in a real browser (Debian's chromium through Playwright), signed in as
staff: the figures equal surveyDashboard's, a new answer moves the score without a reload
(the subscription over /dashboard/live), a filter changes the URL and the figures, the trend
follows the browser's time zone, and the keyboard alone reaches the filters. Screenshots of
each state are saved under the test's tmp_path."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from domain.shared.metadata import Role
from tests.pages.browser import chromium, focused_id, snapshot, unlabelled_controls
from tests.pages.dashboard_world import answer, graphql_figures, nps_survey
from tests.support.server import LiveApi

DESKTOP = ViewportSize(width=1100, height=900)
ZONE = "Europe/Rome"


@pytest.fixture(scope="module")
def survey(api: LiveApi) -> UUID:
    survey_id = nps_survey(api.ledger, "5.0")
    for score in (10, 9, 9, 8, 6):
        answer(api.ledger, survey_id, score, "EU")
    for score in (10, 3):
        answer(api.ledger, survey_id, score, "NA")
    api.caught_up()
    return survey_id


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def signed_in_page(browser: Browser, api: LiveApi, role: Role) -> Page:
    """A page of a fresh browser context in Rome's zone, signed in with the keyboard."""
    context = browser.new_context(viewport=DESKTOP, timezone_id=ZONE)
    page = context.new_page()
    page.goto(f"{api.url}/dashboard/sign-in")
    page.focus("#token")
    page.keyboard.type(api.token(role))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/dashboard?*tz={ZONE.replace('/', '%2F')}*")
    return page


@pytest.fixture
def agent_page(browser: Browser, api: LiveApi) -> Iterator[Page]:
    page = signed_in_page(browser, api, Role.AGENT)
    try:
        yield page
    finally:
        page.context.close()


def shown_nps(page: Page) -> float:
    return float(page.get_attribute("#nps-score", "data-value") or "nan")


def test_the_page_shows_the_api_figures_with_a_chart_and_its_table(
    api: LiveApi, survey: UUID, agent_page: Page, tmp_path: Path
) -> None:
    """Signed in, the browser's zone chosen for the trend: the score, margin and counts are
    surveyDashboard's; the chart is drawn (a canvas) and its table lists the same periods."""
    page = agent_page
    figures = graphql_figures(api, Role.AGENT)
    nps = figures["nps"]
    assert isinstance(nps, dict)
    assert shown_nps(page) == nps["nps"]
    assert float(page.get_attribute("#nps-moe", "data-value") or "nan") == nps["marginOfError"]
    assert page.inner_text("#promoters") == str(nps["promoters"])
    assert page.inner_text("#detractors") == str(nps["detractors"])
    assert page.locator("#trend-chart canvas").count() >= 1
    assert page.locator("#trend-table tbody tr").count() >= 1
    assert ZONE in page.inner_text("#h-trend")
    assert unlabelled_controls(page) == []
    snapshot(page, tmp_path, "dashboard")


def test_a_new_answer_moves_the_score_without_a_reload(
    api: LiveApi, survey: UUID, agent_page: Page, tmp_path: Path, record_property: Any
) -> None:
    """The subscription updates the figures in place: the page is never loaded again. How
    long the new score took to show, from the answer's command returning, is printed and
    recorded (``live_update_seconds``), not asserted: the issue asks for under a second."""
    page = agent_page
    page.wait_for_selector("body[data-live='live']")
    page.evaluate("window.loadedOnce = true")
    before = shown_nps(page)
    answer(api.ledger, survey, 0, "EU")
    answered = time.perf_counter()
    page.wait_for_selector(f"#nps-score:not([data-value='{before!r}'])", timeout=15_000)
    shown_after = time.perf_counter() - answered
    record_property("live_update_seconds", shown_after)
    print(f"live update shown {shown_after * 1000:.0f} ms after the answer was recorded")
    assert page.evaluate("window.loadedOnce") is True  # the same document: no reload
    nps = graphql_figures(api, Role.AGENT)["nps"]
    assert isinstance(nps, dict)
    assert shown_nps(page) == nps["nps"] < before
    assert "Updated live" in page.inner_text("#live-status")
    snapshot(page, tmp_path, "dashboard-live")


def test_a_filter_changes_the_url_and_the_figures(
    api: LiveApi, survey: UUID, agent_page: Page, tmp_path: Path
) -> None:
    """Typing a region and applying it: the URL carries region=NA and the figures are the
    API's under {region: NA}."""
    page = agent_page
    before = shown_nps(page)
    page.fill("#f-region", "NA")
    page.click("#apply")
    page.wait_for_url("**region=NA**")
    nps = graphql_figures(api, Role.AGENT, {"region": "NA"})["nps"]
    assert isinstance(nps, dict)
    assert shown_nps(page) == nps["nps"] != before
    snapshot(page, tmp_path, "dashboard-region")


def test_the_keyboard_alone_reaches_the_filters_and_applies_them(
    api: LiveApi, survey: UUID, agent_page: Page
) -> None:
    """Tab from the top of the page reaches the first filter within a few stops (skip link,
    the three dashboards, sign-out); Enter in a filter applies the form."""
    page = agent_page
    reached = []
    for _ in range(8):
        page.keyboard.press("Tab")
        reached.append(focused_id(page))
        if reached[-1] == "f-survey":
            break
    assert reached[-1] == "f-survey", reached
    for _ in range(2):
        page.keyboard.press("Tab")
    assert focused_id(page) == "f-region"
    page.keyboard.type("EU")
    page.keyboard.press("Enter")
    page.wait_for_url("**region=EU**")


def test_an_analyst_never_sees_a_comment_on_the_feedback_page(
    api: LiveApi, browser: Browser, tmp_path: Path
) -> None:
    """An agent reads the recent comments; an analyst, signed in the same way, gets the
    figures and a note, and no comment's words anywhere in the document."""
    words = "the courier was very late"
    survey_id = nps_survey(api.ledger, None, "Delivery")
    for score in (2, 3, 4, 5, 6):
        answer(api.ledger, survey_id, score, "EU", comment=words)
    api.caught_up()
    for role, shown in ((Role.AGENT, True), (Role.ANALYST, False)):
        page = signed_in_page(browser, api, role)
        try:
            page.goto(f"{api.url}/dashboard/feedback?tz={ZONE}")
            assert (words in page.content()) is shown
            snapshot(page, tmp_path, f"feedback-{role.value}")
        finally:
            page.context.close()


def test_a_click_on_the_chart_drills_into_that_period(
    api: LiveApi, survey: UUID, agent_page: Page, tmp_path: Path
) -> None:
    """Clicking the trend chart at a day puts that day in the URL (since and to) and shows
    its figures, as the form would."""
    page = agent_page
    page.goto(f"{api.url}/dashboard?tz={ZONE}&interval=DAY")
    page.hover("#trend-chart .u-over")
    page.click("#trend-chart .u-over")
    page.wait_for_url("**since=*")
    shown_day = page.get_attribute("#trend-table tbody tr th", "data-value") or ""
    assert f"since={shown_day[:10]}" in page.url and f"to={shown_day[:10]}" in page.url
    snapshot(page, tmp_path, "dashboard-drilled")
