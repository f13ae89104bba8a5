"""requestErasure, completeErasure, erasureRequests and erasureCertificate over HTTP: a customer
asks for their own erasure, a privacy officer carries it out (after any legal hold), and then
the customer reads as erased everywhere while the certificate proves it without personal data."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.privacy.erasure import ErasureReason, ErasureRequest
from domain.referral.model import Referrer
from domain.shared.metadata import Channel, EventMetadata, Role
from graphql_api.context import ApiLimits
from tests.api.helpers import assert_no_internals, error_codes
from tests.api.steps import events_of
from tests.api.test_data_export_api import (
    COMMENT,
    EMAIL,
    FRIEND,
    NAME,
    NEW_NAME,
    NOTE,
    PHONE,
    STREET,
    TICKET_TEXT,
    customer_with_data_everywhere,
)
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

USER_ERRORS = "userErrors { field code }"
REQUEST_FIELDS = (
    "subjectId subjectKind reason status requestedAt requestedBy requestedByRole holdUntil"
    " completedAt completedBy position"
)
CERTIFICATE_FIELDS = (
    "subjectId subjectKind alsoErased reason requestedAt requestedBy requestedByRole holdUntil"
    " completedAt completedBy completedByRole categories positions firstPosition lastPosition"
    " positionList digest completionPosition"
)
REQUEST = f"""
mutation($i: RequestErasureInput!) {{
  requestErasure(input: $i) {{ erasureRequest {{ {REQUEST_FIELDS} }} position {USER_ERRORS} }}
}}
"""
COMPLETE = f"""
mutation($i: CompleteErasureInput!) {{
  completeErasure(input: $i) {{ certificate {{ {CERTIFICATE_FIELDS} }} position {USER_ERRORS} }}
}}
"""
REQUESTS = """
query($s: ErasureStatus, $first: Int!, $after: String) {
  erasureRequests(status: $s, first: $first, after: $after) {
    edges { cursor node { subjectId status } } pageInfo { hasNextPage endCursor }
  }
}
"""
CERTIFICATE = f"""
query($s: UUID!) {{ erasureCertificate(subjectId: $s) {{ {CERTIFICATE_FIELDS} }} }}
"""
CUSTOMER_360 = """
query($id: UUID!) {
  customer(id: $id) {
    id name email phone address { line1 city } erasedAt personalDataErased
    tickets { edges { node { subject description } } }
    surveyResponses { edges { node { score comment } } }
    loyalty { balance { spendable } transactions { edges { node { points cause { reason } } } } }
  }
}
"""
OFFICER = "po-1"
AGENT = EventMetadata(actor_id="agent-42", actor_role=Role.AGENT, channel=Channel.PHONE)


@dataclass(frozen=True)
class World:
    api: LiveApi
    zelda: str
    """A customer with distinctive values in every area, who asks to be erased."""
    other: str


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[World]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        # A handful of answers: the dashboard's minimum group size is not under test here.
        live_api(ledger, database, ApiLimits(min_group_size=1)) as api,
    ):
        zelda = customer_with_data_everywhere(ledger)
        other = ledger.register_customer(RegisterCustomer("Otto", "otto@example.org"), AGENT)
        yield World(api, str(zelda), str(other.aggregate_id))


def send(
    world: World,
    document: str,
    variables: dict[str, Any],
    role: Role = Role.PRIVACY_OFFICER,
    subject: str = OFFICER,
) -> dict[str, Any]:
    response = world.api.graphql(document, variables, role, subject)
    assert response.status_code == 200, response.text
    assert_no_internals(response)
    body: dict[str, Any] = response.json()
    return body


def request(
    world: World, role: Role = Role.PRIVACY_OFFICER, subject: str = OFFICER, **fields: Any
) -> dict[str, Any]:
    """requestErasure's payload (the reason defaults to the customer's request)."""
    body = send(world, REQUEST, {"i": {"reason": "CUSTOMER_REQUEST", **fields}}, role, subject)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["requestErasure"]
    return payload


def complete(world: World, subject_id: str) -> dict[str, Any]:
    body = send(world, COMPLETE, {"i": {"subjectId": subject_id}})
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["completeErasure"]
    return payload


def data(world: World, document: str, variables: dict[str, object], role: Role) -> Any:
    body = send(world, document, variables, role, subject="reader-1")
    assert "errors" not in body, body
    return body["data"]


def new_customer(world: World, name: str = "Pat Pending") -> str:
    command = RegisterCustomer(name, f"{uuid4().hex[:12]}@example.org")
    return str(world.api.ledger.register_customer(command, AGENT).aggregate_id)


@pytest.fixture(scope="module")
def erased(world: World) -> dict[str, Any]:
    """Zelda asks for her own erasure; a privacy officer carries it out. Both payloads."""
    asked = request(world, Role.CUSTOMER, world.zelda, customerId=world.zelda)
    assert asked["userErrors"] == [], asked
    done = complete(world, world.zelda)
    assert done["userErrors"] == [], done
    return {"requested": asked, "completed": done}


# --- asking ---------------------------------------------------------------------------------


def test_a_customer_asks_for_their_own_erasure_which_waits_the_configured_hold(
    world: World, erased: dict[str, Any]
) -> None:
    asked = erased["requested"]["erasureRequest"]
    assert (asked["subjectId"], asked["subjectKind"], asked["reason"]) == (
        world.zelda,
        "CUSTOMER",
        "CUSTOMER_REQUEST",
    )
    assert (asked["status"], asked["requestedByRole"]) == ("PENDING", "customer")
    assert asked["holdUntil"] == asked["requestedAt"]  # CXL_ERASURE_HOLD_DAYS defaults to 0


def test_a_customer_may_not_ask_to_erase_another_customer(world: World) -> None:
    head = world.api.quiet_head()
    # The caller is a customer of their own: Zelda may be erased by now, and her token with her.
    body = send(
        world,
        REQUEST,
        {"i": {"customerId": world.other, "reason": "OTHER"}},
        Role.CUSTOMER,
        str(uuid4()),
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize(
    "fields",
    [{"email": FRIEND}, {"holdDays": 0}],
    ids=["by-email", "choosing-a-hold"],
)
def test_a_customer_may_not_name_an_email_or_choose_a_hold(
    world: World, fields: dict[str, Any]
) -> None:
    who = new_customer(world)
    head = world.api.quiet_head()
    variables: dict[str, Any] = {"i": {"customerId": who, "reason": "OTHER", **fields}}
    if "email" in fields:
        del variables["i"]["customerId"]
    body = send(world, REQUEST, variables, Role.CUSTOMER, who)
    assert error_codes(body) == ["FORBIDDEN"]
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({}, "INVALID_INPUT", None),
        ({"customerId": "SELF", "email": "someone@example.org"}, "INVALID_INPUT", None),
        ({"email": "not an email"}, "INVALID_INPUT", ["input", "email"]),
        ({"customerId": "SELF", "holdDays": -1}, "INVALID_INPUT", ["input", "holdDays"]),
        ({"customerId": "SELF", "holdDays": 3651}, "INVALID_INPUT", ["input", "holdDays"]),
        ({"customerId": str(uuid4())}, "CUSTOMER_NOT_FOUND", ["input", "customerId"]),
    ],
    ids=["nobody", "both", "bad-email", "negative-hold", "hold-too-long", "unknown-customer"],
)
def test_a_bad_request_is_a_user_error_and_writes_nothing(
    world: World, fields: dict[str, Any], code: str, field: list[str] | None
) -> None:
    who = new_customer(world)
    named: dict[str, Any] = {k: who if value == "SELF" else value for k, value in fields.items()}
    head = world.api.quiet_head()
    payload = request(world, **named)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert (payload["erasureRequest"], payload["position"]) == (None, None)
    assert world.api.ledger.head_position() == head


def test_an_unknown_reason_is_refused_by_the_schema(world: World) -> None:
    head = world.api.quiet_head()
    variables: dict[str, object] = {"i": {"customerId": world.other, "reason": "BOREDOM"}}
    response = world.api.graphql(REQUEST, variables, Role.PRIVACY_OFFICER, OFFICER)
    assert (
        response.status_code == 400 and "ErasureReason" in response.json()["errors"][0]["message"]
    )
    assert world.api.ledger.head_position() == head


def test_asking_again_returns_the_first_request(world: World) -> None:
    who = new_customer(world)
    first = request(world, customerId=who, holdDays=3)["erasureRequest"]
    again = request(world, customerId=who, holdDays=9, reason="OTHER")["erasureRequest"]
    assert again == first


# --- completing -----------------------------------------------------------------------------


def test_completing_inside_the_legal_hold_is_refused_and_writes_nothing(world: World) -> None:
    who = new_customer(world, name="Hildegard Holdfast")
    assert request(world, customerId=who, holdDays=30)["userErrors"] == []
    streams = (UUID(who), ErasureRequest.id_for(UUID(who)))
    before = [len(events_of(world.api, stream)) for stream in streams]
    payload = complete(world, who)
    assert [e["code"] for e in payload["userErrors"]] == ["LEGAL_HOLD_ACTIVE"]
    assert payload["certificate"] is None
    # Neither the customer's nor the erasure's stream moved (the worker's sweep may record
    # the vacuuming of earlier erasures meanwhile: the log's head is not this test's to watch).
    assert [len(events_of(world.api, stream)) for stream in streams] == before
    person = data(world, CUSTOMER_360, {"id": who}, Role.AGENT)["customer"]
    assert (person["name"], person["erasedAt"]) == ("Hildegard Holdfast", None)


def test_an_erasure_completes_once_its_hold_has_passed(world: World) -> None:
    who = new_customer(world)
    month_ago = datetime.now(UTC) - timedelta(days=31)
    officer = EventMetadata(OFFICER, Role.PRIVACY_OFFICER, Channel.WEB)
    world.api.ledger.request_erasure(
        UUID(who), None, ErasureReason.LEGAL_OBLIGATION, 30, officer, month_ago
    )
    payload = complete(world, who)
    assert payload["userErrors"] == []
    assert payload["certificate"]["reason"] == "LEGAL_OBLIGATION"


def test_completing_twice_is_already_erased(world: World, erased: dict[str, Any]) -> None:
    head = world.api.quiet_head()
    assert [e["code"] for e in complete(world, world.zelda)["userErrors"]] == ["ALREADY_ERASED"]
    assert world.api.ledger.head_position() == head


def test_completing_what_nobody_asked_for_is_refused(world: World) -> None:
    head = world.api.quiet_head()
    payload = complete(world, world.other)
    assert payload["userErrors"] == [
        {"field": ["input", "subjectId"], "code": "ERASURE_NOT_REQUESTED"}
    ]
    assert world.api.ledger.head_position() == head


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN, Role.AUDITOR, Role.CUSTOMER])
def test_only_a_privacy_officer_completes_an_erasure(world: World, role: Role) -> None:
    who = new_customer(world)
    assert request(world, customerId=who)["userErrors"] == []
    head = world.api.quiet_head()
    body = send(world, COMPLETE, {"i": {"subjectId": who}}, role, who)
    assert error_codes(body) == ["FORBIDDEN"]
    assert world.api.ledger.head_position() == head


# --- afterwards -----------------------------------------------------------------------------


def test_the_erased_customer_shows_when_and_null_personal_fields(
    world: World, erased: dict[str, Any]
) -> None:
    person = data(world, CUSTOMER_360, {"id": world.zelda}, Role.PRIVACY_OFFICER)["customer"]
    assert person["erasedAt"] == erased["completed"]["certificate"]["completedAt"]
    assert person["personalDataErased"] is True
    assert [person[f] for f in ("name", "email", "phone", "address")] == [None] * 4


LATEST = """
query($at: String) { customers(last: 3, atLeast: $at) { edges { node { id name email } } } }
"""


def test_a_list_page_kept_before_an_erasure_shows_the_customer_erased_once_it_is_visible(
    world: World,
) -> None:
    """The server keeps a directory page while the directory stands still
    (projections.row_cache): read twice before the erasure, the page read at the erasure's
    position shows the customer without name or email."""
    who = new_customer(world, "Kept Page")
    registered = str(world.api.ledger.head_position())

    def latest(at: str) -> dict[str, Any]:
        edges = data(world, LATEST, {"at": at}, Role.ADMIN)["customers"]["edges"]
        return {edge["node"]["id"]: edge["node"] for edge in edges}

    assert latest(registered)[who]["name"] == "Kept Page"
    assert latest(registered)[who]["name"] == "Kept Page"  # the kept page
    assert request(world, customerId=who)["userErrors"] == []
    done = complete(world, who)
    assert done["userErrors"] == [], done
    shown = latest(str(done["position"]))[who]
    assert (shown["name"], shown["email"]) == (None, None)


ONE = """
query($id: UUID!, $at: String) { customer(id: $id, atLeast: $at) { id name email } }
"""


def test_a_customer_kept_before_an_erasure_shows_erased_once_it_is_visible(
    world: World,
) -> None:
    """One customer's row is kept as a page is (``customer(id)``): read twice before the
    erasure, read at the erasure's position it shows no name or email."""
    who = new_customer(world, "Kept Row")
    registered = str(world.api.ledger.head_position())

    def one(at: str) -> dict[str, Any]:
        found: dict[str, Any] = data(world, ONE, {"id": who, "at": at}, Role.ADMIN)["customer"]
        return found

    assert one(registered)["name"] == "Kept Row"
    assert one(registered)["name"] == "Kept Row"  # the kept row
    assert request(world, customerId=who)["userErrors"] == []
    done = complete(world, who)
    assert done["userErrors"] == [], done
    shown = one(str(done["position"]))
    assert (shown["id"], shown["name"], shown["email"]) == (who, None, None)


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST, Role.PRIVACY_OFFICER])
def test_loyalty_tickets_and_surveys_still_answer_for_the_erased_customer(
    world: World, erased: dict[str, Any], role: Role
) -> None:
    person = data(world, CUSTOMER_360, {"id": world.zelda}, role)["customer"]
    assert person["loyalty"]["balance"]["spendable"] == 150  # counts stay
    [ticket] = person["tickets"]["edges"]
    assert ticket["node"]["description"] is None
    [response] = person["surveyResponses"]["edges"]
    assert response["node"]["score"] == 9
    account = "query($c: UUID!) { loyaltyAccount(customerId: $c) { balance { spendable } } }"
    assert data(world, account, {"c": world.zelda}, role)["loyaltyAccount"]
    tickets = "{ tickets(first: 10) { edges { node { id subject } } } }"
    assert data(world, tickets, {}, role)["tickets"]["edges"]
    dashboard = "{ surveyDashboard { figures { responses } } }"
    assert data(world, dashboard, {}, role)["surveyDashboard"]["figures"]["responses"] >= 1


