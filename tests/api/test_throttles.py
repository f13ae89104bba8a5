"""Throttles over HTTP, with the production policy: log-in failures per email and address
(spraying throttled, a real customer not locked out by someone else's guesses), wrong current
passwords per customer, one reset message per email per cooldown (parallel requests
included), each answered as usual.

The server believes X-Forwarded-For from 127.0.0.1 (a trusted proxy), so that these tests can
speak from several client addresses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import httpx
import pytest

from domain.customer.model import Customer
from domain.shared.metadata import Role
from graphql_api.context import ApiLimits
from graphql_api.limits.config import RequestLimits
from infrastructure.login import ThrottlePolicy
from tests.api.helpers import assert_no_internals, unique_email
from tests.api.test_log_in import LOG_IN, PASSWORD, customer_with_password
from tests.api.test_passwords import CHANGE, NEW_PASSWORD, REQUEST_RESET
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

PROXY = frozenset({"127.0.0.1"})


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    limits = ApiLimits(requests=RequestLimits(trusted_proxies=PROXY))
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, limits, login_policy=ThrottlePolicy()) as running,
    ):
        yield running


def from_address(api: LiveApi, query: str, variables: Any, address: str) -> httpx.Response:
    """An anonymous request, forwarded for ``address`` by the trusted proxy."""
    body = {"query": query, "variables": variables}
    return api.client.post("/graphql", json=body, headers={"x-forwarded-for": address})


def log_in(api: LiveApi, email: str, password: str, address: str) -> list[str]:
    """The codes of the answer's userErrors (none: logged in)."""
    variables = {"input": {"email": email, "password": password}}
    response = from_address(api, LOG_IN, variables, address)
    assert response.status_code == 200, response.text
    assert_no_internals(response)
    return [error["code"] for error in response.json()["data"]["logIn"]["userErrors"]]


def test_spraying_one_password_over_many_emails_is_throttled_per_address(api: LiveApi) -> None:
    answers = [log_in(api, unique_email(), "Summer2030!", "198.51.100.20") for _ in range(25)]
    assert answers == [["INVALID_CREDENTIALS"]] * 20 + [["TOO_MANY_ATTEMPTS"]] * 5
    ada = unique_email("ada")
    customer_with_password(api, ada)
    assert log_in(api, ada, PASSWORD, "198.51.100.20") == ["TOO_MANY_ATTEMPTS"]
    assert log_in(api, ada, PASSWORD, "198.51.100.21") == []


def test_someone_elses_failures_do_not_lock_a_customer_out(api: LiveApi) -> None:
    ada = unique_email("ada")
    customer_with_password(api, ada)
    mallory, home = "203.0.113.66", "192.0.2.10"
    guesses = [log_in(api, ada, f"guess {n}", mallory) for n in range(8)]
    assert guesses == [["INVALID_CREDENTIALS"]] * 5 + [["TOO_MANY_ATTEMPTS"]] * 3
    assert log_in(api, ada, PASSWORD, mallory) == ["TOO_MANY_ATTEMPTS"]
    assert log_in(api, ada, PASSWORD, home) == []


def test_a_customer_mistyping_from_one_address_is_locked_out_there(api: LiveApi) -> None:
    ada = unique_email("ada")
    customer_with_password(api, ada)
    for _ in range(5):
        assert log_in(api, ada, "mistyped", "192.0.2.30") == ["INVALID_CREDENTIALS"]
    assert log_in(api, ada, PASSWORD, "192.0.2.30") == ["TOO_MANY_ATTEMPTS"]


def change_password(api: LiveApi, customer_id: str, current: str) -> dict[str, Any]:
    variables: dict[str, object] = {
        "input": {
            "customerId": customer_id,
            "currentPassword": current,
            "newPassword": NEW_PASSWORD,
        }
    }
    response = api.graphql(CHANGE, variables, role=Role.CUSTOMER, subject=customer_id)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["changePassword"]
    return payload


def test_guessing_the_current_password_is_throttled_per_customer(api: LiveApi) -> None:
    customer_id = customer_with_password(api, unique_email())
    head = api.quiet_head()
    codes = [
        [e["code"] for e in change_password(api, customer_id, f"guess {n}")["userErrors"]]
        for n in range(7)
    ]
    assert codes == [["INVALID_CREDENTIALS"]] * 5 + [["TOO_MANY_ATTEMPTS"]] * 2
    refused = change_password(api, customer_id, PASSWORD)
    assert refused["customerId"] is None
    assert [e["code"] for e in refused["userErrors"]] == ["TOO_MANY_ATTEMPTS"]
    assert api.ledger.head_position() == head


def test_a_right_current_password_forgets_earlier_wrong_ones(api: LiveApi) -> None:
    customer_id = customer_with_password(api, unique_email())
    for n in range(4):
        change_password(api, customer_id, f"guess {n}")
    assert change_password(api, customer_id, PASSWORD)["userErrors"] == []


def resets_of(api: LiveApi, customer_id: str) -> int:
    events = api.ledger.events.get(UUID(customer_id))
    return sum(isinstance(e, Customer.PasswordResetRequested) for e in events)


def request_reset(url: str, email: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=30) as client:
        query = {"query": REQUEST_RESET, "variables": {"input": {"email": email}}}
        return client.post("/graphql", json=query)


def test_twenty_parallel_reset_requests_send_one_message_and_answer_alike(api: LiveApi) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    head = api.quiet_head()
    started = time.monotonic()
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: request_reset(api.url, email), range(20)))
    assert time.monotonic() - started >= 0.25
    assert [a.status_code for a in answers] == [200] * 20
    assert len({a.text for a in answers}) == 1
    assert answers[0].json()["data"] == {
        "requestPasswordReset": {"accepted": True, "userErrors": []}
    }
    assert resets_of(api, customer_id) == 1
    assert api.ledger.head_position() == head + 1


def test_a_reset_inside_the_cooldown_sends_nothing_and_says_nothing(api: LiveApi) -> None:
    email = unique_email()
    customer_id = customer_with_password(api, email)
    first, again = request_reset(api.url, email), request_reset(api.url, email)
    assert first.json() == again.json()
    assert resets_of(api, customer_id) == 1
