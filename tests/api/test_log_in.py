"""logIn: a customer's token for the right password; one answer for every wrong one; a
throttle on repeated failures per email."""

from __future__ import annotations

from typing import Any

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from tests.api.helpers import CUSTOMER, assert_no_internals
from tests.support.server import LiveApi

PASSWORD = "correct horse battery"
LOG_IN = """
mutation LogIn($input: LogInInput!) {
  logIn(input: $input) { token expiresAt customerId userErrors { field code message } }
}
"""


def customer_with_password(api: LiveApi, email: str = "ada@example.org") -> str:
    command = RegisterCustomer("Ada Lovelace", email, password=PASSWORD)
    result = api.ledger.register_customer(command, EventMetadata.system())
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
    customer_id = customer_with_password(api)
    payload = log_in(api, "  ADA@example.org ", PASSWORD)
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
    assert response.json()["data"]["customer"]["email"] == "ada@example.org"


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(api: LiveApi) -> None:
    customer_with_password(api)
    wrong_password = log_in(api, "ada@example.org", "not the password")
    unknown_email = log_in(api, "nobody@example.org", PASSWORD)
    assert wrong_password == unknown_email
    assert wrong_password["token"] is None
    assert wrong_password["userErrors"] == [
        {"field": None, "code": "INVALID_CREDENTIALS", "message": "wrong email or password"}
    ]


def test_logging_in_writes_nothing_to_the_log(api: LiveApi) -> None:
    customer_with_password(api)
    head = api.ledger.head_position()
    log_in(api, "ada@example.org", PASSWORD)
    log_in(api, "ada@example.org", "wrong")
    assert api.ledger.head_position() == head


def test_after_five_failures_even_the_right_password_is_refused(api: LiveApi) -> None:
    customer_with_password(api)
    for _ in range(5):
        assert codes(log_in(api, "ada@example.org", "wrong guess")) == ["INVALID_CREDENTIALS"]
    throttled = log_in(api, "ada@example.org", PASSWORD)
    assert codes(throttled) == ["TOO_MANY_ATTEMPTS"] and throttled["token"] is None


def test_an_unknown_email_is_throttled_like_a_known_one(api: LiveApi) -> None:
    customer_with_password(api)
    answers = {}
    for email in ("ada@example.org", "nobody@example.org"):
        for _ in range(5):
            log_in(api, email, "wrong guess")
        answers[email] = log_in(api, email, "wrong guess")
    assert answers["ada@example.org"] == answers["nobody@example.org"]
    assert codes(answers["nobody@example.org"]) == ["TOO_MANY_ATTEMPTS"]


def test_the_throttle_is_per_email(api: LiveApi) -> None:
    customer_with_password(api)
    for _ in range(6):
        log_in(api, "mallory@example.org", "guess")
    assert log_in(api, "ada@example.org", PASSWORD)["userErrors"] == []


def test_a_success_resets_the_count_of_failures(api: LiveApi) -> None:
    customer_with_password(api)
    for _ in range(4):
        log_in(api, "ada@example.org", "wrong guess")
    assert log_in(api, "ada@example.org", PASSWORD)["userErrors"] == []
    for _ in range(4):
        assert codes(log_in(api, "ada@example.org", "wrong guess")) == ["INVALID_CREDENTIALS"]
    assert log_in(api, "ada@example.org", PASSWORD)["userErrors"] == []


def test_the_throttle_keeps_no_clear_email(api: LiveApi) -> None:
    for _ in range(2):
        log_in(api, "secret.person@example.org", "guess")
    with api.database.connect() as conn:
        rows = conn.execute("SELECT email_key, failures FROM cxl_login_throttle").fetchall()
    assert [failures for _, failures in rows] == [2]
    assert "secret" not in rows[0][0] and "example" not in rows[0][0]
