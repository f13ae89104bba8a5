"""An anonymous complaint opens a ticket (issue 20, item 1), over HTTP as a frontend sends it:
agents see and work it with the requester's email, the roles that may not see personal data do
not, it is no customer's (not in anyone's Customer 360, no customer may open it), and a
logged-in customer's complaint still opens their own ticket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

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
TICKET = """
query($id: UUID!, $p: String) {
  ticket(id: $id, atLeast: $p) {
    customerId category subject description priority status source { kind id }
    requester { anonymous email }
    timeline { kind text }
  }
}
"""
COMPLAINTS = """
query($p: String, $anonymous: Boolean) {
  tickets(filter: {category: "feedback-complaint", anonymous: $anonymous}, first: 10,
          atLeast: $p) {
    edges { node { id customerId requester { anonymous email } } }
  }
}
"""
REPLY = """
mutation($i: ReplyToTicketInput!) { replyToTicket(input: $i) { position userErrors { code } } }
"""
BOB = "bob@example.org"


@pytest.fixture
def api(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    with live_api(ledger, database) as running:
        yield running


def complain(api: LiveApi, role: Role | None = None, subject: str = "x", **given: str) -> Any:
    fields = {"kind": "COMPLAINT", "topic": "delivery", "text": "The parcel came crushed"}
    response = api.graphql(SUBMIT, {"i": {**fields, **given}}, role=role, subject=subject)
    done = response.json()["data"]["submitFeedback"]
    assert done["userErrors"] == [], done
    return done


def ticket(api: LiveApi, done: Any, role: Role, subject: str = "x") -> Any:
    variables = {"id": done["ticketId"], "p": done["position"]}
    body = api.graphql(TICKET, variables, role=role, subject=subject).json()
    assert "errors" not in body, body
    return body["data"]["ticket"]


def test_an_anonymous_complaint_opens_a_ticket_agents_see_with_the_requesters_email(
    api: LiveApi,
) -> None:
    """No customer: the requester is anonymous, known by the email given; the ticket is in
    the complaints queue at the default priority, linked to the feedback, and an agent's reply
    is in its timeline."""
    done = complain(api, email="Bob@Example.org")
    assert done["ticketId"] is not None
    seen = ticket(api, done, Role.AGENT)
    assert seen["customerId"] is None
    assert seen["requester"] == {"anonymous": True, "email": BOB}
    assert (seen["category"], seen["priority"], seen["status"]) == (
        "feedback-complaint", "NORMAL", "NEW",
    )  # fmt: skip
    assert seen["description"] == "The parcel came crushed"
    assert seen["source"] == {"kind": "feedback", "id": done["feedbackId"]}
    listed = api.graphql(COMPLAINTS, {"p": done["position"]}, role=Role.AGENT).json()
    [edge] = listed["data"]["tickets"]["edges"]
    assert edge["node"]["requester"] == {"anonymous": True, "email": BOB}

    reply = {"ticketId": done["ticketId"], "body": "Sorry: another one is on its way"}
    replied = api.graphql(REPLY, {"i": reply}, role=Role.AGENT).json()["data"]["replyToTicket"]
    assert replied["userErrors"] == []
    after = ticket(api, {**done, "position": replied["position"]}, Role.AGENT)
    assert after["timeline"] == [
        {"kind": "OPENED", "text": "Complaint about delivery"},
        {"kind": "REPLIED", "text": "Sorry: another one is on its way"},
    ]


@pytest.mark.parametrize(
    ("role", "sees_email"),
    [
        (Role.AGENT, True),
        (Role.ADMIN, True),
        (Role.PRIVACY_OFFICER, True),
        (Role.ANALYST, False),
        (Role.AUDITOR, False),
    ],
)
def test_the_requesters_email_and_words_only_for_the_roles_that_see_personal_data(
    api: LiveApi, role: Role, sees_email: bool
) -> None:
    """The roles that read a customer's personal data on a ticket read the anonymous
    requester's; the others read the ticket without them."""
    seen = ticket(api, complain(api, email=BOB), role)
    assert seen["requester"] == {"anonymous": True, "email": BOB if sees_email else None}
    assert (seen["description"] is not None) is sees_email


