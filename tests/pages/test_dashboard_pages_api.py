"""The staff's dashboard pages over HTTP: sign-in with the API's tokens (HttpOnly,
SameSite=Strict cookie; customers and bad tokens refused), the NPS page's figures equal to
surveyDashboard's for the same role and filter, filters in the URL, and the CSV download."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.shared.metadata import Role
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from tests.pages.dashboard_world import (
    answer,
    csrf_in,
    graphql_figures,
    nps_survey,
    signed_in_client,
)
from tests.pages.world import ADMIN
from tests.support.server import LiveApi

SCORES_EU = (10, 10, 9, 9, 8, 7, 3, 0)
SCORES_NA = (10, 2, 3)


@pytest.fixture(scope="module")
def answered(api: LiveApi) -> Iterator[LiveApi]:
    """Eight EU answers and three NA ones to version 4.1, six to version 5.0 (all EU)."""
    old = nps_survey(api.ledger, "4.1", "App 4.1")
    new = nps_survey(api.ledger, "5.0", "App 5.0")
    for score in SCORES_EU:
        answer(api.ledger, old, score, "EU", comment="slow checkout again")
    for score in SCORES_NA:
        answer(api.ledger, old, score, "NA", comment="rude support staff")
    for score in (10, 10, 9, 10, 9, 8):
        answer(api.ledger, new, score, "EU")
    customer = answer(api.ledger, new, 9, "EU")
    opened = api.ledger.open_ticket(
        OpenTicket(customer, TicketChannel.WEB, "billing", "Charged twice", "Two charges."), ADMIN
    )
    api.ledger.reply_to_ticket(opened.aggregate_id, "Refunded one of them.", ADMIN)
    api.ledger.resolve_ticket(opened.aggregate_id, "Refunded.", ADMIN)
    api.caught_up()
    yield api


def value_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*data-value="([^"]*)"', html)
    assert found is not None, f"no {element_id} on the page"
    return found.group(1)


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert found is not None, f"no {element_id} on the page"
    return found.group(1)


def test_signing_in_sets_an_http_only_same_site_strict_cookie_holding_no_more_than_the_token(
    api: LiveApi,
) -> None:
    """A staff token signs in: 303 to /dashboard with the session cookie HttpOnly,
    SameSite=Strict, scoped to /dashboard, not Secure over plain http (whatever an untrusted
    X-Forwarded-Proto says)."""
    form = api.client.get("/dashboard/sign-in")
    token = api.token(Role.ANALYST)
    sent = api.client.post(
        "/dashboard/sign-in",
        data={"csrf_token": csrf_in(form.text), "token": token},
        headers={"x-forwarded-proto": "https"},  # from no trusted proxy: not believed
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/dashboard"
    cookie = sent.headers["set-cookie"]
    assert cookie.startswith(f"cxl_staff_session={token};")
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/dashboard"} <= attributes
    assert "secure" not in attributes
    api.client.cookies.clear()


def test_without_a_session_the_dashboard_sends_to_the_sign_in(api: LiveApi) -> None:
    """No cookie (or a cookie holding a forged token): a redirect to the sign-in, no figures."""
    assert api.client.get("/dashboard").headers["location"] == "/dashboard/sign-in"
    with httpx.Client(base_url=api.url, cookies={"cxl_staff_session": "not.a.token"}) as forged:
        assert forged.get("/dashboard").status_code == 303


def test_a_customer_token_is_refused_and_sets_no_cookie(api: LiveApi) -> None:
    """The dashboards are for staff: a customer's valid token gets 403 and no session."""
    form = api.client.get("/dashboard/sign-in")
    customer = api.token(Role.CUSTOMER, subject="00000000-0000-4000-8000-000000000001")
    sent = api.client.post(
        "/dashboard/sign-in", data={"csrf_token": csrf_in(form.text), "token": customer}
    )
    assert sent.status_code == 403
    assert "set-cookie" not in sent.headers
    assert "customer&#39;s token cannot open them" in sent.text


def test_a_forged_token_or_a_missing_form_token_is_refused(api: LiveApi) -> None:
    """A token the API would refuse is 401; a post without the form's CSRF token is 403."""
    form = api.client.get("/dashboard/sign-in")
    forged = api.client.post(
        "/dashboard/sign-in", data={"csrf_token": csrf_in(form.text), "token": "x.y.z"}
    )
    assert forged.status_code == 401 and "set-cookie" not in forged.headers
    no_csrf = api.client.post("/dashboard/sign-in", data={"token": api.token(Role.ADMIN)})
    assert no_csrf.status_code == 403 and "set-cookie" not in no_csrf.headers


