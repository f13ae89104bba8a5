"""Password reset and change over the API: the same answer for every email, tokens that work
once, and a password hash that never leaves the server.

The tests share one server: each registers its customers under emails of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.model import Customer
from domain.shared.metadata import Role
from tests.api.helpers import assert_no_internals, error_codes, unique_email
from tests.api.test_log_in import PASSWORD, customer_with_password, log_in
from tests.support.server import LiveApi, module_api

REQUEST_RESET = """
mutation Request($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { accepted userErrors { field code message } }
}
"""
RESET = """
mutation Reset($input: ResetPasswordInput!) {
  resetPassword(input: $input) { customerId userErrors { field code message } }
}
"""
CHANGE = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { customerId userErrors { field code message } }
}
"""
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def send(
    api: LiveApi, query: str, role: Role | None = None, subject: str = "x", **fields: Any
) -> Any:
    response = api.graphql(query, {"input": fields}, role=role, subject=subject)
    assert response.status_code == 200, response.text
    assert_no_internals(response)
    assert "$argon2" not in response.text
    return response.json()


def data(
    api: LiveApi, query: str, role: Role | None = None, subject: str = "x", **fields: Any
) -> Any:
    body = send(api, query, role, subject, **fields)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def reset_token(api: LiveApi, customer_id: str) -> str:
    events = api.ledger.events.get(UUID(customer_id))
    requested = [e for e in events if isinstance(e, Customer.PasswordResetRequested)]
    token = requested[-1].token.value
    assert isinstance(token, str)
    return token


def test_requesting_a_reset_answers_the_same_for_known_unknown_and_invalid_emails(
    api: LiveApi,
) -> None:
    ada = unique_email("ada")
    customer_with_password(api, ada)
    answers = [
        data(api, REQUEST_RESET, email=email)
        for email in (ada, unique_email("nobody"), "not an email", "")
    ]
    assert answers == [{"accepted": True, "userErrors": []}] * 4


def test_a_reset_is_requested_only_for_a_known_email(api: LiveApi) -> None:
    token = uuid4().hex
    customer_with_password(api, f"ada-{token}@example.org")
    head = api.quiet_head()
    data(api, REQUEST_RESET, email=unique_email("nobody"))
    assert api.ledger.head_position() == head
    data(api, REQUEST_RESET, email=f"ADA-{token}@example.org")
    assert api.ledger.head_position() == head + 1


def test_the_reset_token_sets_a_new_password_once(api: LiveApi) -> None:
    ada = unique_email()
    customer_id = customer_with_password(api, ada)
    data(api, REQUEST_RESET, email=ada)
    token = reset_token(api, customer_id)
    reset = data(api, RESET, token=token, newPassword=NEW_PASSWORD)
    assert reset == {"customerId": customer_id, "userErrors": []}
    assert log_in(api, ada, NEW_PASSWORD)["customerId"] == customer_id
    assert log_in(api, ada, PASSWORD)["token"] is None
    again = data(api, RESET, token=token, newPassword="yet another passphrase")
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_RESET_TOKEN"]


def test_a_made_up_reset_token_is_refused_and_writes_nothing(api: LiveApi) -> None:
    ada = unique_email()
    customer_id = customer_with_password(api, ada)
    data(api, REQUEST_RESET, email=ada)
    head = api.quiet_head()
    for token in ("nonsense", f"{UUID(customer_id).hex}.guess", f"{uuid4().hex}.guess"):
        reset = data(api, RESET, token=token, newPassword=NEW_PASSWORD)
        assert reset["customerId"] is None
        assert reset["userErrors"] == [
            {
                "field": ["input", "token"],
                "code": "INVALID_RESET_TOKEN",
                "message": "the reset link is invalid or has expired",
            }
        ]
    assert api.ledger.head_position() == head


def test_a_weak_new_password_is_refused_on_its_field(api: LiveApi) -> None:
    ada = unique_email()
    customer_id = customer_with_password(api, ada)
    data(api, REQUEST_RESET, email=ada)
    reset = data(api, RESET, token=reset_token(api, customer_id), newPassword="short")
    assert [(e["field"], e["code"]) for e in reset["userErrors"]] == [
        (["input", "newPassword"], "WEAK_PASSWORD")
    ]


def test_a_customer_changes_their_own_password(api: LiveApi) -> None:
    ada = unique_email()
    customer_id = customer_with_password(api, ada)
    changed = data(
        api,
        CHANGE,
        role=Role.CUSTOMER,
        subject=customer_id,
        customerId=customer_id,
        currentPassword=PASSWORD,
        newPassword=NEW_PASSWORD,
    )
    assert changed == {"customerId": customer_id, "userErrors": []}
    assert log_in(api, ada, NEW_PASSWORD)["customerId"] == customer_id


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(api: LiveApi) -> None:
    customer_id = customer_with_password(api, unique_email())
    head = api.quiet_head()
    as_self: dict[str, Any] = {"role": Role.CUSTOMER, "subject": customer_id}
    wrong = data(
        api,
        CHANGE,
        **as_self,
        customerId=customer_id,
        currentPassword="nope",
        newPassword=NEW_PASSWORD,
    )
    weak = data(
        api,
        CHANGE,
        **as_self,
        customerId=customer_id,
        currentPassword=PASSWORD,
        newPassword="ada lovelace 1",
    )
    assert [(e["field"], e["code"]) for e in wrong["userErrors"] + weak["userErrors"]] == [
        (["input", "currentPassword"], "INVALID_CREDENTIALS"),
        (["input", "newPassword"], "WEAK_PASSWORD"),
    ]
    assert api.ledger.head_position() == head


def test_nobody_else_may_change_a_customers_password(api: LiveApi) -> None:
    customer_id = customer_with_password(api, unique_email("ada"))
    other = customer_with_password(api, unique_email("bob"))
    head = api.quiet_head()
    for role, subject in [(Role.CUSTOMER, other), (Role.ADMIN, "admin-1"), (None, "x")]:
        body = send(
            api,
            CHANGE,
            role=role,
            subject=subject,
            customerId=customer_id,
            currentPassword=PASSWORD,
            newPassword=NEW_PASSWORD,
        )
        assert error_codes(body) == ["FORBIDDEN"]
    assert api.ledger.head_position() == head
