"""Steps shared by the loyalty API tests: members, points given by an agent, rewards and rules
added by an admin, redemptions, and reads of an account as each kind of caller."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from domain.shared.metadata import Role
from tests.api.helpers import registered
from tests.api.steps import mutate
from tests.support.server import LiveApi

USER_ERRORS = "userErrors { field code message currentVersion }"
ACCOUNT_FIELDS = (
    "customerId tier qualifyingPoints nextTier pointsToNextTier pointsEarned pointsRedeemed"
    " balance { spendable pending } nextExpiry { expiresAt points }"
)
ACCOUNT_PAYLOAD = f"account {{ {ACCOUNT_FIELDS} }} position {USER_ERRORS}"
REDEEM_PAYLOAD = f"redemptionId pointsSpent {ACCOUNT_PAYLOAD}"
REWARD_FIELDS = "id name description kind costPoints stock minTier retired redemptions"
REWARD_PAYLOAD = f"reward {{ {REWARD_FIELDS} }} position {USER_ERRORS}"
RULE_FIELDS = (
    "id name kind pointsPerUnit currency dimension match percent bonusPoints period maxPoints"
    " retiredAt"
)
RULE_PAYLOAD = f"rule {{ {RULE_FIELDS} }} position {USER_ERRORS}"
ADMIN = "admin-1"
AGENT = "agent-1"


def customer(api: LiveApi) -> str:
    return registered(api, name="Mo Member", email=f"{uuid4().hex[:12]}@example.org")


def enrol(
    api: LiveApi, customer_id: str, role: Role = Role.CUSTOMER, subject: str | None = None
) -> dict[str, Any]:
    """Enrol the customer (by themself unless ``role`` says otherwise); return the payload."""
    return mutate(
        api,
        "enrolInLoyalty",
        {"customerId": customer_id},
        role=role,
        subject=subject or customer_id,
        selection=ACCOUNT_PAYLOAD,
    )


def member(api: LiveApi, points: int = 0) -> str:
    """A new enrolled customer holding ``points`` spendable points (given by an agent)."""
    customer_id = customer(api)
    assert enrol(api, customer_id)["userErrors"] == []
    if points:
        assert adjust(api, customer_id, points)["userErrors"] == []
    return customer_id


def adjust(
    api: LiveApi, customer_id: str, points: int, reason: str = "Goodwill after a late delivery"
) -> dict[str, Any]:
    fields = {"customerId": customer_id, "points": points, "reason": reason}
    return mutate(api, "adjustPoints", fields, subject=AGENT, selection=ACCOUNT_PAYLOAD)


def add_reward(api: LiveApi, **fields: Any) -> dict[str, Any]:
    reward = {"name": "Free coffee", "kind": "FREE_PRODUCT", "costPoints": 100, **fields}
    return mutate(
        api, "addReward", reward, role=Role.ADMIN, subject=ADMIN, selection=REWARD_PAYLOAD
    )


def reward(api: LiveApi, **fields: Any) -> str:
    payload = add_reward(api, **fields)
    assert payload["userErrors"] == [], payload
    reward_id: str = payload["reward"]["id"]
    return reward_id


def admin(api: LiveApi, name: str, fields: dict[str, Any], selection: str) -> dict[str, Any]:
    return mutate(api, name, fields, role=Role.ADMIN, subject=ADMIN, selection=selection)


def redeem(
    api: LiveApi, customer_id: str, reward_id: str, role: Role = Role.CUSTOMER, **fields: Any
) -> dict[str, Any]:
    """Redeem as the customer themself (unless ``role``); return the payload."""
    subject = customer_id if role is Role.CUSTOMER else AGENT
    redemption = {"customerId": customer_id, "rewardId": reward_id, **fields}
    return mutate(
        api, "redeemReward", redemption, role=role, subject=subject, selection=REDEEM_PAYLOAD
    )


def read_account(
    api: LiveApi,
    customer_id: str,
    selection: str = ACCOUNT_FIELDS,
    role: Role = Role.AGENT,
    subject: str = AGENT,
    **variables: Any,
) -> dict[str, Any]:
    """The whole response body of a loyaltyAccount query (which may hold errors)."""
    declared = "".join(f", ${name}: {kind}" for name, (kind, _) in variables.items())
    document = (
        f"query A($id: UUID!{declared}) {{ loyaltyAccount(customerId: $id) {{ {selection} }} }}"
    )
    values = {name: value for name, (_, value) in variables.items()}
    response = api.graphql(document, {"id": customer_id, **values}, role=role, subject=subject)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def account(api: LiveApi, customer_id: str, selection: str = ACCOUNT_FIELDS) -> dict[str, Any]:
    body = read_account(api, customer_id, selection)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["loyaltyAccount"]
    return found


def spendable(api: LiveApi, customer_id: str) -> int:
    points: int = account(api, customer_id)["balance"]["spendable"]
    return points