def test_development_sign_in_is_not_offered_outside_development(api: LiveApi) -> None:
    """This server has no development token: no button, and a forged button post is 403."""
    form = api.client.get("/dashboard/sign-in")
    assert "development-sign-in" not in form.text
    sent = api.client.post(
        "/dashboard/sign-in", data={"csrf_token": csrf_in(form.text), "development": "1"}
    )
    assert sent.status_code == 403 and "set-cookie" not in sent.headers


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AGENT])
def test_the_page_shows_the_figures_surveyDashboard_gives_the_same_role(
    answered: LiveApi, role: Role
) -> None:
    """The NPS, margin, counts and response rate on the page are the API's, for each role."""
    with signed_in_client(answered, role) as client:
        html = client.get("/dashboard").text
    figures = graphql_figures(answered, role)
    nps = figures["nps"]
    assert isinstance(nps, dict)
    assert float(value_of(html, "nps-score")) == nps["nps"]
    assert float(value_of(html, "nps-moe")) == nps["marginOfError"]
    assert float(value_of(html, "response-rate")) == figures["responseRate"]
    for name in ("promoters", "passives", "detractors"):
        assert int(text_of(html, name)) == nps[name]
    assert int(text_of(html, "responses")) == figures["responses"] == 18


def test_a_region_filter_in_the_url_gives_that_regions_figures(answered: LiveApi) -> None:
    """?region=NA shows the API's figures under filter {region: NA}; analysts get them
    suppressed (3 people, fewer than the minimum group size 5), as over GraphQL."""
    with signed_in_client(answered, Role.AGENT) as client:
        html = client.get("/dashboard", params={"region": "NA"}).text
    nps = graphql_figures(answered, Role.AGENT, {"region": "NA"})["nps"]
    assert isinstance(nps, dict) and nps["responses"] == 3
    assert float(value_of(html, "nps-score")) == nps["nps"]
    assert 'value="NA"' in html
    with signed_in_client(answered, Role.ANALYST) as client:
        hidden = client.get("/dashboard", params={"region": "NA"}).text
    assert 'id="suppressed"' in hidden and value_of(hidden, "nps-score") == ""
    assert graphql_figures(answered, Role.ANALYST, {"region": "NA"})["suppressed"] is True


def test_two_product_versions_are_compared_in_words(answered: LiveApi) -> None:
    """The page names the later version first and says whether the gap is significant."""
    with signed_in_client(answered, Role.AGENT) as client:
        html = client.get("/dashboard").text
    verdict = text_of(html, "verdict")
    assert verdict.startswith("Version 5.0&#39;s NPS is") or verdict.startswith(
        "Version 5.0's NPS is"
    )
    assert "than version 4.1" in verdict and "significant" in verdict


@pytest.mark.parametrize(
    "params",
    [
        {"channel": "FAX"},
        {"tier": "PLATINUM"},
        {"tz": "Mars/Olympus"},
        {"since": "yesterday"},
        {"survey": "not-a-uuid"},
        {"region": "x" * 201},
        {"interval": "HOUR"},
        {"format": "xlsx"},
    ],
)
def test_a_bad_filter_is_a_400_page_that_names_it(
    answered: LiveApi, params: dict[str, str]
) -> None:
    """Every filter is checked: a bad value is a 400 page with the reason, never a 500."""
    with signed_in_client(answered, Role.ANALYST) as client:
        page = client.get("/dashboard", params=params)
    assert page.status_code == 400
    assert next(iter(params)) in page.text


def test_the_csv_holds_the_api_figures_exactly_and_the_filters_in_its_header(
    answered: LiveApi,
) -> None:
    """?format=csv: the filters as # lines, then the exact figures under the same filter."""
    with signed_in_client(answered, Role.AGENT) as client:
        download = client.get("/dashboard", params={"format": "csv", "version": "4.1"})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    lines = download.text.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    assert "# version: 4.1" in comments and "# region: (all)" in comments
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in lines if not x.startswith("#")))))
    figures = {r["metric"]: r["value"] for r in rows if r["section"] == "figures"}
    expected = graphql_figures(answered, Role.AGENT, {"productVersion": "4.1"})
    nps = expected["nps"]
    assert isinstance(nps, dict)
    assert float(figures["nps"]) == nps["nps"]
    assert float(figures["nps_margin_of_error"]) == nps["marginOfError"]
    assert int(figures["promoters"]) == nps["promoters"]
    assert int(figures["responses"]) == expected["responses"] == 11


