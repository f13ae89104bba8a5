"""The whole loop of the README's "from a fresh clone" walk, through a real `cxledger serve` in
development (its mail catcher, /dev/mailbox, the pages, the worker's reactions): register with
a password, reset it from the mailbox's link, log in with the new one; answer an emailed NPS
survey with a 3 on its page; the follow-up ticket appears in the queue; the agent resolves it;
the CSAT invitation arrives in the mailbox."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from domain.shared.metadata import Role
from infrastructure.database import Database
from infrastructure.tokens import JwtTokens
from tests.integration.test_serve import start_server, stop
from tests.support.cli import cli_env
from tests.support.ledgers import TEST_JWT_SECRET

PUBLIC_URL = "https://shop.example.com"
PASSWORD, NEW_PASSWORD = "first password of Ada 1", "second password of Ada 2"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def call(url: str, query: str, role: Role | None = None, token: str | None = None) -> Any:
    """POST a GraphQL operation, as ``role`` (staff), with ``token``, or anonymously."""
    if role is not None:
        token = JwtTokens(TEST_JWT_SECRET, "cxledger").mint(f"{role.value}-1", role)
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    response = httpx.post(f"{url}/graphql", json={"query": query}, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def eventually(found: Callable[[], Any], what: str, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def mailbox_links(url: str, path: str) -> list[str]:
    """The links to ``path`` in the development mailbox, newest message first, made local."""
    page = httpx.get(f"{url}/dev/mailbox", timeout=5).text
    found = re.findall(rf'href="{re.escape(PUBLIC_URL)}({re.escape(path)}[^"]+)"', page)
    return [f"{url}{html.unescape(link)}" for link in dict.fromkeys(found)]


def post_form(link: str, fields: dict[str, str]) -> httpx.Response:
    """Open a page, then send its form with its form token."""
    page = httpx.get(link, timeout=5)
    assert page.status_code == 200, page.text
    token = CSRF.search(page.text)
    assert token is not None, page.text
    return httpx.post(link, data={"csrf_token": token.group(1), **fields}, timeout=10)


def log_in(url: str, password: str) -> dict[str, Any]:
    """Log in as Ada: her customer id and token (the log-in must succeed)."""
    answer = call(
        url,
        f'mutation {{ logIn(input: {{email: "ada@example.org", password: "{password}"}})'
        " { token customerId userErrors { code } } }",
    )["logIn"]
    assert answer["userErrors"] == [] and answer["token"], answer
    return dict(answer)


def test_the_readme_walk_from_a_password_reset_to_the_csat_invitation(
    database: Database, tmp_path: Path
) -> None:
    csat = uuid4()
    env = cli_env(
        database,
        data_dir=tmp_path / "var",
        CXL_PUBLIC_URL=PUBLIC_URL,
        CXL_DELIVERY_INTERVAL="0.2",
        CXL_REACTION_CSAT_SURVEY_ID=str(csat),
    )
    process, url = start_server(env)
    try:
        # Register with a password, log in, opt in to email; reset the password from the mailbox.
        registered = call(
            url,
            'mutation { registerCustomer(input: {name: "Ada", email: "ada@example.org", '
            f'password: "{PASSWORD}"}}) {{ userErrors {{ code }} }} }}',
        )["registerCustomer"]
        assert registered["userErrors"] == []
        first = log_in(url, PASSWORD)
        ada = first["customerId"]
        call(
            url,
            f'mutation {{ setContactPreferences(input: {{customerId: "{ada}", email: true}})'
            " { userErrors { code } } }",
            token=first["token"],
        )
        call(
            url,
            'mutation { requestPasswordReset(input: {email: "ada@example.org"})'
            " { userErrors { code } } }",
        )
        [reset] = eventually(lambda: mailbox_links(url, "/reset/"), "the reset mail")
        done = post_form(reset, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
        assert done.status_code == 200, done.text
        assert log_in(url, NEW_PASSWORD)["customerId"] == ada

        # The surveys: the CSAT one the setting names, and an NPS survey Ada is invited to.
        for survey_id, kind in ((csat, "CSAT"), (uuid4(), "NPS")):
            call(
                url,
                f'mutation {{ draftSurvey(input: {{surveyId: "{survey_id}", kind: {kind}, '
                f'title: "{kind}", question: "How did we do?", channels: [EMAIL]}})'
                " { userErrors { code } } }",
                Role.ADMIN,
            )
            call(
                url,
                f'mutation {{ publishSurvey(input: {{surveyId: "{survey_id}"}})'
                " { userErrors { code } } }",
                Role.ADMIN,
            )
        call(
            url,
            f'mutation {{ inviteToSurvey(input: {{surveyId: "{survey_id}", customerId: "{ada}", '
            "channel: EMAIL}) { userErrors { code } } }",
            Role.AGENT,
        )
        [nps] = eventually(lambda: mailbox_links(url, "/s/"), "the survey invitation")
        answered = post_form(nps, {"score": "3", "comment": "The parcel came late twice."})
        assert answered.status_code == 200, answered.text

        # The follow-up ticket appears in the queue; the agent resolves it.
        def follow_ups() -> list[dict[str, Any]]:
            query = (
                '{ tickets(filter: {category: "survey-follow-up"}) '
                "{ edges { node { id customerId priority } } } }"
            )
            edges = call(url, query, Role.AGENT)["tickets"]["edges"]
            return [edge["node"] for edge in edges]

        [ticket] = eventually(follow_ups, "the follow-up ticket")
        assert ticket["customerId"] == ada
        call(
            url,
            f'mutation {{ resolveTicket(input: {{ticketId: "{ticket["id"]}", '
            'resolution: "Called Ada, refunded the shipping."}) { userErrors { code } } }',
            Role.AGENT,
        )

        # The CSAT invitation arrives in the mailbox; its link opens the CSAT survey's page.
        links = eventually(
            lambda: [link for link in mailbox_links(url, "/s/") if link != nps], "the CSAT mail"
        )
        [csat_link] = links
        page = httpx.get(csat_link, timeout=5)
    finally:
        assert stop(process) == 0
    assert page.status_code == 200
    assert "How did we do?" in page.text and 'name="score"' in page.text
