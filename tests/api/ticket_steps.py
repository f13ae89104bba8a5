"""Steps shared by the ticket API tests: customers who open tickets, agents who work them,
admins who set the SLA policy, and reads of a ticket as each kind of caller."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from domain.shared.metadata import Role
from tests.api.helpers import registered
from tests.api.loyalty_steps import RULE_PAYLOAD, account, admin, enrol
from tests.api.steps import mutate
from tests.support.server import LiveApi

USER_ERRORS = "userErrors { field code message currentVersion }"
CLOCK = "targetSeconds elapsedSeconds remainingSeconds running dueAt breached"
SLA = f"sla {{ firstResponse {{ {CLOCK} }} resolution {{ {CLOCK} }} breached }}"
TICKET_FIELDS = (
    "id customerId channel category subject description priority status assignee"
    " escalationLevel openedAt firstResponseAt resolvedAt closedAt reopenCount version"
    f" source {{ kind id }} {SLA}"
)
TICKET_PAYLOAD = f"ticket {{ {TICKET_FIELDS} }} position {USER_ERRORS}"
POLICY_FIELDS = (
    "targets { priority firstResponseMinutes resolutionMinutes }"
    " calendar { timeZone weekdays opens closes holidays } reopenWindowDays"
)
POLICY_PAYLOAD = f"policy {{ {POLICY_FIELDS} }} position {USER_ERRORS}"
STEP_FIELDS = (
    "version kind actorId actorRole public text"
    " details { byAgent firstResponse agentId priority level }"
    " sla { resolution { running } firstResponse { running } }"
)
AGENT = "agent-1"
ADMIN = "admin-1"


def customer(api: LiveApi) -> str:
    return registered(api, name="Tess Ticket", email=f"{uuid4().hex[:12]}@example.org")


def open_ticket(
    api: LiveApi,
    customer_id: str,
    role: Role = Role.CUSTOMER,
    actor: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Open a ticket (as the customer themself unless ``role`` says otherwise)."""
    ticket = {
        "customerId": customer_id,
        "channel": "WEB",
        "category": "billing",
        "subject": "Charged twice",
        "description": "My card was charged twice for order 42.",
        **fields,
    }
    by = actor or (customer_id if role is Role.CUSTOMER else AGENT)
    return mutate(api, "openTicket", ticket, role=role, subject=by, selection=TICKET_PAYLOAD)


def opened(api: LiveApi, customer_id: str, **fields: Any) -> dict[str, Any]:
    """A ticket the customer opened that must be accepted: the ticket as the payload shows."""
    payload = open_ticket(api, customer_id, **fields)
    assert payload["userErrors"] == [], payload
    ticket: dict[str, Any] = payload["ticket"]
    return ticket


def act(
    api: LiveApi,
    name: str,
    ticket_id: str,
    role: Role = Role.AGENT,
    subject: str = AGENT,
    **fields: Any,
) -> dict[str, Any]:
    """Send ticket mutation ``name`` on the ticket (as an agent unless ``role``)."""
    return mutate(
        api,
        name,
        {"ticketId": ticket_id, **fields},
        role=role,
        subject=subject,
        selection=TICKET_PAYLOAD,
    )


def done(api: LiveApi, name: str, ticket_id: str, **fields: Any) -> dict[str, Any]:
    """A ticket mutation that must be accepted; the ticket after it."""
    payload = act(api, name, ticket_id, **fields)
    assert payload["userErrors"] == [], payload
    ticket: dict[str, Any] = payload["ticket"]
    return ticket


def set_policy(api: LiveApi, name: str, fields: dict[str, Any]) -> dict[str, Any]:
    return mutate(api, name, fields, role=Role.ADMIN, subject=ADMIN, selection=POLICY_PAYLOAD)


def read_ticket(
    api: LiveApi,
    ticket_id: str,
    selection: str = TICKET_FIELDS,
    role: Role = Role.AGENT,
    subject: str = AGENT,
) -> dict[str, Any] | None:
    """The ticket as ``role`` reads it (None: not visible to them)."""
    response = api.graphql(
        f"query T($id: UUID!) {{ ticket(id: $id) {{ {selection} }} }}",
        {"id": ticket_id},
        role=role,
        subject=subject,
    )
    body = response.json()
    assert "errors" not in body, body
    found: dict[str, Any] | None = body["data"]["ticket"]
    return found


def timeline(
    api: LiveApi, ticket_id: str, role: Role = Role.AGENT, subject: str = AGENT
) -> list[dict[str, Any]]:
    found = read_ticket(api, ticket_id, f"timeline {{ {STEP_FIELDS} }}", role, subject)
    assert found is not None
    steps: list[dict[str, Any]] = found["timeline"]
    return steps


def query(
    api: LiveApi, document: str, variables: dict[str, Any] | None = None, role: Role = Role.AGENT
) -> dict[str, Any]:
    """The whole response body of a query (which may hold errors)."""
    response = api.graphql(document, variables or {}, role=role, subject=AGENT)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def silver_member(api: LiveApi) -> str:
    """A customer who reached silver by earning 1000 points on a purchase (the earning rule
    and the LoyaltyEarning process manager the server runs)."""
    rule = {"name": "One point per euro", "kind": "BASE_RATE", "pointsPerUnit": 1}
    assert admin(api, "defineEarningRule", rule, RULE_PAYLOAD)["userErrors"] == []
    customer_id = customer(api)
    assert enrol(api, customer_id)["userErrors"] == []
    purchase = {
        "customerId": customer_id,
        "orderId": f"ORDER-{uuid4().hex[:8]}",
        "amount": "1000.00",
        "currency": "EUR",
        "channel": "WEB",
        "purchasedAt": datetime.now(UTC).isoformat(),
    }
    assert mutate(api, "recordPurchase", purchase)["userErrors"] == []
    deadline = time.monotonic() + 15
    while account(api, customer_id)["tier"] != "SILVER":
        assert time.monotonic() < deadline, "the purchase did not earn silver in time"
        time.sleep(0.05)
    return customer_id
