"""Property (real PostgreSQL): random ticket commands with clock moves, applied to a database
ledger and projected, give a timeline with exactly one step per stored event of the ticket, each
with the SLA state the aggregate had at that step, and a ticket view whose SLA figures equal
the aggregate's ``ticket.clock(...)`` at the same instant."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import AsyncConnection, sql

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.ticket.calendar import BusinessCalendar
from domain.ticket.commands import OpenTicket
from domain.ticket.model import Ticket
from domain.ticket.values import Priority, SlaClock, TicketChannel
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.tickets.maintenance import tickets_due_for_breach_check
from projections.tickets.projection import TicketTimeline
from projections.tickets.queries import ticket_by_id, timeline
from projections.tickets.ticket_queries import BREACHED_AT
from projections.tickets.views import ClockView, SlaView, TicketView, TimelineEntryView
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENTS = (
    EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE),
    EventMetadata(actor_id="agent-9", actor_role=Role.AGENT, channel=Channel.WEB),
)
SYSTEM = EventMetadata.system("sla-check")
T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
CALENDARS = (
    BusinessCalendar(),
    BusinessCalendar("Europe/Rome", (0, 1, 2, 3, 4), "09:00", "17:00", ("2026-03-04",)),
)
ACTIONS = (
    "assign", "agent_reply", "customer_reply", "note", "priority", "escalate", "hold",
    "resume", "resolve", "reopen", "close", "breaches",
)  # fmt: skip

steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(0, 600),  # minutes the clock moves before the step
        st.sampled_from(list(Priority)),
        st.sampled_from(AGENTS),
    ),
    max_size=20,
)


@pytest.fixture(scope="module")
def desk(pg_admin: str) -> Iterator[tuple[Ledger, Database, UUID]]:
    """One database and ledger for every example; each example opens its own ticket."""
    with fresh_database(pg_admin) as database, postgres_ledger(database) as ledger:
        ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENTS[0])
        yield ledger, database, ada.aggregate_id


def send(
    ledger: Ledger, ticket_id: UUID, customer: EventMetadata, step: tuple[Any, ...], at: datetime
) -> None:
    action, _, priority, agent = step
    commands: dict[str, Callable[[], Any]] = {
        "assign": lambda: ledger.assign_ticket(ticket_id, agent.actor_id, agent, now=at),
        "agent_reply": lambda: ledger.reply_to_ticket(ticket_id, "On it", agent, now=at),
        "customer_reply": lambda: ledger.reply_to_ticket(ticket_id, "News?", customer, now=at),
        "note": lambda: ledger.add_ticket_note(ticket_id, "internal", agent, now=at),
        "priority": lambda: ledger.change_ticket_priority(ticket_id, priority, agent, now=at),
        "escalate": lambda: ledger.escalate_ticket(ticket_id, "slow", agent, now=at),
        "hold": lambda: ledger.put_ticket_on_hold(ticket_id, "waiting", agent, now=at),
        "resume": lambda: ledger.resume_ticket(ticket_id, agent, now=at),
        "resolve": lambda: ledger.resolve_ticket(ticket_id, "fixed", agent, now=at),
        "reopen": lambda: ledger.reopen_ticket(ticket_id, "not fixed", customer, now=at),
        "close": lambda: ledger.close_ticket(ticket_id, agent, now=at),
        "breaches": lambda: ledger.record_sla_breaches(ticket_id, SYSTEM, now=at),
    }
    # An illegal step is refused (the domain's own property test pins that down).
    with contextlib.suppress(DomainError):
        commands[action]()


def aggregate_sla(ticket: Ticket, at: datetime) -> SlaView:
    def view(clock: SlaClock) -> ClockView:
        s = ticket.clock(clock, at)
        return ClockView(
            clock, s.target_seconds, s.elapsed_seconds, s.running, s.due_at, s.breached
        )

    return SlaView(view(SlaClock.FIRST_RESPONSE), view(SlaClock.RESOLUTION))


def read(
    database: Database, ticket_id: UUID, at: datetime
) -> tuple[TicketView | None, list[TimelineEntryView]]:
    async def run() -> tuple[TicketView | None, list[TimelineEntryView]]:
        async with await AsyncConnection.connect(database.conninfo) as conn:
            return await ticket_by_id(conn, ticket_id, at), await timeline(conn, ticket_id, False)

    return asyncio.run(run())


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    calendar=st.sampled_from(CALENDARS),
    priority=st.sampled_from(list(Priority)),
    moves=steps,
    later=st.integers(0, 3_000),
)
def test_the_timeline_and_sla_figures_follow_the_events(
    desk: tuple[Ledger, Database, UUID],
    calendar: BusinessCalendar,
    priority: Priority,
    moves: list[tuple[Any, ...]],
    later: int,
) -> None:
    ledger, database, ada = desk
    ledger.set_business_calendar(calendar, ADMIN, now=T0)
    customer = EventMetadata(str(ada), Role.CUSTOMER, Channel.WEB)
    command = OpenTicket(ada, TicketChannel.WEB, "billing", "Hi", "Help me", priority)
    ticket_id = ledger.open_ticket(command, customer, now=T0).aggregate_id
    now = T0
    for step in moves:
        now += timedelta(minutes=step[1])
        send(ledger, ticket_id, customer, step, now)
    with database.connect() as conn:
        ProjectionRunner(ledger, database, TicketTimeline(), 50).catch_up(conn)

    asked = now + timedelta(minutes=later)
    view, entries = read(database, ticket_id, asked)
    events = list(ledger.events.get(ticket_id))
    assert [e.version for e in entries] == [e.originator_version for e in events]
    for entry in entries:
        then: Ticket = ledger.repository.get(ticket_id, version=entry.version)
        assert entry.sla == aggregate_sla(then, entry.at)
    ticket = ledger.get_ticket(ticket_id)
    assert view is not None and view.version == ticket.version
    assert view.sla == aggregate_sla(ticket, asked)
    if ticket.first_response_at is not None:
        fr = ticket.clock(SlaClock.FIRST_RESPONSE, ticket.first_response_at)
        assert view.first_response_seconds == fr.elapsed_seconds
    if ticket.resolved_at is not None:
        resolution = ticket.clock(SlaClock.RESOLUTION, ticket.resolved_at)
        assert view.resolution_seconds == resolution.elapsed_seconds
    unrecorded = [
        c for c in SlaClock if ticket.clock(c, asked).breached and c not in ticket.breaches
    ]
    breached = bool(ticket.breaches) or view.sla.breached
    assert sql_flags(database, ticket_id, asked) == (bool(unrecorded), breached)


def sql_flags(database: Database, ticket_id: UUID, at: datetime) -> tuple[bool, bool]:
    """Whether the SLA check finds the ticket, and whether the breached filter lists it: both
    read the columns kept as of the ticket's latest event, not the periods."""
    with database.connect() as conn:
        candidate = ticket_id in tickets_due_for_breach_check(conn, at, 100_000)
        query = sql.SQL("SELECT {} FROM tickets WHERE ticket_id = %(id)s").format(BREACHED_AT)
        row = conn.execute(query, {"id": ticket_id, "at": at}).fetchone()
    assert row is not None
    return candidate, bool(row[0])
