"""Personal data (name, email, phone) is shown only to the roles that may see it and to the
customer themself; other readers get null for those fields and the rest as usual; callers who
may not read customers at all (anonymous, another customer) are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from domain.shared.metadata import Role
from tests.api.helpers import CUSTOMER, error_codes, register
from tests.support.server import LiveApi, module_api

LIST = "{ customers { edges { node { id name email phone region } } } }"
LIST_AFTER = """
query L($after: String, $atLeast: String) {
  customers(first: 100, after: $after, atLeast: $atLeast) {
    edges { node { id name email phone region } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    """One server for the module: each test registers its own customer (unique email) and
    lists only from where the list ended before it."""
    with module_api(pg_admin) as running:
        yield running


def a_customer_and_email(api: LiveApi) -> tuple[str, str]:
    email = f"ada-{uuid4().hex}@example.org"
    payload = register(api, email=email, phone="+44 20 7946 0000", region="UK")
    assert payload["userErrors"] == []
    customer_id: str = payload["customer"]["id"]
    return customer_id, email


def a_customer(api: LiveApi) -> str:
    return a_customer_and_email(api)[0]


def end_of_list(api: LiveApi) -> str | None:
    """Once the read model has caught up with the whole log: the cursor of the last customer
    listed, None if there is none."""
    at_least = str(api.ledger.head_position())
    cursor: str | None = None
    while True:
        variables: dict[str, object] = {"after": cursor, "atLeast": at_least}
        response = api.graphql(LIST_AFTER, variables, role=Role.AGENT)
        connection = response.json()["data"]["customers"]
        if connection["edges"]:
            cursor = connection["pageInfo"]["endCursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            return cursor


def read_as(api: LiveApi, customer_id: str, role: Role | None, subject: str) -> dict[str, Any]:
    response = api.graphql(CUSTOMER, {"id": customer_id}, role=role, subject=subject)
    assert response.status_code == 200, response.text
    customer: dict[str, Any] = response.json()["data"]["customer"]
    return customer


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR], ids=str)
def test_personal_data_reads_as_null_for_roles_that_may_not_see_it(
    api: LiveApi, role: Role | None
) -> None:
    customer_id = a_customer(api)
    customer = read_as(api, customer_id, role, subject="someone")
    assert customer == {
        "id": customer_id,
        "name": None,
        "email": None,
        "phone": None,
        "region": "UK",
    }


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN, Role.PRIVACY_OFFICER], ids=str)
def test_personal_data_is_shown_to_roles_that_may_see_it(api: LiveApi, role: Role) -> None:
    customer_id, email = a_customer_and_email(api)
    customer = read_as(api, customer_id, role, subject="staff-1")
    assert customer["name"] == "Ada Lovelace"
    assert customer["email"] == email
    assert customer["phone"] == "+44 20 7946 0000"


def test_customer_sees_their_own_personal_data(api: LiveApi) -> None:
    customer_id, email = a_customer_and_email(api)
    customer = read_as(api, customer_id, Role.CUSTOMER, subject=customer_id)
    assert customer["name"] == "Ada Lovelace"
    assert customer["email"] == email
    assert customer["phone"] == "+44 20 7946 0000"


# A fixed id, not uuid4(): parallel workers (pytest-xdist) must each collect the same test ids.
ANOTHER_CUSTOMER = "3f8d2c1a-5b7e-4e9a-9c0d-2a6b4f1e8d73"


@pytest.mark.parametrize(
    ("role", "subject"), [(None, "anonymous"), (Role.CUSTOMER, ANOTHER_CUSTOMER)], ids=str
)
def test_anonymous_callers_and_other_customers_are_refused_a_customer(
    api: LiveApi, role: Role | None, subject: str
) -> None:
    customer_id = a_customer(api)
    response = api.graphql(CUSTOMER, {"id": customer_id}, role=role, subject=subject)
    body = response.json()
    assert body["data"] == {"customer": None}
    assert error_codes(body) == ["FORBIDDEN"]
    assert "Ada" not in response.text


def test_staff_member_whose_subject_is_the_customer_id_is_still_judged_by_role(
    api: LiveApi,
) -> None:
    # Being "the subject" is a customer's privilege only: an analyst token that happens to
    # carry the customer's id as its subject must not unlock personal data.
    customer_id = a_customer(api)
    customer = read_as(api, customer_id, Role.ANALYST, subject=customer_id)
    assert customer["name"] is None


def test_customers_may_not_list_customers(api: LiveApi) -> None:
    own, email = a_customer_and_email(api)
    response = api.graphql(LIST, role=Role.CUSTOMER, subject=own)
    assert error_codes(response.json()) == ["FORBIDDEN"]
    assert email not in response.text
    assert "@example.org" not in response.text  # nor anyone else's


def test_an_analyst_listing_sees_no_personal_data(api: LiveApi) -> None:
    end = end_of_list(api)
    customer_id = a_customer(api)
    response = api.graphql(LIST_AFTER, {"after": end}, role=Role.ANALYST)
    (edge,) = response.json()["data"]["customers"]["edges"]
    assert edge["node"]["id"] == customer_id
    assert (edge["node"]["name"], edge["node"]["email"], edge["node"]["region"]) == (
        None,
        None,
        "UK",
    )
