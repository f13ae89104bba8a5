"""Mutations when the read model is late: the write is made and the answer says so. The payload
carries the id of what was written (also one the server chose) and a POSITION_NOT_REACHED
notice naming the write's position, instead of a bare null entity and no word of why.

The server here runs no projection worker, so no read model ever shows a write; its
read-your-writes wait is short so that each mutation gives up quickly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.loyalty.account import LoyaltyAccount
from domain.referral.model import Referrer
from domain.shared.metadata import EventMetadata, Role
from graphql_api.context import ApiLimits
from tests.api.helpers import unique_email
from tests.api.steps import mutate
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

TIMEOUT = 0.2
NOTICES = "notices { code message position }"
USER_ERRORS = "userErrors { field code message }"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    limits = ApiLimits(read_your_writes_timeout=TIMEOUT)
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, limits, run_worker=False) as running,
    ):
        yield running


def customer(api: LiveApi) -> str:
    """A customer written straight to the log (no read model will show them)."""
    command = RegisterCustomer("Ada Lovelace", unique_email())
    return str(api.ledger.register_customer(command, EventMetadata.system()).aggregate_id)


@dataclass(frozen=True)
class LateWrite:
    """A mutation whose answer holds an entity from a read model, and the id beside it."""

    mutation: str
    role: Role
    entity: str
    id_field: str
    make_input: Callable[[LiveApi], dict[str, Any]]


def _purchase(api: LiveApi) -> dict[str, Any]:
    return {
        "customerId": customer(api),
        "orderId": f"WEB-{uuid4()}",
        "amount": "10.00",
        "currency": "EUR",
        "channel": "WEB",
        "purchasedAt": "2026-01-02T10:00:00+00:00",
        "items": [{"sku": "TEA-01", "quantity": 1, "unitPrice": "10.00"}],
    }


LATE_WRITES = [
    LateWrite(
        "registerCustomer",
        Role.AGENT,
        "customer { id }",
        "customerId",
        lambda api: {"name": "Ada Lovelace", "email": unique_email()},
    ),
    LateWrite(
        "changeContactDetails",
        Role.AGENT,
        "customer { id }",
        "customerId",
        lambda api: {"customerId": customer(api), "name": "Ada King"},
    ),
    LateWrite(
        "openTicket",
        Role.AGENT,
        "ticket { id }",
        "ticketId",
        lambda api: {
            "customerId": customer(api),
            "channel": "WEB",
            "category": "billing",
            "subject": "Charged twice",
            "description": "My card was charged twice.",
        },
    ),
    LateWrite(
        "draftSurvey",
        Role.ANALYST,
        "survey { id }",
        "surveyId",
        lambda api: {
            "kind": "NPS",
            "title": "Checkout",
            "question": "How likely are you to recommend us?",
            "channels": ["EMAIL"],
        },
    ),
    LateWrite(
        "enrolInLoyalty",
        Role.AGENT,
        "account { customerId }",
        "customerId",
        lambda api: {"customerId": customer(api)},
    ),
    LateWrite(
        "addReward",
        Role.ADMIN,
        "reward { id }",
        "rewardId",
        lambda api: {"name": "Free coffee", "kind": "FREE_PRODUCT", "costPoints": 100},
    ),
    LateWrite(
        "issueReferralCode",
        Role.AGENT,
        "referrer { code }",
        "customerId",
        lambda api: {"customerId": customer(api)},
    ),
    LateWrite(
        "requestErasure",
        Role.PRIVACY_OFFICER,
        "erasureRequest { subjectId }",
        "subjectId",
        lambda api: {"email": unique_email("friend"), "reason": "OTHER"},
    ),
    LateWrite("recordPurchase", Role.AGENT, "customer { id }", "customerId", _purchase),
]


@pytest.mark.parametrize("late", LATE_WRITES, ids=lambda late: late.mutation)
def test_a_write_the_read_model_has_not_shown_answers_its_id_and_a_position_not_reached_notice(
    api: LiveApi, late: LateWrite
) -> None:
    id_field = "purchase { customerId }" if late.mutation == "recordPurchase" else late.id_field
    selection = f"{late.entity} {id_field} position {USER_ERRORS} {NOTICES}"
    payload = mutate(api, late.mutation, late.make_input(api), late.role, "staff-1", selection)
    assert payload["userErrors"] == []
    assert payload[late.entity.split()[0]] is None  # the read model never shows it here
    written = payload["purchase"] if late.mutation == "recordPurchase" else payload
    assert api.ledger.find(_stream_of(api, late, UUID(written[late.id_field]))) is not None
    position = payload["position"]
    assert int(position) == api.ledger.head_position()
    [notice] = payload["notices"]
    assert notice["code"] == "POSITION_NOT_REACHED"
    assert notice["position"] == position
    assert position in notice["message"]


def _stream_of(api: LiveApi, late: LateWrite, answered: UUID) -> UUID:
    """The stream the answered id names (an erasure subject's request has an id of its own)."""
    if late.mutation == "requestErasure":
        return api.ledger.get_erasure_request(answered).id
    if late.mutation == "enrolInLoyalty":
        return LoyaltyAccount.id_for(answered)
    if late.mutation == "issueReferralCode":
        return Referrer.id_for(answered)
    return answered


def test_a_client_that_let_the_server_choose_the_id_gets_it_back_and_can_read_it_later(
    api: LiveApi,
) -> None:
    email = unique_email()
    selection = f"customer {{ id }} customerId position {USER_ERRORS} {NOTICES}"
    payload = mutate(
        api, "registerCustomer", {"name": "Ada", "email": email}, Role.AGENT, "a", selection
    )
    customer_id = UUID(payload["customerId"])
    assert api.ledger.get_customer(customer_id).email.value == email
    response = api.graphql(
        "query C($id: UUID!, $at: String) { customer(id: $id, atLeast: $at) { id } }",
        {"id": str(customer_id), "at": payload["position"]},
        role=Role.AGENT,
    )
    # Reading at the position says the read model is late, rather than "no such customer".
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["POSITION_NOT_REACHED"]