NODE_IDS = """
query($id: UUID!) {
  customer(id: $id) {
    tickets { edges { node { id } } } surveyResponses { edges { node { id } } }
  }
}
"""
NODES_PERSONAL = """
query($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ... on Customer { name email phone address { line1 } personalDataErased }
    ... on Ticket { subject description }
    ... on SurveyResponse { comment score }
  }
}
"""


def test_nodes_show_the_erased_customer_s_objects_without_personal_values(
    world: World, erased: dict[str, Any]
) -> None:
    """Read again through nodes(ids:), by an officer who may see personal data, the erased
    customer, their ticket and their survey response hold no personal value: erasure reaches
    every read model node reads, and node adds no other path to them."""
    person = data(world, NODE_IDS, {"id": world.zelda}, Role.PRIVACY_OFFICER)["customer"]
    ids = [
        world.zelda,
        person["tickets"]["edges"][0]["node"]["id"],
        person["surveyResponses"]["edges"][0]["node"]["id"],
    ]
    nodes = data(world, NODES_PERSONAL, {"ids": ids}, Role.PRIVACY_OFFICER)["nodes"]
    assert nodes == [
        {
            "__typename": "Customer",
            "name": None,
            "email": None,
            "phone": None,
            "address": None,
            "personalDataErased": True,
        },
        {"__typename": "Ticket", "subject": None, "description": None},
        {"__typename": "SurveyResponse", "comment": None, "score": 9},
    ]


