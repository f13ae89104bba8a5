"""Tickets over HTTP: a customer opens one, agents work it through its whole life, the
customer reopens it; each caller sees what their role may; refusals are typed user errors
that write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from domain.shared.metadata import Role
from tests.api.helpers import error_codes
from tests.api.steps import errors_of, events_of
from tests.api.ticket_steps import (
    AGENT,
    act,
    customer,
    done,
    open_ticket,
    opened,
    read_ticket,
    silver_member,
    timeline,
)
from tests.support.server import LiveApi, module_api


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def worked(api: LiveApi, customer_id: str) -> str:
    """A ticket the customer opened, then assigned, answered, noted, held, resumed and
    resolved by an agent."""
    ticket_id: str = opened(api, customer_id)["id"]
    done(api, "assignTicket", ticket_id, agentId=AGENT)
    done(api, "replyToTicket", ticket_id, body="Sorry! Which card was it?")
    done(api, "addTicketNote", ticket_id, body="Payment provider incident #77")
    done(api, "putTicketOnHold", ticket_id, reason="Waiting for the card's last digits")
    done(api, "resumeTicket", ticket_id)
    done(api, "resolveTicket", ticket_id, resolution="Refunded the second charge")
    return ticket_id


def test_a_customer_opens_a_ticket_for_themself_at_normal_priority(api: LiveApi) -> None:
    customer_id = customer(api)
    payload = open_ticket(api, customer_id)
    assert payload["userErrors"] == [] and payload["position"] is not None
    ticket = payload["ticket"]
    assert (ticket["customerId"], ticket["status"], ticket["priority"]) == (
        customer_id,
        "NEW",
        "NORMAL",
    )
    assert ticket["subject"] == "Charged twice" and ticket["version"] == 1
    assert ticket["sla"]["firstResponse"]["targetSeconds"] == 240 * 60
    assert ticket["sla"]["firstResponse"]["running"] is True


def test_a_silver_member_s_ticket_opens_at_high_priority(api: LiveApi) -> None:
    customer_id = silver_member(api)
    assert opened(api, customer_id)["priority"] == "HIGH"


def test_an_agent_chooses_the_priority_and_a_customer_may_not(api: LiveApi) -> None:
    customer_id = customer(api)
    by_agent = open_ticket(api, customer_id, role=Role.AGENT, priority="URGENT")
    assert by_agent["ticket"]["priority"] == "URGENT"
    head = api.quiet_head()
    response = api.graphql(
        "mutation($i: OpenTicketInput!) { openTicket(input: $i) { position } }",
        {
            "i": {
                "customerId": customer_id,
                "channel": "APP",
                "category": "billing",
                "subject": "Me first",
                "description": "Please hurry",
                "priority": "URGENT",
            }
        },
        role=Role.CUSTOMER,
        subject=customer_id,
    )
    assert error_codes(response.json()) == ["FORBIDDEN"]
    assert api.ledger.head_position() == head


def test_opening_again_with_the_same_ticket_id_writes_nothing(api: LiveApi) -> None:
    customer_id, ticket_id = customer(api), str(uuid4())
    first = opened(api, customer_id, ticketId=ticket_id)
    head = api.quiet_head()
    again = opened(api, customer_id, ticketId=ticket_id)
    assert again["id"] == first["id"] == ticket_id
    assert api.ledger.head_position() == head


def test_a_ticket_goes_through_its_whole_life(api: LiveApi) -> None:
    customer_id = customer(api)
    ticket_id = worked(api, customer_id)
    resolved = read_ticket(api, ticket_id)
    assert resolved is not None and resolved["status"] == "RESOLVED"
    assert resolved["assignee"] == AGENT and resolved["firstResponseAt"] is not None
    assert resolved["sla"]["resolution"]["running"] is False

    reopened = done(
        api,
        "reopenTicket",
        ticket_id,
        role=Role.CUSTOMER,
        subject=customer_id,
        reason="Charged a third time",
    )
    assert (reopened["status"], reopened["reopenCount"]) == ("OPEN", 1)
    assert reopened["sla"]["resolution"]["running"] is True
    done(api, "resolveTicket", ticket_id, resolution="Blocked the duplicate charge")
    closed = done(api, "closeTicket", ticket_id)
    assert closed["status"] == "CLOSED" and closed["closedAt"] is not None


def test_the_timeline_has_one_step_per_event_with_the_sla_at_each(api: LiveApi) -> None:
    ticket_id = worked(api, customer(api))
    steps = timeline(api, ticket_id)
    assert [s["kind"] for s in steps] == [
        "OPENED",
        "ASSIGNED",
        "REPLIED",
        "NOTE_ADDED",
        "PUT_ON_HOLD",
        "RESUMED",
        "RESOLVED",
    ]
    assert [s["version"] for s in steps] == list(range(1, 8))
    assert len(steps) == len(events_of(api, ticket_id))
    reply, hold, resume = steps[2], steps[4], steps[5]
    assert reply["details"]["byAgent"] is True and reply["details"]["firstResponse"] is True
    assert reply["sla"]["firstResponse"]["running"] is False
    assert hold["sla"]["resolution"]["running"] is False
    assert resume["sla"]["resolution"]["running"] is True


def test_the_customer_sees_only_public_steps_with_their_texts(api: LiveApi) -> None:
    customer_id = customer(api)
    ticket_id = worked(api, customer_id)
    steps = timeline(api, ticket_id, role=Role.CUSTOMER, subject=customer_id)
    assert [s["kind"] for s in steps] == [
        "OPENED",
        "REPLIED",
        "PUT_ON_HOLD",
        "RESUMED",
        "RESOLVED",
    ]
    assert all(s["public"] for s in steps)
    assert steps[1]["text"] == "Sorry! Which card was it?" and steps[1]["actorId"] == AGENT


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR])
def test_readers_without_personal_data_get_null_texts_and_actors(api: LiveApi, role: Role) -> None:
    ticket_id = worked(api, customer(api))
    ticket = read_ticket(api, ticket_id, "subject description status", role=role)
    assert ticket == {"subject": None, "description": None, "status": "RESOLVED"}
    steps = timeline(api, ticket_id, role=role)
    assert len(steps) == 7
    assert {s["text"] for s in steps} == {None} and {s["actorId"] for s in steps} == {None}
    assert steps[3]["kind"] == "NOTE_ADDED" and steps[3]["actorRole"] == "agent"


def test_another_customer_s_ticket_reads_as_null(api: LiveApi) -> None:
    ticket_id = opened(api, customer(api))["id"]
    stranger = customer(api)
    assert read_ticket(api, ticket_id, "id", role=Role.CUSTOMER, subject=stranger) is None
    assert read_ticket(api, str(uuid4()), "id", role=Role.CUSTOMER, subject=stranger) is None


@pytest.mark.parametrize(
    ("name", "fields"),
    [("replyToTicket", {"body": "Me too!"}), ("reopenTicket", {"reason": "Not fixed"})],
)
def test_a_customer_acting_on_another_s_ticket_gets_ticket_not_found(
    api: LiveApi, name: str, fields: dict[str, Any]
) -> None:
    ticket_id = opened(api, customer(api))["id"]
    if name == "reopenTicket":
        done(api, "resolveTicket", ticket_id, resolution="Done")
    stranger = customer(api)
    head = api.quiet_head()
    payload = act(api, name, ticket_id, role=Role.CUSTOMER, subject=stranger, **fields)
    assert errors_of(payload) == [("TICKET_NOT_FOUND", ["input", "ticketId"])]
    assert payload["ticket"] is None and api.ledger.head_position() == head


def test_a_customer_reply_on_hold_resumes_the_ticket(api: LiveApi) -> None:
    customer_id = customer(api)
    ticket_id = opened(api, customer_id)["id"]
    done(api, "putTicketOnHold", ticket_id, reason="Need a photo")
    answered = done(
        api, "replyToTicket", ticket_id, role=Role.CUSTOMER, subject=customer_id, body="Here"
    )
    assert answered["status"] == "NEW" and answered["firstResponseAt"] is None


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("closeTicket", {}),
        ("resumeTicket", {}),
        ("reopenTicket", {"reason": "Again"}),
    ],
)
def test_an_illegal_transition_is_a_user_error_that_writes_nothing(
    api: LiveApi, name: str, fields: dict[str, Any]
) -> None:
    ticket_id = opened(api, customer(api))["id"]
    head = api.quiet_head()
    payload = act(api, name, ticket_id, **fields)
    assert errors_of(payload) == [("ILLEGAL_TICKET_TRANSITION", ["input", "ticketId"])]
    assert api.ledger.head_position() == head


def test_an_unknown_ticket_is_ticket_not_found(api: LiveApi) -> None:
    payload = act(api, "assignTicket", str(uuid4()), agentId=AGENT)
    assert errors_of(payload) == [("TICKET_NOT_FOUND", ["input", "ticketId"])]


@pytest.mark.parametrize(
    ("name", "fields", "field"),
    [
        ("replyToTicket", {"body": "x" * 10_001}, "body"),
        ("addTicketNote", {"body": "   "}, "body"),
        ("escalateTicket", {"reason": "y" * 10_001}, "reason"),
        ("assignTicket", {"agentId": "a" * 129}, "agentId"),
    ],
)
def test_oversized_or_empty_texts_are_refused_and_write_nothing(
    api: LiveApi, name: str, fields: dict[str, Any], field: str
) -> None:
    ticket_id = opened(api, customer(api))["id"]
    head = api.quiet_head()
    payload = act(api, name, ticket_id, **fields)
    assert errors_of(payload) == [("INVALID_INPUT", ["input", field])]
    assert api.ledger.head_position() == head


def test_an_oversized_subject_is_refused_and_opens_nothing(api: LiveApi) -> None:
    customer_id = customer(api)
    head = api.quiet_head()
    payload = open_ticket(api, customer_id, subject="s" * 201)
    assert errors_of(payload) == [("INVALID_INPUT", ["input", "subject"])]
    assert api.ledger.head_position() == head


def test_a_stale_expected_version_is_a_conflict_with_the_current_version(api: LiveApi) -> None:
    ticket_id = opened(api, customer(api))["id"]
    done(api, "assignTicket", ticket_id, agentId=AGENT)
    payload = act(api, "resolveTicket", ticket_id, resolution="Fixed", expectedVersion=1)
    assert [(e["code"], e["currentVersion"]) for e in payload["userErrors"]] == [
        ("CONCURRENCY_CONFLICT", 2)
    ]
    changed = done(api, "escalateTicket", ticket_id, reason="VIP", expectedVersion=2)
    assert (changed["escalationLevel"], changed["version"]) == (1, 3)


def test_priority_changes_switch_the_sla_target(api: LiveApi) -> None:
    ticket_id = opened(api, customer(api))["id"]
    urgent = done(api, "changeTicketPriority", ticket_id, priority="URGENT")
    assert urgent["priority"] == "URGENT"
    assert urgent["sla"]["firstResponse"]["targetSeconds"] == 60 * 60
