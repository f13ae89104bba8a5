"""Tokens do not outlive what they stand for, over HTTP.

Given a customer's token from logIn, when their password is changed or reset, or their data
erased, then the old token is refused (401) by the very next request, and changePassword
answers with a new one that works. A token whose lifetime exceeds the maximum is refused
whoever signed it, as is one without `iat` or issued in the future.

The tests share one server: each uses customers of its own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import jwt
import pytest

from domain.customer.model import Customer
from domain.privacy.erasure import ErasureReason
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.api.helpers import CUSTOMER, unique_email
from tests.api.test_log_in import PASSWORD, customer_with_password, log_in
from tests.support.ledgers import TEST_JWT_SECRET
from tests.support.server import LiveApi, module_api

NEW_PASSWORD = "a brand new passphrase"
CHANGE = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { customerId token expiresAt userErrors { code } }
}
"""
RESET = """
mutation Reset($input: ResetPasswordInput!) {
  resetPassword(input: $input) { customerId userErrors { code } }
}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def logged_in(api: LiveApi) -> tuple[str, str, str]:
    """A customer with a password, logged in: their id, email and token."""
    email = unique_email()
    customer_id = customer_with_password(api, email)
    payload = log_in(api, email, PASSWORD)
    assert payload["userErrors"] == []
    return customer_id, email, payload["token"]


def with_token(api: LiveApi, token: str, query: str, variables: dict[str, Any]) -> httpx.Response:
    return api.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )


def reads_themself(api: LiveApi, token: str, customer_id: str) -> httpx.Response:
    return with_token(api, token, CUSTOMER, {"id": customer_id})


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "data" not in response.json()


def test_a_fresh_token_reads_its_customer(api: LiveApi) -> None:
    customer_id, email, token = logged_in(api)
    response = reads_themself(api, token, customer_id)
    assert response.status_code == 200 and response.json()["data"]["customer"]["email"] == email


def test_changing_the_password_refuses_the_old_token_and_returns_a_working_one(
    api: LiveApi,
) -> None:
    customer_id, _, old = logged_in(api)
    change = {"customerId": customer_id, "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    response = with_token(api, old, CHANGE, {"input": change})
    changed = response.json()["data"]["changePassword"]
    assert changed["userErrors"] == [] and changed["customerId"] == customer_id
    assert_refused(reads_themself(api, old, customer_id))
    assert reads_themself(api, changed["token"], customer_id).status_code == 200
    assert datetime.fromisoformat(changed["expiresAt"]) > datetime.now(UTC)


def test_a_refused_password_change_keeps_the_token(api: LiveApi) -> None:
    customer_id, _, token = logged_in(api)
    change = {"customerId": customer_id, "currentPassword": "wrong", "newPassword": NEW_PASSWORD}
    changed = with_token(api, token, CHANGE, {"input": change}).json()["data"]["changePassword"]
    assert [e["code"] for e in changed["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert changed["token"] is None
    assert reads_themself(api, token, customer_id).status_code == 200


def test_resetting_the_password_refuses_every_earlier_token(api: LiveApi) -> None:
    customer_id, email, token = logged_in(api)
    api.ledger.request_password_reset(email, EventMetadata.system())
    [requested] = [
        e
        for e in api.ledger.events.get(UUID(customer_id))
        if isinstance(e, Customer.PasswordResetRequested)
    ]
    reset = {"token": requested.token.value, "newPassword": NEW_PASSWORD}
    answer = api.client.post("/graphql", json={"query": RESET, "variables": {"input": reset}})
    assert answer.json()["data"]["resetPassword"]["userErrors"] == []
    assert_refused(reads_themself(api, token, customer_id))
    again = log_in(api, email, NEW_PASSWORD)["token"]
    assert reads_themself(api, again, customer_id).status_code == 200


def test_completing_an_erasure_refuses_the_customers_token(api: LiveApi) -> None:
    customer_id, _, token = logged_in(api)
    officer = EventMetadata(actor_id="po-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.API)
    subject = UUID(customer_id)
    api.ledger.request_erasure(subject, None, ErasureReason.CUSTOMER_REQUEST, 0, officer)
    api.ledger.complete_erasure(subject, officer)
    assert_refused(reads_themself(api, token, customer_id))


def test_a_token_minted_before_the_last_revocation_is_refused_and_one_after_is_not(
    api: LiveApi,
) -> None:
    """The session version in the token is what is compared, not the token's age."""
    customer_id = customer_with_password(api, unique_email())
    api.ledger.change_password(UUID(customer_id), PASSWORD, NEW_PASSWORD, EventMetadata.system())
    stale = api.token(Role.CUSTOMER, customer_id, session_version=0)
    current = api.token(Role.CUSTOMER, customer_id, session_version=1)
    assert_refused(reads_themself(api, stale, customer_id))
    assert reads_themself(api, current, customer_id).status_code == 200


def forged_lifetime(iat: int | None, exp: int, role: str = "agent") -> str:
    claims: dict[str, Any] = {"sub": "agent-1", "role": role, "iss": "cxledger", "exp": exp}
    if iat is not None:
        claims["iat"] = iat
    return jwt.encode(claims, TEST_JWT_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda now: forged_lifetime(now, now + 10**10), id="exp-10^10-s-away"),
        pytest.param(lambda now: forged_lifetime(now, now + 86_401), id="a-second-too-long"),
        pytest.param(lambda now: forged_lifetime(None, now + 60), id="without-iat"),
        pytest.param(lambda now: forged_lifetime(now + 600, now + 660), id="issued-in-future"),
    ],
)
def test_a_token_that_would_live_too_long_is_refused_though_we_signed_it(
    api: LiveApi, token: Any
) -> None:
    head = api.quiet_head()
    response = with_token(
        api, token(int(time.time())), "{ customers(first: 1) { totalCount } }", {}
    )
    assert_refused(response)
    assert api.ledger.head_position() == head
