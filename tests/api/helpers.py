"""GraphQL documents and small steps shared by the API tests."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import httpx

from domain.shared.metadata import Role
from tests.support.server import LiveApi

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

REGISTER = """
mutation Register($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) {
    customer { id name email phone region version }
    position
    userErrors { field code message }
  }
}
"""

CUSTOMER = """
query Customer($id: UUID!, $atLeast: String) {
  customer(id: $id, atLeast: $atLeast) { id name email phone region }
}
"""

# Anything that would tell a client how the server is built: a stack trace or a source path.
_INTERNALS = re.compile(r"Traceback|File \"|\.py\b|site-packages")


def analyst(api: LiveApi) -> dict[str, str]:
    """Headers of a caller who may read customers but not their personal data."""
    return {"authorization": f"Bearer {api.token(Role.ANALYST)}"}


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def assert_no_internals(response: httpx.Response) -> None:
    leaked = _INTERNALS.search(response.text)
    assert leaked is None, f"response leaks internals: {response.text!r}"


def error_codes(body: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in body["errors"]]


def register(
    api: LiveApi,
    name: str = "Ada Lovelace",
    email: str = "ada@example.org",
    role: Role | None = Role.AGENT,
    subject: str = "test-actor",
    **fields: Any,
) -> dict[str, Any]:
    """Register a customer over HTTP; return the mutation payload (which may hold userErrors)."""
    response = api.graphql(
        REGISTER, {"input": {"name": name, "email": email, **fields}}, role=role, subject=subject
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["registerCustomer"]
    return payload


def registered(api: LiveApi, name: str = "Ada Lovelace", email: str = "ada@example.org") -> str:
    """Register a customer that must be accepted; return its id."""
    payload = register(api, name=name, email=email)
    assert payload["userErrors"] == [], payload
    customer_id: str = payload["customer"]["id"]
    return customer_id


def unique_email(local: str = "ada", domain: str = "example.org") -> str:
    """An email no other test on a shared server uses (nor has throttled)."""
    return f"{local}-{uuid4().hex}@{domain}"


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """A response body without the cost every answer reports in ``extensions`` (for tests
    that compare the rest of the body exactly)."""
    rest = {key: value for key, value in body.items() if key != "extensions"}
    extensions = {key: value for key, value in body.get("extensions", {}).items() if key != "cost"}
    return {**rest, "extensions": extensions} if extensions else rest