def test_erasure_requests_list_pending_then_completed(world: World) -> None:
    who = new_customer(world)
    assert request(world, customerId=who)["userErrors"] == []

    def listed(status: str) -> set[str]:
        page = data(world, REQUESTS, {"s": status, "first": 100}, Role.AUDITOR)
        return {edge["node"]["subjectId"] for edge in page["erasureRequests"]["edges"]}

    assert who in listed("PENDING") and who not in listed("COMPLETED")
    assert complete(world, who)["userErrors"] == []
    assert who in listed("COMPLETED") and who not in listed("PENDING")


def test_erasure_requests_page_with_cursors_in_request_order(world: World) -> None:
    asked = [new_customer(world) for _ in range(3)]
    for who in asked:
        assert request(world, customerId=who, holdDays=1)["userErrors"] == []
    seen: list[str] = []
    after = None
    while True:
        page = data(world, REQUESTS, {"first": 2, "after": after}, Role.ADMIN)["erasureRequests"]
        seen += [edge["node"]["subjectId"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [who for who in seen if who in asked] == asked
    assert len(seen) == len(set(seen))


REQUESTS_BACKWARD = """
query($s: ErasureStatus, $before: String) {
  erasureRequests(status: $s, last: 2, before: $before) {
    edges { node { subjectId } } pageInfo { hasPreviousPage hasNextPage startCursor }
  }
}
"""


def test_erasure_requests_page_backward_with_last_and_before_in_request_order(
    world: World,
) -> None:
    asked = [new_customer(world) for _ in range(3)]
    for who in asked:
        assert request(world, customerId=who, holdDays=1)["userErrors"] == []
    seen: list[str] = []
    before = None
    while True:
        variables: dict[str, object] = {"s": "PENDING", "before": before}
        page = data(world, REQUESTS_BACKWARD, variables, Role.ADMIN)["erasureRequests"]
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        seen = [edge["node"]["subjectId"] for edge in page["edges"]] + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen[-3:] == asked and len(seen) == len(set(seen))


def test_the_certificate_lists_the_positions_and_a_digest_that_can_be_recomputed(
    world: World, erased: dict[str, Any]
) -> None:
    certificate = data(world, CERTIFICATE, {"s": world.zelda}, Role.AUDITOR)["erasureCertificate"]
    positions = [int(p) for p in certificate["positionList"]]
    assert certificate["positions"] == len(positions) > 10 and positions == sorted(positions)
    assert (certificate["firstPosition"], certificate["lastPosition"]) == (
        str(positions[0]),
        str(positions[-1]),
    )
    assert certificate["alsoErased"] and certificate["completedBy"] == OFFICER
    assert "identity (name)" in certificate["categories"]
    assert certificate["digest"] == digest_of(certificate, world.zelda)


def test_a_position_indexed_after_the_completion_read_the_index_stays_off_the_certificate(
    world: World,
) -> None:
    """Pins: the certificate lists the positions its digest covers and no later one, even when
    the index learns of one more before the completion (a write sealed before the keys went
    and committed after the completion read the index)."""
    who = new_customer(world, "Lena Late")
    assert request(world, customerId=who)["userErrors"] == []
    assert complete(world, who)["userErrors"] == []
    before = data(world, CERTIFICATE, {"s": who}, Role.AUDITOR)["erasureCertificate"]
    late = int(before["completionPosition"]) - 1  # the start event: past every sealed value
    assert late > int(before["lastPosition"])
    with world.api.database.connect() as conn:
        conn.execute("INSERT INTO personal_data_positions VALUES (%s, %s)", (UUID(who), late))
    after = data(world, CERTIFICATE, {"s": who}, Role.AUDITOR)["erasureCertificate"]
    assert after["positionList"] == before["positionList"]
    assert after["positions"] == len(after["positionList"])
    assert after["digest"] == digest_of(after, who)


def digest_of(certificate: dict[str, Any], subject: str) -> str:
    """The digest recomputed from what the certificate shows (see ErasureRequest.complete)."""

    def moment(value: str) -> str:
        return datetime.fromisoformat(value).astimezone(UTC).isoformat()

    facts = {
        "subject": subject,
        "kind": "customer",
        "reason": certificate["reason"].lower(),
        "requested_at": moment(certificate["requestedAt"]),
        "completed_at": moment(certificate["completedAt"]),
        "completed_by": certificate["completedBy"],
        "categories": certificate["categories"],
        "positions": [int(p) for p in certificate["positionList"]],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def test_the_certificate_holds_no_personal_value(world: World, erased: dict[str, Any]) -> None:
    certificate = data(world, CERTIFICATE, {"s": world.zelda}, Role.PRIVACY_OFFICER)
    text = json.dumps([certificate, erased], ensure_ascii=False).lower()
    for value in (NAME, NEW_NAME, EMAIL, PHONE, STREET, COMMENT, TICKET_TEXT, NOTE, FRIEND):
        assert value.lower() not in text
    for part in ("zelda", "quintessa", "marchbanks", "5550123", "quillby"):
        assert part not in text


def test_no_certificate_before_completion(world: World) -> None:
    who = new_customer(world)
    assert request(world, customerId=who, holdDays=5)["userErrors"] == []
    assert data(world, CERTIFICATE, {"s": who}, Role.AUDITOR)["erasureCertificate"] is None


def test_an_invited_person_is_erased_by_their_email(world: World) -> None:
    inviter = new_customer(world, name="Ivo Inviter")
    invited = f"invitee.{uuid4().hex[:8]}@example.org"
    world.api.ledger.issue_referral_code(UUID(inviter), AGENT)
    world.api.ledger.invite_friend(UUID(inviter), invited, AGENT)
    asked = request(world, email=invited.upper(), reason="CONSENT_WITHDRAWN")
    assert asked["userErrors"] == [], asked
    subject = asked["erasureRequest"]["subjectId"]
    assert asked["erasureRequest"]["subjectKind"] == "INVITEE"
    certificate = complete(world, subject)["certificate"]
    assert certificate["subjectKind"] == "INVITEE" and certificate["positions"] >= 1
    assert invited not in json.dumps(certificate)
    stream = world.api.ledger.repository.event_store.get(Referrer.id_for(UUID(inviter)))
    emails = [e.email.value for e in stream if isinstance(e, Referrer.FriendInvited)]
    assert emails == [None]


# --- the configured hold --------------------------------------------------------------------


@pytest.fixture
def api_with_a_hold(pg_admin: str) -> Iterator[LiveApi]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, ApiLimits(erasure_hold_days=30), run_worker=True) as api,
    ):
        yield api


def test_a_customers_request_waits_the_hold_configured_for_the_server(
    api_with_a_hold: LiveApi,
) -> None:
    command = RegisterCustomer("Carl Configured", "carl.configured@example.org")
    who = str(api_with_a_hold.ledger.register_customer(command, AGENT).aggregate_id)
    world = World(api_with_a_hold, who, who)
    asked = request(world, Role.CUSTOMER, who, customerId=who)["erasureRequest"]
    held = datetime.fromisoformat(asked["holdUntil"]) - datetime.fromisoformat(asked["requestedAt"])
    assert held == timedelta(days=30)
    assert [e["code"] for e in complete(world, who)["userErrors"]] == ["LEGAL_HOLD_ACTIVE"]
