"""CORS in a real browser: a page on another loopback origin calls /graphql with a bearer
token (so the browser sends a preflight first) and reads the answer only when the API lists
the page's origin in CXL_CORS_ORIGINS."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from domain.shared.metadata import Role
from graphql_api.web_options import WebOptions
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, free_port, live_api
from tests.support.static_site import static_site

PAGE = """<!doctype html><title>app</title><pre id="out">waiting</pre>
<script>
async function call(url, token) {
  const out = document.getElementById("out");
  try {
    const response = await fetch(url + "/graphql", {
      method: "POST",
      headers: {"content-type": "application/json", "authorization": "Bearer " + token,
                "x-cxl-channel": "web"},
      body: JSON.stringify({query: "{ customers { totalCount } }"}),
    });
    out.textContent = "answered " + JSON.stringify(await response.json());
  } catch (error) {
    out.textContent = "blocked " + error.name;
  }
}
</script>"""


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with static_site({"/": PAGE}, free_port()) as origin:
        yield origin


@contextlib.contextmanager
def api_for(pg_admin: str, origins: tuple[str, ...]) -> Iterator[LiveApi]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, run_worker=False, web=WebOptions(cors_origins=origins)) as api,
    ):
        yield api


def outcome(browser: Browser, site: str, api: LiveApi) -> str:
    page = browser.new_page()
    try:
        page.goto(site + "/")
        token = api.token(Role.ANALYST)
        page.evaluate(f"call({json.dumps(api.url)}, {json.dumps(token)})")
        page.wait_for_function("!document.getElementById('out').textContent.startsWith('wait')")
        return page.inner_text("#out")
    finally:
        page.close()


def test_a_page_on_a_listed_origin_reads_the_apis_answer(
    pg_admin: str, browser: Browser, site: str
) -> None:
    with api_for(pg_admin, (site,)) as api:
        answer = outcome(browser, site, api)
        assert answer.startswith("answered ")
        assert json.loads(answer.removeprefix("answered "))["data"] == {
            "customers": {"totalCount": 0}
        }


def test_a_page_on_an_origin_not_listed_is_blocked_by_the_browser(
    pg_admin: str, browser: Browser, site: str
) -> None:
    with api_for(pg_admin, ("http://127.0.0.1:1",)) as api:
        assert outcome(browser, site, api) == "blocked TypeError"


def test_a_page_on_another_origin_is_blocked_when_no_origin_is_listed(
    pg_admin: str, browser: Browser, site: str
) -> None:
    with api_for(pg_admin, ()) as api:
        assert outcome(browser, site, api) == "blocked TypeError"
