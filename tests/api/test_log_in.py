"""logIn: a customer's token for the right password; one answer for every wrong one; a
throttle on repeated failures per email.

The tests share one server, and so one throttle: each uses emails of its own, so that no test's
failures count against another's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from tests.api.helpers import CUSTOMER, assert_no_internals, unique_email
from tests.support.server import LiveApi, module_api

PASSWORD = "correct horse battery"
LOG_IN = """
mutation LogIn($input: LogInInput!) {
  logIn(input: $input) { token expiresAt customerId userErrors { field code message } }
}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def customer_with_password(api: LiveApi, email: str) -> str:
    command = RegisterCustomer("Ada Lovelace", email, password=PASSWORD)
    result = api.ledger.register_customer(command, EventMetadata.system())
    api.caught_up()  # written through the ledger: wait until the read models show it
    return str(result.aggregate_id)


def log_in(api: LiveApi, email: str, password: str) -> dict[str, Any]:
    response = api.graphql(LOG_IN, {"input": {"email": email, "password": password}})
    assert response.status_code == 200, response.text
    assert_no_internals(response)
    payload: dict[str, Any] = response.json()["data"]["logIn"]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


def test_the_right_password_gives_a_customer_token_for_themself(api: LiveApi) -> None:
    token = uuid4().hex
    customer_id = customer_with_password(api, f"ada-{token}@example.org")
    payload = log_in(api, f"  ADA-{token}@example.org ", PASSWORD)
    assert payload["userErrors"] == []
    assert payload["customerId"] == customer_id and payload["expiresAt"]
    principal = api.tokens.verify(payload["token"])
    assert (principal.actor_id, principal.role) == (customer_id, Role.CUSTOMER)
    headers = {"authorization": f"Bearer {payload['token']}"}
    response = api.client.post(
        "/graphql",
        json={"query": CUSTOMER, "variables": {"id": customer_id}},
        headers=headers,
    )
    assert response.json()["data"]["customer"]["email"] == f"ada-{token}@example.org"


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(api: LiveApi) -> None:
    ada, nobody = unique_email("ada"), unique_email("nobody")
    customer_with_password(api, ada)
    wrong_password = log_in(api, ada, "not the password")
    unknown_email = log_in(api, nobody, PASSWORD)
    assert wrong_password == unknown_email
    assert wrong_password["token"] is None
    assert wrong_password["userErrors"] == [
        {"field": None, "code": "INVALID_CREDENTIALS", "message": "wrong email or password"}
    ]


def test_logging_in_writes_nothing_to_the_log(api: LiveApi) -> None:
    ada = unique_email()
    customer_with_password(api, ada)
    head = api.quiet_head()
    log_in(api, ada, PASSWORD)
    log_in(api, ada, "wrong")
    assert api.ledger.head_position() == head


def test_after_five_failures_even_the_right_password_is_refused(api: LiveApi) -> None:
    ada = unique_email()
    customer_with_password(api, ada)
    for _ in range(5):
        assert codes(log_in(api, ada, "wrong guess")) == ["INVALID_CREDENTIALS"]
    throttled = log_in(api, ada, PASSWORD)
    assert codes(throttled) == ["TOO_MANY_ATTEMPTS"] and throttled["token"] is None


def test_an_unknown_email_is_throttled_like_a_known_one(api: LiveApi) -> None:
    ada, nobody = unique_email("ada"), unique_email("nobody")
    customer_with_password(api, ada)
    answers = {}
    for email in (ada, nobody):
        for _ in range(5):
            log_in(api, email, "wrong guess")
        answers[email] = log_in(api, email, "wrong guess")
    assert answers[ada] == answers[nobody]
    assert codes(answers[nobody]) == ["TOO_MANY_ATTEMPTS"]


def test_the_throttle_is_per_email(api: LiveApi) -> None:
    ada, mallory = unique_email("ada"), unique_email("mallory")
    customer_with_password(api, ada)
    for _ in range(6):
        log_in(api, mallory, "guess")
    assert codes(log_in(api, mallory, "guess")) == ["TOO_MANY_ATTEMPTS"]
    assert log_in(api, ada, PASSWORD)["userErrors"] == []


def test_a_success_resets_the_count_of_failures(api: LiveApi) -> None:
    ada = unique_email()
    customer_with_password(api, ada)
    for _ in range(4):
        log_in(api, ada, "wrong guess")
    assert log_in(api, ada, PASSWORD)["userErrors"] == []
    for _ in range(4):
        assert codes(log_in(api, ada, "wrong guess")) == ["INVALID_CREDENTIALS"]
    assert log_in(api, ada, PASSWORD)["userErrors"] == []


def test_the_throttle_keeps_no_clear_email_nor_address(api: LiveApi) -> None:
    throttle = "SELECT scope, key, hits FROM cxl_throttle_counters WHERE scope LIKE 'log-in%'"
    with api.database.connect() as conn:
        before = {(scope, key) for scope, key, _ in conn.execute(throttle).fetchall()}
    email = unique_email("secret.person")
    for _ in range(2):
        log_in(api, email, "guess")
    with api.database.connect() as conn:
        rows = conn.execute(throttle).fetchall()
    new = {scope: hits for scope, key, hits in rows if (scope, key) not in before}
    assert (new["log-in email"], new["log-in pair"]) == (2, 2)
    for _, key, _ in rows:
        assert "secret" not in key and "example" not in key and "127.0.0.1" not in key
