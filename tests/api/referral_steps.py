"""Steps shared by the referral API tests: customers, codes, invitations, registrations with a
code, purchases by an agent, terms changed by an admin, and reads that wait for the process
managers the server runs."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from domain.shared.metadata import Role
from tests.api.helpers import registered
from tests.api.loyalty_steps import read_account
from tests.api.steps import mutate
from tests.support.server import LiveApi

USER_ERRORS = "userErrors { field code message currentVersion }"
REFERRER_FIELDS = (
    "customerId code codeExpiresAt revoked invitationsSent conversions qualified rewarded"
    " reversed pointsEarned"
)
REFERRAL_FIELDS = (
    "id referrerId friendId stage convertedAt qualifiedAt rewardedAt referrerPoints friendPoints"
    " reversedAt reversalRule flags"
)
REGISTER_PAYLOAD = f"customer {{ id email }} position {USER_ERRORS}"
ADMIN = "admin-1"
AGENT = "agent-1"
PASSWORD = "correct horse battery staple"


def unique(name: str = "friend", domain: str = "example.org") -> str:
    return f"{name}{uuid4().hex[:10]}@{domain}"


def customer(api: LiveApi, email: str | None = None) -> str:
    return registered(api, name="Ref Errer", email=email or unique("referrer"))


def issue(api: LiveApi, customer_id: str) -> dict[str, Any]:
    """The customer asks for their code themself; return the payload."""
    return mutate(
        api,
        "issueReferralCode",
        {"customerId": customer_id},
        role=Role.CUSTOMER,
        subject=customer_id,
        selection=f"referrer {{ {REFERRER_FIELDS} }} position {USER_ERRORS}",
    )


def code_of(api: LiveApi, customer_id: str) -> str:
    payload = issue(api, customer_id)
    assert payload["userErrors"] == [], payload
    code: str = payload["referrer"]["code"]
    return code


def invite(api: LiveApi, customer_id: str, email: str) -> dict[str, Any]:
    """The customer invites ``email`` themself; return the payload."""
    return mutate(
        api,
        "inviteFriend",
        {"customerId": customer_id, "email": email},
        role=Role.CUSTOMER,
        subject=customer_id,
        selection=f"invitation {{ inviteeId email invitedAt converted }} position {USER_ERRORS}",
    )


def register_with(
    api: LiveApi, email: str, code: str, role: Role | None = Role.AGENT, **fields: Any
) -> dict[str, Any]:
    """Register a customer with a referral code (anonymously: by themself, with a password)."""
    person = {"name": "Fred Friend", "email": email, "referralCode": code, **fields}
    if role is None:
        person["password"] = PASSWORD
    return mutate(
        api, "registerCustomer", person, role=role, subject=AGENT, selection=REGISTER_PAYLOAD
    )


def apply(api: LiveApi, friend_id: str, code: str) -> dict[str, Any]:
    """The friend applies a code to themself; return the payload."""
    return mutate(
        api,
        "applyReferralCode",
        {"customerId": friend_id, "code": code},
        role=Role.CUSTOMER,
        subject=friend_id,
        selection=f"referral {{ {REFERRAL_FIELDS} }} position {USER_ERRORS}",
    )


def change_terms(api: LiveApi, **terms: Any) -> dict[str, Any]:
    return mutate(
        api,
        "changeReferralTerms",
        terms,
        role=Role.ADMIN,
        subject=ADMIN,
        selection=f"terms {{ invitationsPerDay disposableDomains }} position {USER_ERRORS}",
    )


def buys(api: LiveApi, customer_id: str, amount: str) -> None:
    """An agent records the customer's purchase (a minute ago: after their conversion)."""
    purchase = {
        "customerId": customer_id,
        "orderId": f"ORDER-{uuid4().hex[:10]}",
        "amount": amount,
        "currency": "EUR",
        "channel": "WEB",
        "purchasedAt": datetime.now(UTC).isoformat(),
    }
    assert mutate(api, "recordPurchase", purchase, selection=USER_ERRORS)["userErrors"] == []


def query(
    api: LiveApi, document: str, role: Role = Role.AGENT, subject: str = AGENT, **variables: Any
) -> dict[str, Any]:
    """The data of a query that must not fail."""
    response = api.graphql(document, variables, role=role, subject=subject)
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def spendable(api: LiveApi, customer_id: str) -> int:
    """Spendable points; 0 if the customer is not enrolled (yet)."""
    account = read_account(api, customer_id, "balance { spendable }")["data"]["loyaltyAccount"]
    return 0 if account is None else int(account["balance"]["spendable"])


def eventually(read: Callable[[], Any], expected: Any, seconds: float = 15) -> Any:
    """What ``read`` answers once it equals ``expected`` (the process managers run behind the
    request), or its last answer after a generous deadline."""
    deadline = time.monotonic() + seconds
    while True:
        found = read()
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def period() -> dict[str, Any]:
    """A period around now, for the funnel queries."""
    now = datetime.now(UTC)
    return {
        "since": (now - timedelta(days=1)).isoformat(),
        "until": (now + timedelta(days=1)).isoformat(),
    }
