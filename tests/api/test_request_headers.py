"""Who calls and through which channel, from the request headers: bad headers are refused
with a clear 4xx before anything runs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from domain.shared.metadata import Role
from infrastructure.tokens import JwtTokens
from tests.api.helpers import GRAPHQL_RESPONSE, assert_no_internals
from tests.support.ledgers import TEST_JWT_SECRET
from tests.support.server import LiveApi, module_api

COUNT = "{ customers { totalCount } }"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def post(api: LiveApi, **headers: str) -> httpx.Response:
    response = api.client.post(
        "/graphql", json={"query": COUNT}, headers={"accept": GRAPHQL_RESPONSE, **headers}
    )
    assert_no_internals(response)
    return response


def assert_unauthorised(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "data" not in response.json()


def test_valid_bearer_token_is_served(api: LiveApi) -> None:
    response = post(api, authorization=f"Bearer {api.token(Role.ANALYST)}")
    assert response.status_code == 200


def test_no_authorization_header_is_served_as_anonymous(api: LiveApi) -> None:
    assert post(api).status_code == 200


def test_garbage_bearer_token_answers_401_with_www_authenticate(api: LiveApi) -> None:
    assert_unauthorised(post(api, authorization="Bearer not.a.jwt"))


def test_token_signed_with_another_secret_answers_401(api: LiveApi) -> None:
    forged = JwtTokens("another-secret-" + "y" * 40, "cxledger").mint("mallory", Role.ADMIN)
    assert_unauthorised(post(api, authorization=f"Bearer {forged}"))


def test_token_from_another_issuer_answers_401(api: LiveApi) -> None:
    foreign = JwtTokens(TEST_JWT_SECRET, "someone-else").mint("mallory", Role.ADMIN)
    assert_unauthorised(post(api, authorization=f"Bearer {foreign}"))


def test_expired_token_answers_401(api: LiveApi) -> None:
    expired = api.tokens.mint("agent-1", Role.AGENT, ttl_seconds=-60)
    assert_unauthorised(post(api, authorization=f"Bearer {expired}"))


def test_token_for_the_system_role_answers_401(api: LiveApi) -> None:
    # SYSTEM is the ledger's own role (process managers); no caller may claim it.
    system = api.tokens.mint("intruder", Role.SYSTEM)
    assert_unauthorised(post(api, authorization=f"Bearer {system}"))


def test_basic_authorization_scheme_answers_401(api: LiveApi) -> None:
    assert_unauthorised(post(api, authorization="Basic YWRhOnNlY3JldA=="))


def test_bearer_scheme_without_a_token_answers_401(api: LiveApi) -> None:
    assert_unauthorised(post(api, authorization="Bearer"))


def test_empty_authorization_header_answers_401(api: LiveApi) -> None:
    assert_unauthorised(post(api, authorization=""))


def test_unknown_channel_header_answers_400(api: LiveApi) -> None:
    response = post(api, **{"x-cxl-channel": "carrier-pigeon"})
    assert response.status_code == 400
    assert "X-CXL-Channel" in response.json()["errors"][0]["message"]


def test_channel_header_is_case_insensitive(api: LiveApi) -> None:
    assert post(api, **{"x-cxl-channel": "Phone"}).status_code == 200


def test_correlation_id_that_is_not_a_uuid_answers_400(api: LiveApi) -> None:
    response = post(api, **{"x-correlation-id": "req-123"})
    assert response.status_code == 400
    assert "X-Correlation-Id" in response.json()["errors"][0]["message"]
