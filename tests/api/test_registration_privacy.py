"""Someone registering themself (no token) learns nothing about anyone else's account.

Given a customer registered by staff, when an anonymous caller registers with their email,
their customer id, or both, then the answer is the one a new registration gets (same payload,
no sooner than the floor), no customer is written, and the customer whose email it is gets a
message through the outbox. Staff still get the customer, and every refusal.

The tests share one server: each registers under emails and ids of its own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.model import Customer
from domain.referral.model import Referral
from domain.shared.metadata import Role
from graphql_api.customers.self_registration import REGISTRATION_ANSWER_FLOOR
from projections.outbox.queries import PendingNotification, pending_notifications_sync
from tests.api.helpers import REGISTER, unique_email
from tests.api.referral_steps import code_of, register_with
from tests.api.referral_steps import customer as referrer
from tests.api.steps import events_of
from tests.support.outbox import opened
from tests.support.server import LiveApi, module_api

PASSWORD = "a long and private passphrase"
CUSTOMER_360 = """
mutation Register($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) {
    customer { id email version consents { purpose } purchaseSummary { count }
               npsCategory loyalty { tier } tickets { edges { node { id } } } }
    position
    userErrors { field code message }
  }
}
"""
OUTBOX_WAIT = 5.0


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def victim(api: LiveApi) -> tuple[str, str]:
    """A customer an agent registered: their id and email."""
    email, customer_id = unique_email("victim"), str(uuid4())
    payload = register(api, email, customer_id, role=Role.AGENT)
    assert payload["userErrors"] == [] and payload["customer"]["id"] == customer_id
    return customer_id, email


def register(
    api: LiveApi,
    email: str,
    customer_id: str | None = None,
    role: Role | None = None,
    document: str = CUSTOMER_360,
) -> dict[str, Any]:
    """registerCustomer with a password, as ``role`` (default: anonymous); the payload."""
    fields: dict[str, Any] = {"name": "Mallory Doe", "email": email, "password": PASSWORD}
    if customer_id is not None:
        fields["customerId"] = customer_id
    response = api.graphql(document, {"input": fields}, role=role, subject="agent-1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["registerCustomer"]
    return payload


def timed(api: LiveApi, email: str, customer_id: str | None = None) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    payload = register(api, email, customer_id)
    return payload, time.monotonic() - started


NEUTRAL: dict[str, Any] = {"customer": None, "position": None, "userErrors": []}


def messages_to(api: LiveApi, customer_id: str, kind: str) -> list[PendingNotification]:
    """The customer's queued messages of ``kind``, once the outbox shows one (or after a
    bounded wait, none)."""
    deadline = time.monotonic() + OUTBOX_WAIT
    while True:
        with api.database.connect() as conn:
            found = [
                n
                for n in pending_notifications_sync(conn, kind, limit=1000)
                if str(n.customer_id) == customer_id
            ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_a_new_self_registration_gets_no_customer_and_registers_them(api: LiveApi) -> None:
    chosen, email = str(uuid4()), unique_email("new")
    assert register(api, email, chosen) == NEUTRAL
    kinds = [type(event) for event in events_of(api, chosen)]
    assert kinds == [Customer.Registered, Customer.PasswordSet]


def test_replaying_a_registration_anonymously_discloses_nothing_and_writes_nothing(
    api: LiveApi,
) -> None:
    victim_id, victim_email = victim(api)
    before = events_of(api, victim_id)
    replay = register(api, victim_email, victim_id)
    assert replay == NEUTRAL
    assert replay == register(api, unique_email("fresh"))
    assert events_of(api, victim_id) == before  # the replay wrote nothing to them


def test_a_replay_with_another_id_or_another_email_answers_like_any_registration(
    api: LiveApi,
) -> None:
    victim_id, victim_email = victim(api)
    answers = [
        register(api, victim_email, victim_id),  # the true pair
        register(api, victim_email, str(uuid4())),  # their email, another id
        register(api, unique_email("other"), victim_id),  # their id, another email
        register(api, unique_email("fresh"), str(uuid4())),  # nobody's
    ]
    assert answers == [NEUTRAL] * 4


def test_staff_replaying_a_registration_still_get_the_customer_and_the_key_reuse(
    api: LiveApi,
) -> None:
    victim_id, victim_email = victim(api)
    replay = register(api, victim_email, victim_id, role=Role.AGENT)
    assert replay["customer"]["id"] == victim_id and replay["userErrors"] == []
    reused = register(api, unique_email("other"), victim_id, role=Role.AGENT)
    assert [e["code"] for e in reused["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]


def test_a_taken_email_looks_like_success_registers_no_one_and_tells_its_owner(
    api: LiveApi,
) -> None:
    victim_id, victim_email = victim(api)
    chosen = str(uuid4())
    taken, taken_took = timed(api, f"  {victim_email.upper()} ", chosen)
    fresh, fresh_took = timed(api, unique_email("fresh"), str(uuid4()))
    assert taken == fresh == NEUTRAL
    assert taken_took >= REGISTRATION_ANSWER_FLOOR and fresh_took >= REGISTRATION_ANSWER_FLOOR
    assert events_of(api, chosen) == []  # no customer was written
    [message] = messages_to(api, victim_id, "registration_attempted")
    assert opened(api.ledger, message).recipient == victim_email and message.channel == "email"


def test_staff_registering_a_taken_email_are_told_it_is_registered(api: LiveApi) -> None:
    _, victim_email = victim(api)
    head = api.quiet_head()
    payload = register(api, victim_email, role=Role.AGENT)
    assert [e["code"] for e in payload["userErrors"]] == ["EMAIL_ALREADY_REGISTERED"]
    assert api.ledger.head_position() == head


def test_bad_input_is_refused_alike_for_a_taken_and_a_new_email(api: LiveApi) -> None:
    _, victim_email = victim(api)
    answers = []
    for email in (victim_email, unique_email("fresh")):
        fields = {"name": "Mallory", "email": email, "password": "short"}
        response = api.graphql(REGISTER, {"input": fields})
        answers.append(response.json()["data"]["registerCustomer"])
    assert answers[0] == answers[1]
    assert [e["code"] for e in answers[0]["userErrors"]] == ["WEAK_PASSWORD"]


def test_a_taken_email_or_a_replay_with_a_referral_code_converts_no_one(api: LiveApi) -> None:
    """Before, a replay with the victim's id, email and the caller's own code converted the
    victim as the caller's referral."""
    victim_id, victim_email = victim(api)
    code = code_of(api, referrer(api))
    for customer_id in (None, victim_id):
        payload = register_with(api, victim_email, code, role=None, customerId=customer_id)
        assert payload == NEUTRAL
    assert api.ledger.find(Referral.id_for(UUID(victim_id))) is None
