"""A small helpdesk driven by real commands, for the ticket read model's tests.

Every SLA figure of :func:`populate` is worked out in its docstring (the default policy: clocks
count every second; targets in minutes: urgent 60/240, high 120/480, normal 240/1440, low
480/4320 for first response/resolution).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.ticket.commands import OpenTicket
from domain.ticket.model import Ticket
from domain.ticket.sla import ClockState
from domain.ticket.values import Priority, SlaClock, TicketChannel
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.ticket_jobs import SlaCheck
from projections.tickets.projection import TicketTimeline
from projections.tickets.views import ClockView, SlaView
from tests.support import read_models

T = TypeVar("T")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
AT = T0 + timedelta(days=8)
AGENT_7 = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
AGENT_9 = EventMetadata(actor_id="agent-9", actor_role=Role.AGENT, channel=Channel.WEB)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def as_customer(customer_id: UUID) -> EventMetadata:
    return EventMetadata(actor_id=str(customer_id), actor_role=Role.CUSTOMER, channel=Channel.WEB)


def register(ledger: Ledger, name: str) -> UUID:
    command = RegisterCustomer(name, f"{name.lower()}@example.org")
    return ledger.register_customer(command, AGENT_7).aggregate_id


def open_ticket(
    ledger: Ledger,
    customer_id: UUID,
    at: datetime,
    priority: Priority,
    *,
    channel: TicketChannel = TicketChannel.WEB,
    category: str = "billing",
    by: EventMetadata | None = None,
) -> UUID:
    command = OpenTicket(
        customer_id, channel, category, "Charged twice", "My card was charged twice.", priority
    )
    metadata = by or as_customer(customer_id)
    return ledger.open_ticket(command, metadata, now=at).aggregate_id


def sla_check(ledger: Ledger, database: Database) -> SlaCheck:
    read_model = ProjectionRunner(ledger, database, TicketTimeline(), batch_size=7)
    return SlaCheck(ledger, database, read_model, batch_size=2)


def project(ledger: Ledger, database: Database, batch_size: int = 5) -> None:
    read_models.project(ledger, database, TicketTimeline(), batch_size)


@dataclass
class World:
    ada: UUID
    bob: UUID
    cy: UUID
    a: UUID
    b: UUID
    c: UUID
    d: UUID
    e: UUID
    f: UUID
    g: UUID


def populate(ledger: Ledger, database: Database) -> World:
    """Seven tickets; figures as of AT = T0 + 8 days.

    - A (ada, normal->high, web, billing, agent-7): first response at 30m (1800 s); on hold
      40m-100m; resolved at 200m, reopened at 300m, resolved at 360m (resolution 40+100+60
      minutes = 12000 s, within 480), closed at 400m.
    - B (bob, urgent, email, delivery, opened by agent-7 at 1h): the check at 3h records the
      first-response breach, the one at 6h the resolution breach; agent-9 at 6h30m, first
      response at 7h (21600 s), resolved at 8h (25200 s, over 240 minutes).
    - C (ada, low, phone, account, agent-9, opened by agent-9 at 2h): first response at 2h30m
      (1800 s), on hold from 3h: backlog over 7 days, clocks paused.
    - D (cy, normal, chat, billing, agent-7) at day 2: response after 1h (3600 s), resolved
      after 5h (18000 s, within).
    - G (ada, low, app, account, agent-7) at day 4; E (bob, high, web, delivery) at day 5 + 1h;
      F (cy, normal, web, returns) at day 7.5: no response, backlog 3-7, 1-3 and under 1 day.
    """
    ada, bob, cy = (register(ledger, name) for name in ("Ada", "Bob", "Cy"))
    check = sla_check(ledger, database)
    a = open_ticket(ledger, ada, T0, Priority.NORMAL)
    ledger.assign_ticket(a, "agent-7", AGENT_7, now=minutes(10))
    ledger.add_ticket_note(a, "Looks like a double capture.", AGENT_7, now=minutes(20))
    ledger.reply_to_ticket(a, "We are looking into it.", AGENT_7, now=minutes(30))
    ledger.put_ticket_on_hold(a, "Waiting for the bank statement.", AGENT_7, now=minutes(40))
    ledger.reply_to_ticket(a, "Here it is.", as_customer(ada), now=minutes(100))
    ledger.change_ticket_priority(a, Priority.HIGH, AGENT_7, now=minutes(110))
    ledger.escalate_ticket(a, "Needs the payments team.", AGENT_7, now=minutes(120))
    b = open_ticket(
        ledger, bob, hours(1), Priority.URGENT, channel=TicketChannel.EMAIL,
        category="delivery", by=AGENT_7,
    )  # fmt: skip
    c = open_ticket(
        ledger, ada, hours(2), Priority.LOW, channel=TicketChannel.PHONE, category="account",
        by=AGENT_9,
    )  # fmt: skip
    ledger.assign_ticket(c, "agent-9", AGENT_9, now=minutes(130))
    ledger.reply_to_ticket(c, "Which account?", AGENT_9, now=minutes(150))
    ledger.put_ticket_on_hold(c, "Waiting for the account number.", AGENT_9, now=hours(3))
    check.run(hours(3))
    ledger.resolve_ticket(a, "Refunded the second charge.", AGENT_7, now=minutes(200))
    ledger.reopen_ticket(a, "Still charged.", as_customer(ada), now=minutes(300))
    check.run(hours(6))
    ledger.resolve_ticket(a, "Refund confirmed by the bank.", AGENT_7, now=minutes(360))
    ledger.close_ticket(a, AGENT_7, now=minutes(400))
    ledger.assign_ticket(b, "agent-9", AGENT_9, now=minutes(390))
    ledger.reply_to_ticket(b, "Sorry for the wait.", AGENT_9, now=hours(7))
    ledger.resolve_ticket(b, "Parcel found.", AGENT_9, now=hours(8))
    d = open_ticket(ledger, cy, day(2), Priority.NORMAL, channel=TicketChannel.CHAT)
    ledger.assign_ticket(d, "agent-7", AGENT_7, now=day(2))
    ledger.reply_to_ticket(d, "On it.", AGENT_7, now=day(2) + timedelta(hours=1))
    ledger.resolve_ticket(d, "Done.", AGENT_7, now=day(2) + timedelta(hours=5))
    g = open_ticket(
        ledger, ada, day(4), Priority.LOW, channel=TicketChannel.APP, category="account"
    )
    ledger.assign_ticket(g, "agent-7", AGENT_7, now=day(4))
    e = open_ticket(ledger, bob, day(5) + timedelta(hours=1), Priority.HIGH, category="delivery")
    f = open_ticket(ledger, cy, day(7.5), Priority.NORMAL, category="returns")
    project(ledger, database)
    return World(ada, bob, cy, a, b, c, d, e, f, g)


def clock_view(state: ClockState) -> ClockView:
    return ClockView(
        state.clock, state.target_seconds, state.elapsed_seconds, state.running, state.due_at,
        state.breached,
    )  # fmt: skip


def aggregate_sla(ticket: Ticket, at: datetime) -> SlaView:
    """Both clocks as the aggregate computes them."""
    return SlaView(
        clock_view(ticket.clock(SlaClock.FIRST_RESPONSE, at)),
        clock_view(ticket.clock(SlaClock.RESOLUTION, at)),
    )


def ticket_at_version(ledger: Ledger, ticket_id: UUID, version: int) -> Ticket:
    ticket: Ticket = ledger.repository.get(ticket_id, version=version)
    return ticket
