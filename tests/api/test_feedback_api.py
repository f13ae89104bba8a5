"""The feedback inbox over HTTP and WebSocket: customers and anonymous senders give feedback,
a customer's complaint opens a ticket, staff read the inbox (the text only for roles that see
personal data), agents follow it live, and bad or throttled input writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata, Role
from infrastructure.database import Database
from tests.support.server import LiveApi, live_api

SUBMIT = """
mutation($i: SubmitFeedbackInput!) {
  submitFeedback(input: $i) { feedbackId ticketId position userErrors { field code } }
}
"""
INBOX = """
query($f: FeedbackFilterInput, $first: Int, $last: Int, $before: String, $p: String) {
  feedback(filter: $f, first: $first, last: $last, before: $before, atLeast: $p) {
    totalCount
    edges { cursor node { id kind topic text email customerId sentiment sentimentScore themes
                          ticketId productVersion } }
    pageInfo { hasNextPage hasPreviousPage }
  }
}
"""
PROTOCOL = Subprotocol("graphql-transport-ws")


@pytest.fixture
def api(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    with live_api(ledger, database, page_posts_per_address=3) as running:
        yield running


def customer(ledger: Ledger) -> str:
    registered = RegisterCustomer("Ada", "ada@example.org")
    return str(ledger.register_customer(registered, EventMetadata.system()).aggregate_id)


def submit(api: LiveApi, role: Role | None = None, subject: str = "x", **given: str) -> Any:
    fields = {"kind": "SUGGESTION", "topic": "mobile-app", "text": "Please add a dark mode"}
    response = api.graphql(SUBMIT, {"i": {**fields, **given}}, role=role, subject=subject)
    assert response.status_code == 200, response.text
    return response.json()["data"]["submitFeedback"]


def inbox(api: LiveApi, role: Role, position: str | None = None, **variables: Any) -> Any:
    response = api.graphql(INBOX, {"p": position, **variables}, role=role)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["feedback"]


def test_a_customers_complaint_opens_a_ticket_and_reaches_the_inbox(api: LiveApi) -> None:
    """The payload names the ticket; an agent reads the text, sentiment and themes."""
    me = customer(api.ledger)
    done = submit(
        api, Role.CUSTOMER, me, kind="COMPLAINT", topic="billing",
        text="The invoice was wrong and support was terrible", productVersion="2.1",
    )  # fmt: skip
    assert done["userErrors"] == [] and done["ticketId"] is not None
    node = inbox(api, Role.AGENT, done["position"])["edges"][0]["node"]
    assert node["ticketId"] == done["ticketId"] and node["customerId"] == me
    assert node["kind"] == "COMPLAINT" and node["sentiment"] == "NEGATIVE"
    assert "invoice" in node["themes"] and node["productVersion"] == "2.1"
    ticket = api.graphql(
        "query($id: UUID!) { ticket(id: $id) { category source { kind id } } }",
        {"id": done["ticketId"]},
        role=Role.AGENT,
    ).json()["data"]["ticket"]
    assert ticket == {
        "category": "feedback-complaint",
        "source": {"kind": "feedback", "id": done["feedbackId"]},
    }


def test_an_analyst_reads_the_inbox_without_the_persons_words(api: LiveApi) -> None:
    """Text, email and themes are null for analysts; kind, topic and sentiment are not."""
    done = submit(api, email="bo@example.org", text="Great app, love it")
    node = inbox(api, Role.ANALYST, done["position"])["edges"][0]["node"]
    assert (node["text"], node["email"], node["themes"]) == (None, None, None)
    assert node["sentiment"] == "POSITIVE" and node["topic"] == "mobile-app"
    agent_view = inbox(api, Role.AGENT)["edges"][0]["node"]
    assert agent_view["email"] == "bo@example.org" and agent_view["customerId"] is None


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({}, "email"),
        ({"email": "a@b.org", "topic": "Not A Slug"}, "topic"),
        ({"email": "a@b.org", "text": "x" * 5001}, "text"),
        ({"email": "a@b.org", "productVersion": "1 0"}, "productVersion"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_bad_input_is_a_user_error_and_writes_nothing(
    api: LiveApi, given: dict[str, str], field: str
) -> None:
    """Each field is bounded; the refusal names it."""
    head = api.quiet_head()
    done = submit(api, None, "x", **given)
    assert done["userErrors"] == [{"field": ["input", field], "code": "INVALID_INPUT"}]
    assert api.ledger.head_position() == head


def test_anonymous_feedback_is_throttled_per_address(api: LiveApi) -> None:
    """Past the address's posts in the window: RATE_LIMITED, nothing written."""
    for _ in range(3):
        assert submit(api, email="c@example.org")["userErrors"] == []
    head = api.quiet_head()
    assert submit(api, email="c@example.org")["userErrors"] == [
        {"field": None, "code": "RATE_LIMITED"}
    ]
    assert api.ledger.head_position() == head


def test_the_inbox_filters_and_pages_both_ways(api: LiveApi) -> None:
    """Filters by kind and sentiment; last/before give the newer items, newest first."""
    me = customer(api.ledger)
    ids = [
        submit(api, Role.CUSTOMER, me, kind="QUESTION", text=f"Where is my parcel {n}")[
            "feedbackId"
        ]
        for n in range(3)
    ]
    last = submit(api, Role.CUSTOMER, me, kind="COMPLIMENT", text="Wonderful, thanks!")
    questions = inbox(api, Role.AGENT, last["position"], f={"kind": "QUESTION"}, first=2)
    assert questions["totalCount"] == 3 and questions["pageInfo"]["hasNextPage"]
    assert [e["node"]["id"] for e in questions["edges"]] == ids[::-1][:2]
    positive = inbox(api, Role.AGENT, f={"sentiment": "POSITIVE"})
    assert [e["node"]["id"] for e in positive["edges"]] == [last["feedbackId"]]
    oldest_cursor = inbox(api, Role.AGENT, first=4)["edges"][-1]["cursor"]
    newer = inbox(api, Role.AGENT, last=2, before=oldest_cursor)
    assert [e["node"]["id"] for e in newer["edges"]] == [ids[2], ids[1]]


def test_agents_receive_feedback_as_it_arrives(api: LiveApi) -> None:
    """feedbackReceived sends each new piece matching its filter, and skips the others."""
    url = api.url.replace("http://", "ws://", 1) + "/graphql"
    with connect(url, subprotocols=[PROTOCOL]) as ws:
        auth = f"Bearer {api.token(Role.AGENT, 'agent-1')}"
        ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": auth}}))
        assert json.loads(ws.recv(timeout=5))["type"] == "connection_ack"
        query = (
            "subscription($f: FeedbackFilterInput) "
            "{ feedbackReceived(filter: $f) { id kind text } }"
        )
        payload = {"query": query, "variables": {"f": {"kind": "COMPLAINT"}}}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        submit(api, email="d@example.org", kind="SUGGESTION")  # filtered out
        wanted = submit(api, email="d@example.org", kind="COMPLAINT", text="Broken again")
        message = json.loads(ws.recv(timeout=10))
    assert message["type"] == "next", message
    assert message["payload"]["data"]["feedbackReceived"] == {
        "id": wanted["feedbackId"], "kind": "COMPLAINT", "text": "Broken again",
    }  # fmt: skip


def test_a_customer_may_not_read_the_inbox(api: LiveApi) -> None:
    """The inbox is for staff."""
    body = api.graphql(INBOX, {}, role=Role.CUSTOMER, subject=str(UUID(int=1))).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
