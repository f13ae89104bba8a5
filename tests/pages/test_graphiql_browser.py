"""GraphiQL in Debian's chromium, headless: it renders from files the package ships (every
request goes to the API's own origin, none to a CDN), runs a query and shows its result; in
development its headers editor holds a working token, and without one it holds none."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from domain.shared.metadata import Role
from graphql_api.web_options import WebOptions
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

RESULT = ".result-window"


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True)
        yield launched
        launched.close()


@contextlib.contextmanager
def served(pg_admin: str, development: bool) -> Iterator[LiveApi]:
    """A server whose GraphiQL pre-fills an agent's token (development) or nothing."""
    with fresh_database(pg_admin) as database, postgres_ledger(database) as ledger:
        started: list[LiveApi] = []

        def agent_token() -> str:
            return started[0].token(Role.AGENT, "graphiql")

        web = WebOptions(graphiql_token=agent_token if development else None)
        with live_api(ledger, database, run_worker=False, web=web) as api:
            started.append(api)
            yield api


@dataclass
class Visit:
    """A GraphiQL page and what it asked the network for and logged as errors."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)

    def run(self) -> str:
        """Press GraphiQL's run button and return the result pane's text once it shows one."""
        self.page.click(".graphiql-execute-button")
        self.page.wait_for_function(
            f"document.querySelector('{RESULT}')?.innerText.includes('\"data\"')"
            f" || document.querySelector('{RESULT}')?.innerText.includes('\"errors\"')"
        )
        return self.page.inner_text(RESULT)

    def headers_editor(self) -> str:
        """The text of GraphiQL's headers editor (its tab opened first)."""
        self.page.click(".graphiql-editor-tools button:has-text('Headers')")
        return self.page.inner_text(".graphiql-editor-tool .graphiql-editor:not(.hidden)")


@contextlib.contextmanager
def visit(browser: Browser, api: LiveApi, query: str) -> Iterator[Visit]:
    page = browser.new_page()
    seen = Visit(page)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("websocket", lambda socket: seen.websockets.append(socket.url))
    try:
        page.goto(f"{api.url}/graphql?q={quote(query)}", wait_until="load")
        page.wait_for_selector(".graphiql-container .CodeMirror", timeout=30_000)
        yield seen
    finally:
        page.close()


def test_graphiql_runs_a_query_with_every_request_on_the_apis_own_origin(
    pg_admin: str, browser: Browser
) -> None:
    with served(pg_admin, development=False) as api, visit(browser, api, "{ __typename }") as v:
        result = v.run()
        assert '"__typename": "Query"' in result
        api_host = urlsplit(api.url).netloc
        assert v.requests, "the page made no request at all"
        elsewhere = [url for url in v.requests if urlsplit(url).netloc != api_host]
        assert elsewhere == [], f"requests left the server: {elsewhere}"
        assert any("/graphiql/graphiql.min.js" in url for url in v.requests)
        assert v.errors == []


def test_graphiql_shows_the_explorer_plugin(pg_admin: str, browser: Browser) -> None:
    with served(pg_admin, development=False) as api, visit(browser, api, "{ __typename }") as v:
        v.page.click("button[aria-label='Show GraphiQL Explorer']")
        v.page.wait_for_selector(".graphiql-explorer-root", timeout=15_000)
        assert "customers" in v.page.inner_text(".graphiql-explorer-root")


def test_in_development_graphiql_prefills_a_token_that_authorises_staff_queries(
    pg_admin: str, browser: Browser
) -> None:
    query = "{ customers { totalCount } }"
    with served(pg_admin, development=True) as api, visit(browser, api, query) as v:
        assert '"Authorization": "Bearer ey' in v.headers_editor()
        result = v.run()
        assert '"totalCount": 0' in result


def test_without_a_development_token_graphiql_prefills_no_authorization(
    pg_admin: str, browser: Browser
) -> None:
    query = "{ customers { totalCount } }"
    with served(pg_admin, development=False) as api, visit(browser, api, query) as v:
        assert "Authorization" not in v.headers_editor()
        result = v.run()
        assert '"totalCount"' not in result
        assert '"errors"' in result


def test_graphiql_subscribes_over_graphql_ws_authorised_by_the_headers_editor(
    pg_admin: str, browser: Browser
) -> None:
    """The subscription's WebSocket carries the editor's Authorization in connection_init
    (an anonymous caller may not follow the dashboard)."""
    query = "subscription { surveyDashboardUpdated { invitations responses } }"
    with served(pg_admin, development=True) as api, visit(browser, api, query) as v:
        result = v.run()
        assert '"invitations": 0' in result
        assert v.websockets == [api.url.replace("http://", "ws://") + "/graphql"]
        assert v.errors == []
