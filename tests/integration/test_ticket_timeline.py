"""The ticket read model, driven by real commands: one timeline step per event with its actor,
visibility and SLA state, the customer's view, filters and paging, the agent queue by SLA
urgency, identical rebuilds and idempotent re-application."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest

from domain.ledger import Ledger
from domain.ticket.values import Priority, TicketChannel, TicketStatus
from infrastructure.database import Database
from projections.tickets.queries import (
    agent_queue,
    customer_tickets,
    ticket_by_id,
    tickets_page,
    timeline,
)
from projections.tickets.views import TicketFilter, TicketView, TimelineEntryView, TimelineKind
from tests.integration.ticket_world import (
    AGENT_7,
    AGENT_9,
    AT,
    T0,
    World,
    aggregate_sla,
    day,
    hours,
    minutes,
    open_ticket,
    populate,
    project,
    register,
    ticket_at_version,
)
from tests.support.read_models import query

K = TimelineKind


@pytest.fixture
def world(ledger: Ledger, database: Database) -> World:
    return populate(ledger, database)


def steps(
    database: Database, ticket_id: UUID, public_only: bool = False
) -> list[TimelineEntryView]:
    return query(database, lambda conn: timeline(conn, ticket_id, public_only))


def view_at(database: Database, ticket_id: UUID, at: datetime) -> TicketView | None:
    return query(database, lambda conn: ticket_by_id(conn, ticket_id, at))


def listed(database: Database, f: TicketFilter, first: int = 20) -> list[UUID]:
    page = query(database, lambda conn: tickets_page(conn, f, first, None, AT))
    return [t.id for t in page.items]


def test_the_timeline_has_one_step_per_event_in_order(
    ledger: Ledger, database: Database, world: World
) -> None:
    events = list(ledger.events.get(world.a))
    entries = steps(database, world.a)
    assert [e.version for e in entries] == [e.originator_version for e in events]
    assert [e.kind for e in entries] == [
        K.OPENED, K.ASSIGNED, K.NOTE_ADDED, K.REPLIED, K.PUT_ON_HOLD, K.RESUMED, K.REPLIED,
        K.PRIORITY_CHANGED, K.ESCALATED, K.RESOLVED, K.REOPENED, K.RESOLVED, K.CLOSED,
    ]  # fmt: skip
    assert [e.at for e in entries] == [getattr(event, "at") for event in events]  # noqa: B009


def test_each_step_names_its_actor_role_channel_and_visibility(
    database: Database, world: World
) -> None:
    entries = steps(database, world.a)
    opened, assigned, note, reply = entries[:4]
    assert (opened.actor_id, opened.actor_role, opened.public) == (str(world.ada), "customer", True)
    assert (assigned.actor_id, assigned.actor_role, assigned.channel) == (
        "agent-7",
        "agent",
        "phone",
    )
    assert assigned.details == {"agent_id": "agent-7", "previous_agent_id": None}
    assert not assigned.public and not note.public
    assert note.text == "Looks like a double capture."
    assert reply.public and reply.details == {"by_agent": True, "first_response": True}
    assert entries[7].details == {"from": "normal", "to": "high"} and not entries[7].public
    assert (entries[8].details, entries[8].text) == ({"level": 1}, "Needs the payments team.")


def test_each_step_carries_the_sla_state_the_aggregate_had_then(
    ledger: Ledger, database: Database, world: World
) -> None:
    for ticket_id in (world.a, world.b, world.c):
        for entry in steps(database, ticket_id):
            ticket = ticket_at_version(ledger, ticket_id, entry.version)
            assert entry.sla == aggregate_sla(ticket, entry.at)


def test_the_sla_at_a_step_shows_the_pause_on_hold(database: Database, world: World) -> None:
    entries = steps(database, world.a)
    on_hold, resumed = entries[4].sla.resolution, entries[5].sla.resolution
    assert (on_hold.running, on_hold.elapsed_seconds) == (False, 40 * 60)
    assert (resumed.running, resumed.elapsed_seconds) == (True, 40 * 60)
    assert entries[3].sla.first_response.elapsed_seconds == 30 * 60


def test_the_customer_sees_only_public_steps(database: Database, world: World) -> None:
    public = steps(database, world.a, public_only=True)
    assert [e.kind for e in public] == [
        K.OPENED, K.REPLIED, K.PUT_ON_HOLD, K.RESUMED, K.REPLIED, K.RESOLVED, K.REOPENED,
        K.RESOLVED, K.CLOSED,
    ]  # fmt: skip
    assert "Looks like a double capture." not in [e.text for e in public]


def test_a_ticket_view_has_its_state_and_the_aggregates_clocks_at_any_time(
    ledger: Ledger, database: Database, world: World
) -> None:
    view = query(database, lambda conn: ticket_by_id(conn, world.a, AT))
    assert view is not None
    assert (view.status, view.priority, view.assignee) == (
        TicketStatus.CLOSED, Priority.HIGH, "agent-7",
    )  # fmt: skip
    assert (view.reopen_count, view.escalation_level, view.version) == (1, 1, 13)
    assert (view.first_response_seconds, view.resolution_seconds) == (1800, 12000)
    assert view.subject == "Charged twice" and view.closed_at == minutes(400)
    for ticket_id in (world.a, world.b, world.c, world.e):
        for at in (hours(2), hours(5), AT, day(30)):
            seen = view_at(database, ticket_id, at)
            assert seen is not None
            assert seen.sla == aggregate_sla(ledger.get_ticket(ticket_id), at)


def test_an_unknown_ticket_has_no_view_and_no_timeline(database: Database, world: World) -> None:
    unknown = UUID(int=7)
    assert query(database, lambda conn: ticket_by_id(conn, unknown, AT)) is None
    assert steps(database, unknown) == []


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (TicketFilter(statuses=(TicketStatus.CLOSED,)), "a"),
        (TicketFilter(statuses=(TicketStatus.RESOLVED, TicketStatus.ON_HOLD)), "dcb"),
        (TicketFilter(priorities=(Priority.LOW,)), "gc"),
        (TicketFilter(assignee="agent-9"), "cb"),
        (TicketFilter(category="billing"), "da"),
        (TicketFilter(channel=TicketChannel.EMAIL), "b"),
        (TicketFilter(breached=True), "fegb"),
        (TicketFilter(breached=False), "dca"),
        (TicketFilter(opened_since=day(1), opened_until=day(5)), "gd"),
        (TicketFilter(category="account", breached=True), "g"),
    ],
)
def test_filters(database: Database, world: World, f: TicketFilter, expected: str) -> None:
    assert listed(database, f) == [getattr(world, name) for name in expected]


def test_the_customer_filter_and_customer_360_list_the_customers_tickets(
    database: Database, world: World
) -> None:
    assert listed(database, TicketFilter(customer_id=world.bob)) == [world.e, world.b]
    mine = query(database, lambda conn: customer_tickets(conn, world.ada, 10, AT))
    assert [t.id for t in mine] == [world.g, world.c, world.a]


def test_pages_follow_the_cursor_newest_first(database: Database, world: World) -> None:
    first = query(database, lambda conn: tickets_page(conn, TicketFilter(), 3, None, AT))
    assert [t.id for t in first.items] == [world.f, world.e, world.g] and first.has_next_page
    cursor = first.items[-1].seq
    rest = query(database, lambda conn: tickets_page(conn, TicketFilter(), 10, cursor, AT))
    assert [t.id for t in rest.items] == [world.d, world.c, world.b, world.a]
    assert not rest.has_next_page


def test_the_agent_queue_puts_breached_first_then_soonest_due_and_on_hold_last(
    ledger: Ledger, database: Database
) -> None:
    ada = register(ledger, "Ada")
    x = open_ticket(ledger, ada, T0, Priority.NORMAL)  # first response due at 4h
    y = open_ticket(ledger, ada, minutes(30), Priority.URGENT)  # due at 1h30m
    z = open_ticket(ledger, ada, T0, Priority.LOW)
    w = open_ticket(ledger, ada, T0 - timedelta(hours=3), Priority.HIGH)  # due at -1h
    elsewhere = open_ticket(ledger, ada, T0, Priority.URGENT)
    for ticket in (x, y, z, w):
        ledger.assign_ticket(ticket, "agent-7", AGENT_7, now=minutes(35))
    ledger.assign_ticket(elsewhere, "agent-9", AGENT_9, now=minutes(35))
    ledger.put_ticket_on_hold(z, "Waiting for a photo.", AGENT_7, now=minutes(40))
    project(ledger, database)

    queue = query(database, lambda conn: agent_queue(conn, "agent-7", 10, hours(1)))
    assert [t.id for t in queue] == [w, y, x, z]
    everyone = query(database, lambda conn: agent_queue(conn, None, 10, hours(1)))
    assert [t.id for t in everyone] == [w, elsewhere, y, x, z]
