"""Steps shared by the profile, purchase and Customer 360 API tests: send one mutation, read
its payload; read the events a stream holds."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.shared.metadata import Role
from tests.support.server import LiveApi

CUSTOMER_FIELDS = "id name email phone region version language birthYear"
PAYLOAD = (
    f"customer {{ {CUSTOMER_FIELDS} }} position userErrors {{ field code message currentVersion }}"
)
PURCHASE_FIELDS = (
    "purchase { id orderId customerId amount currency channel purchasedAt refunded refundable"
    " items { sku category quantity unitPrice } version }"
)


def mutate(
    api: LiveApi,
    name: str,
    input: dict[str, Any],  # noqa: A002
    role: Role | None = Role.AGENT,
    subject: str = "agent-1",
    selection: str = PAYLOAD,
) -> dict[str, Any]:
    """Send mutation ``name`` with ``input``; return its payload (refusals included)."""
    input_type = name[0].upper() + name[1:] + "Input"
    document = f"mutation M($input: {input_type}!) {{ {name}(input: $input) {{ {selection} }} }}"
    response = api.graphql(document, {"input": input}, role=role, subject=subject)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][name]
    return payload


def mutate_response(
    api: LiveApi,
    name: str,
    input: dict[str, Any],  # noqa: A002
    role: Role | None,
    subject: str,
) -> dict[str, Any]:
    """The whole response body, for mutations that may be refused as FORBIDDEN."""
    input_type = name[0].upper() + name[1:] + "Input"
    document = f"mutation M($input: {input_type}!) {{ {name}(input: $input) {{ position }} }}"
    response = api.graphql(document, {"input": input}, role=role, subject=subject)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def errors_of(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def events_of(api: LiveApi, stream_id: UUID | str) -> list[Any]:
    return list(api.ledger.repository.event_store.get(UUID(str(stream_id))))


def read_customer(
    api: LiveApi, customer_id: str, selection: str, role: Role = Role.AGENT, subject: str = "s"
) -> dict[str, Any]:
    response = api.graphql(
        f"query C($id: UUID!) {{ customer(id: $id) {{ {selection} }} }}",
        {"id": customer_id},
        role=role,
        subject=subject,
    )
    body = response.json()
    assert "errors" not in body, body
    customer: dict[str, Any] = body["data"]["customer"]
    return customer