def test_an_anonymous_requesters_ticket_is_no_customers(api: LiveApi) -> None:
    """Ada complains without logging in, from the email she registered with: the ticket is
    still no customer's: not in her Customer 360, null when she asks for it (by id or as a
    node), and she cannot reply to it as a customer."""
    ada = str(
        api.ledger.register_customer(
            RegisterCustomer("Ada", "ada@example.org"), EventMetadata.system()
        ).aggregate_id
    )
    done = complain(api, email="ada@example.org")
    assert api.graphql(
        TICKET, {"id": done["ticketId"], "p": done["position"]}, Role.CUSTOMER, ada
    ).json()["data"] == {"ticket": None}
    hers = api.graphql(
        "query($id: UUID!, $p: String) { customer(id: $id, atLeast: $p) "
        "{ tickets(first: 10) { edges { node { id } } } } }",
        {"id": ada, "p": done["position"]},
        role=Role.AGENT,
    ).json()
    assert hers["data"]["customer"]["tickets"]["edges"] == []
    node = api.graphql(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": ticket_node_id(api, done)},
        Role.CUSTOMER,
        ada,
    ).json()
    assert node["data"] == {"node": None}
    reply = {"ticketId": done["ticketId"], "body": "It is mine"}
    answer = api.graphql(REPLY, {"i": reply}, Role.CUSTOMER, ada).json()
    assert answer["data"]["replyToTicket"]["userErrors"] == [{"code": "TICKET_NOT_FOUND"}]


def ticket_node_id(api: LiveApi, done: Any) -> str:
    """The ticket's global id, as an agent reads it."""
    query = "query($id: UUID!, $p: String) { ticket(id: $id, atLeast: $p) { nodeId: id } }"
    variables = {"id": done["ticketId"], "p": done["position"]}
    body = api.graphql(query, variables, role=Role.AGENT).json()
    return str(body["data"]["ticket"]["nodeId"])


def test_agents_list_the_anonymous_requesters_tickets_apart(api: LiveApi) -> None:
    """`tickets(filter: {anonymous})` splits anonymous requesters' tickets from customers'."""
    ada = str(
        api.ledger.register_customer(
            RegisterCustomer("Ada", "ada@example.org"), EventMetadata.system()
        ).aggregate_id
    )
    hers = complain(api, Role.CUSTOMER, ada)
    bobs = complain(api, email=BOB)
    position = max(hers["position"], bobs["position"], key=int)

    def listed(anonymous: bool | None) -> list[str]:
        variables = {"p": position, "anonymous": anonymous}
        body = api.graphql(COMPLAINTS, variables, role=Role.AGENT).json()
        return [edge["node"]["id"] for edge in body["data"]["tickets"]["edges"]]

    assert listed(True) == [bobs["ticketId"]]
    assert listed(False) == [hers["ticketId"]]
    assert listed(None) == [bobs["ticketId"], hers["ticketId"]]


def test_a_logged_in_customers_complaint_still_opens_their_own_ticket(api: LiveApi) -> None:
    """Unchanged: the customer is the requester (not anonymous, their email on their own
    record), and they see their ticket."""
    ada = str(
        api.ledger.register_customer(
            RegisterCustomer("Ada", "ada@example.org"), EventMetadata.system()
        ).aggregate_id
    )
    done = complain(api, Role.CUSTOMER, ada)
    mine = ticket(api, done, Role.CUSTOMER, ada)
    assert mine["customerId"] == ada
    assert mine["requester"] == {"anonymous": False, "email": None}
    assert mine["description"] == "The parcel came crushed"
