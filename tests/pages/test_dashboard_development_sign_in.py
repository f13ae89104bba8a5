"""The development sign-in: offered only by a server that has a development token (as
CXL_ENVIRONMENT=development gives GraphiQL) and only to a browser on the server's own machine;
it signs in with a token of the role picked (agent unless another is). And behind a trusted
proxy that ends TLS, the session cookie is Secure."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from domain.shared.metadata import Role
from graphql_api.context import ApiLimits
from graphql_api.limits.config import RequestLimits
from graphql_api.web_options import WebOptions
from infrastructure.tokens import JwtTokens
from tests.pages.dashboard_world import csrf_in
from tests.support.ledgers import TEST_JWT_SECRET, postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

PROXIED = {"x-forwarded-for": "203.0.113.9"}
BEHIND_PROXY = ApiLimits(requests=RequestLimits(trusted_proxies=frozenset({"127.0.0.1"})))


@pytest.fixture(scope="module")
def development(pg_admin: str) -> Iterator[LiveApi]:
    tokens = JwtTokens(TEST_JWT_SECRET, "cxledger")
    web = WebOptions(
        graphiql_token=lambda: tokens.mint("graphiql-development", Role.AGENT),
        development_token=lambda role: tokens.mint("graphiql-development", role),
        access_log=False,
    )
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, BEHIND_PROXY, web=web) as api,
    ):
        yield api


def test_a_local_browser_signs_in_with_the_development_button(development: LiveApi) -> None:
    """The button is on the form; pressing it sets the session and opens the dashboard as
    the development agent."""
    with httpx.Client(base_url=development.url) as client:
        form = client.get("/dashboard/sign-in").text
        assert 'id="development-sign-in"' in form
        sent = client.post(
            "/dashboard/sign-in", data={"csrf_token": csrf_in(form), "development": "1"}
        )
        assert sent.status_code == 303 and "cxl_staff_session=" in sent.headers["set-cookie"]
        page = client.get("/dashboard")
    assert page.status_code == 200
    assert '<strong id="viewer-role">agent</strong>' in page.text


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_the_development_sign_in_takes_the_role_picked(development: LiveApi, role: str) -> None:
    """The form offers agent, analyst and admin; the one picked is the session's role."""
    with httpx.Client(base_url=development.url) as client:
        form = client.get("/dashboard/sign-in").text
        assert all(f'<option value="{r}">' in form for r in ("agent", "analyst", "admin"))
        sent = client.post(
            "/dashboard/sign-in",
            data={"csrf_token": csrf_in(form), "development": "1", "role": role},
        )
        assert sent.status_code == 303
        page = client.get("/dashboard")
    assert f'<strong id="viewer-role">{role}</strong>' in page.text


@pytest.mark.parametrize("role", ["customer", "privacy_officer", "system", ""])
def test_a_role_the_development_sign_in_does_not_offer_is_refused(
    development: LiveApi, role: str
) -> None:
    """Any other role is a 400 naming the roles offered, and no cookie is set."""
    with httpx.Client(base_url=development.url) as client:
        form = client.get("/dashboard/sign-in").text
        sent = client.post(
            "/dashboard/sign-in",
            data={"csrf_token": csrf_in(form), "development": "1", "role": role},
        )
    assert sent.status_code == 400 and "set-cookie" not in sent.headers
    assert "agent, analyst and admin" in sent.text


def test_through_a_proxy_the_button_is_neither_shown_nor_honoured(development: LiveApi) -> None:
    """A request that came through a proxy is not local: no button, and its post is 403."""
    with httpx.Client(base_url=development.url, headers=PROXIED) as client:
        form = client.get("/dashboard/sign-in").text
        assert "development-sign-in" not in form
        sent = client.post(
            "/dashboard/sign-in", data={"csrf_token": csrf_in(form), "development": "1"}
        )
    assert sent.status_code == 403 and "set-cookie" not in sent.headers


def test_behind_a_trusted_proxy_ending_tls_the_cookie_is_secure(development: LiveApi) -> None:
    """X-Forwarded-Proto: https from a trusted proxy (127.0.0.1 here) makes the cookie
    Secure (test_dashboard_pages_api: from an untrusted client it is not)."""
    with httpx.Client(base_url=development.url) as client:
        form = client.get("/dashboard/sign-in").text
        sent = client.post(
            "/dashboard/sign-in",
            data={"csrf_token": csrf_in(form), "token": development.token(Role.ANALYST)},
            headers={"x-forwarded-proto": "https"},
        )
    assert sent.status_code == 303
    attributes = {part.strip().lower() for part in sent.headers["set-cookie"].split(";")}
    assert "secure" in attributes and "httponly" in attributes