def test_signing_out_forgets_the_session(answered: LiveApi) -> None:
    """The sign-out button (with its form token) expires the cookie: back to the sign-in."""
    with signed_in_client(answered, Role.ANALYST) as client:
        page = client.get("/dashboard")
        token = re.search(r'action="/dashboard/sign-out".*?value="([^"]+)"', page.text, re.S)
        assert token is not None
        out = client.post("/dashboard/sign-out", data={"csrf_token": token.group(1)})
        assert out.status_code == 303
        assert client.get("/dashboard").headers["location"] == "/dashboard/sign-in"


SERVICE = """{ serviceMetrics { totals { ticketsOpened ticketsResolved firstResponseMedianSeconds
  resolutionP90Seconds resolvedWithinSla } } }"""


def test_an_analyst_sees_themes_but_never_a_comment(answered: LiveApi) -> None:
    """Comments are personal data: the feedback page and its CSV show an analyst the counts
    and themes, never the words; an agent reads them."""
    with signed_in_client(answered, Role.ANALYST) as client:
        html = client.get("/dashboard/feedback").text
        download = client.get("/dashboard/feedback", params={"format": "csv"}).text
    assert "slow checkout again" not in html and 'id="comments-withheld"' in html
    assert "slow checkout again" not in download
    assert int(text_of(html, "comments-count")) == 11
    with signed_in_client(answered, Role.AGENT) as client:
        shown = client.get("/dashboard/feedback").text
    assert shown.count("slow checkout again") == 8


def test_a_theme_of_fewer_people_than_the_minimum_group_is_not_listed(answered: LiveApi) -> None:
    """Three NA people wrote "rude support staff": an analyst (minimum 5) sees no such
    theme, and NA's insight suppressed, as surveyDashboard's insight is; an agent sees it."""
    with signed_in_client(answered, Role.ANALYST) as client:
        everyone = client.get("/dashboard/feedback").text
        html = client.get("/dashboard/feedback", params={"region": "NA"}).text
    assert "rude" not in everyone
    assert 'id="suppressed"' in html and "rude" not in html
    with signed_in_client(answered, Role.AGENT) as client:
        agent = client.get("/dashboard/feedback", params={"region": "NA"}).text
    themes = agent.split('id="detractor-themes"')[1].split("</table>")[0]
    assert "rude" in themes


def test_the_service_page_shows_the_figures_serviceMetrics_gives(answered: LiveApi) -> None:
    """Tickets opened and resolved, medians and SLA share equal the API's; the funnels show."""
    with signed_in_client(answered, Role.ANALYST) as client:
        html = client.get("/dashboard/service").text
        download = client.get("/dashboard/service", params={"format": "csv"}).text
    answered_ = answered.graphql(SERVICE, role=Role.ANALYST).json()
    totals = answered_["data"]["serviceMetrics"]["totals"]
    assert int(text_of(html, "tickets-opened")) == totals["ticketsOpened"]
    assert int(text_of(html, "tickets-resolved")) == totals["ticketsResolved"] >= 1
    assert float(value_of(html, "first-response-median")) == totals["firstResponseMedianSeconds"]
    assert 'id="loyalty-table"' in html and 'id="referral-table"' in html
    rows = {
        r["metric"]: r["value"]
        for r in csv.DictReader(io.StringIO(_without_comments(download)))
        if r["section"] == "service"
    }
    assert int(rows["tickets_opened"]) == totals["ticketsOpened"]
    assert float(rows["first_response_median_seconds"]) == totals["firstResponseMedianSeconds"]


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


FILTER_NAMES = st.sampled_from(
    ["survey", "channel", "region", "version", "tier", "since", "to", "interval", "tz", "format"]
)
DASHBOARDS = st.sampled_from(["/dashboard", "/dashboard/feedback", "/dashboard/service"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=DASHBOARDS,
    params=st.lists(st.tuples(FILTER_NAMES, st.text(max_size=30)), max_size=5),
)
def test_no_filters_in_the_url_get_a_500(
    answered: LiveApi, path: str, params: list[tuple[str, str]]
) -> None:
    """Whatever the query string holds (repeated, empty, unprintable, out of range), each
    dashboard answers its page, its CSV or a 400 page."""
    with signed_in_client(answered, Role.ANALYST) as client:
        page = client.get(path, params=tuple(params))
    assert page.status_code in {200, 400}, page.text


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(month=st.text(max_size=12), zone=st.text(max_size=20))
def test_no_report_month_or_zone_gets_a_500(answered: LiveApi, month: str, zone: str) -> None:
    """/dashboard/report: a PDF or a 400 page for any month and zone."""
    with signed_in_client(answered, Role.ANALYST) as client:
        page = client.get("/dashboard/report", params={"month": month, "tz": zone})
    assert page.status_code in {200, 400}, page.text
