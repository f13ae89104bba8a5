"""GraphiQL's page names only files the server itself serves from the package (no CDN), and
serves each of them; its script-embedded settings cannot break out of their element."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.requests import Request

from graphql_api.graphiql import graphiql_response
from tests.support.server import LiveApi, module_api

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def test_the_page_loads_every_script_and_style_from_the_server_itself(api: LiveApi) -> None:
    page = api.client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets, "the page names no asset"
    assert [a for a in assets if not (a.startswith("/graphiql/") or a == "data:,")] == []
    assert "//" not in "".join(a for a in assets if a != "data:,")
    for asset in assets:
        if asset.startswith("/graphiql/"):
            response = api.client.get(asset)
            assert response.status_code == 200, asset
            expected = "javascript" if asset.endswith(".js") else "text/css"
            assert expected in response.headers["content-type"], asset
            assert len(response.content) > 500, asset


def test_the_vendored_files_record_their_versions_and_licences(api: LiveApi) -> None:
    versions = api.client.get("/graphiql/VERSIONS.md")
    assert versions.status_code == 200
    for package in ("| graphiql | 3.8.3 | MIT |", "| react | 18.2.0 | MIT |", "| graphql-ws |"):
        assert package in versions.text
    assert api.client.get("/graphiql/licenses/graphiql.LICENSE").status_code == 200


def test_an_asset_path_outside_the_folder_is_not_served(api: LiveApi) -> None:
    assert api.client.get("/graphiql/../graphiql/__init__.py").status_code == 404
    assert api.client.get("/graphiql/%2e%2e/page.html").status_code == 404


def test_a_token_cannot_close_the_script_element_that_holds_the_settings() -> None:
    request = Request({"type": "http", "client": ("127.0.0.1", 1), "headers": []})
    mint = lambda: "</script><script>alert(1)</script>"  # noqa: E731
    page = bytes(graphiql_response(mint, request).body).decode()
    assert "alert(1)" in page  # the token is there, escaped
    assert "alert(1)</script>" not in page
    assert page.count("</script>") == page.count("<script")


def caller(host: str, *headers: tuple[bytes, bytes]) -> Request:
    return Request({"type": "http", "client": (host, 50000), "headers": list(headers)})


@pytest.mark.parametrize(
    ("request_", "prefilled"),
    [
        (caller("127.0.0.1"), True),
        (caller("::1"), True),
        (caller("192.0.2.7"), False),
        (caller("127.0.0.1", (b"x-forwarded-for", b"203.0.113.9")), False),
        (caller("127.0.0.1", (b"forwarded", b"for=203.0.113.9")), False),
    ],
    ids=["loopback", "loopback-v6", "remote", "proxied", "proxied-rfc7239"],
)
def test_the_development_token_is_prefilled_only_for_a_caller_on_this_machine(
    request_: Request, prefilled: bool
) -> None:
    page = bytes(graphiql_response(lambda: "dev.token.value", request_).body).decode()
    assert ("Bearer dev.token.value" in page) is prefilled
