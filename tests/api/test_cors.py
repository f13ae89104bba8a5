"""CORS (CXL_CORS_ORIGINS): a browser page on a listed origin may call the API with
credentials and the API's own headers; any other origin gets no CORS header, and with no
origins listed the API answers as it always did."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from domain.shared.metadata import Role
from graphql_api.web_options import WebOptions
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

ALLOWED = "http://127.0.0.1:5173"
OTHER = "http://127.0.0.1:6666"
QUERY = {"query": "{ __typename }"}


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, web=WebOptions(cors_origins=(ALLOWED,))) as running,
    ):
        yield running


def preflight(client: httpx.Client, origin: str, headers: str) -> httpx.Response:
    return client.options(
        "/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": headers,
        },
    )


def test_preflight_from_a_listed_origin_allows_credentials_and_the_apis_headers(
    api: LiveApi,
) -> None:
    response = preflight(
        api.client, ALLOWED, "authorization, content-type, x-cxl-channel, x-correlation-id"
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type", "x-cxl-channel", "x-correlation-id"} <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]


def test_preflight_from_another_origin_gets_no_allow_origin(api: LiveApi) -> None:
    response = preflight(api.client, OTHER, "content-type")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_preflight_asking_for_a_header_the_api_does_not_read_is_refused(api: LiveApi) -> None:
    response = preflight(api.client, ALLOWED, "x-something-else")
    assert response.status_code == 400


def test_an_actual_request_from_a_listed_origin_exposes_the_apis_response_headers(
    api: LiveApi,
) -> None:
    response = api.client.post(
        "/graphql",
        json={"query": "{ customers { totalCount } }"},
        headers={"origin": ALLOWED, "authorization": f"Bearer {api.token(Role.ANALYST)}"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["customers"]["totalCount"] == 0
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "retry-after" in exposed
    assert "www-authenticate" in exposed


def test_an_actual_request_from_another_origin_carries_no_allow_origin(api: LiveApi) -> None:
    response = api.client.post("/graphql", json=QUERY, headers={"origin": OTHER})
    assert response.status_code == 200  # the browser, not the server, withholds the answer
    assert "access-control-allow-origin" not in response.headers


def test_without_listed_origins_the_api_has_no_cors(pg_admin: str) -> None:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, run_worker=False) as bare,
    ):
        assert preflight(bare.client, ALLOWED, "content-type").status_code == 405
        response = bare.client.post("/graphql", json=QUERY, headers={"origin": ALLOWED})
        assert "access-control-allow-origin" not in response.headers
