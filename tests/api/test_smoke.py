"""The API registers a customer and reads it back over HTTP."""

from __future__ import annotations

from domain.shared.metadata import Role
from tests.support.server import LiveApi

REGISTER = """
mutation Register($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) {
    customer { id name email region }
    position
    userErrors { field code message }
  }
}
"""


def test_registered_customer_is_in_the_mutation_payload(api: LiveApi) -> None:
    response = api.graphql(
        REGISTER, {"input": {"name": "Ada Lovelace", "email": "Ada@Example.org"}}, role=Role.AGENT
    )
    assert response.status_code == 200
    payload = response.json()["data"]["registerCustomer"]
    assert payload["userErrors"] == []
    assert payload["customer"]["email"] == "ada@example.org"
    assert payload["customer"]["name"] == "Ada Lovelace"
