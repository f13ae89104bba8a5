"""Property: random ticket commands and clock moves never reach an illegal state, a refused
command writes nothing, and the SLA clocks equal an independent count from the events.

The independent count walks the ticket's events with its own small state machine (which
clocks run after each kind of event) and counts, minute by minute, the business minutes in
Rome office hours (Monday to Friday, 09:00-17:00, one holiday) while each clock ran. It shares
nothing with the aggregate's periods or the calendar's day windows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.ticket.calendar import BusinessCalendar
from domain.ticket.commands import OpenTicket
from domain.ticket.model import Ticket
from domain.ticket.values import Priority, SlaClock, TicketChannel, TicketStatus
from tests.support.ledgers import in_memory_ledger

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
ROME = ZoneInfo("Europe/Rome")
HOLIDAY = date(2026, 3, 4)
CALENDAR = BusinessCalendar("Europe/Rome", (0, 1, 2, 3, 4), "09:00", "17:00", ("2026-03-04",))
T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 08:00 in Rome

ACTIONS = (
    "assign", "agent_reply", "customer_reply", "note", "priority", "escalate", "hold", "hold",
    "resume", "resolve", "resolve", "reopen", "close", "breaches",
)  # fmt: skip
steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 900), st.sampled_from(list(Priority))),
    max_size=25,
)


class Desk:
    """One ticket and the commands the steps send it, at the time the steps move."""

    def __init__(self) -> None:
        self.ledger: Ledger = in_memory_ledger()
        self.ledger.set_business_calendar(CALENDAR, ADMIN, now=T0)
        ada = self.ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
        self.customer = EventMetadata(str(ada.aggregate_id), Role.CUSTOMER, Channel.WEB)
        command = OpenTicket(ada.aggregate_id, TicketChannel.WEB, "billing", "Hi", "Help me")
        self.ticket_id: UUID = self.ledger.open_ticket(command, self.customer, now=T0).aggregate_id
        self.now = T0

    def ticket(self) -> Ticket:
        return self.ledger.get_ticket(self.ticket_id)

    def run(self, action: str, minutes: int, priority: Priority) -> None:
        self.now += timedelta(minutes=minutes)
        before = self.ticket().version
        try:
            self._send(action, priority)
        except DomainError:
            assert self.ticket().version == before, f"refused {action} wrote something"

    def _send(self, action: str, priority: Priority) -> None:
        ledger, tid, at, customer = self.ledger, self.ticket_id, self.now, self.customer
        commands: dict[str, Any] = {
            "assign": lambda: ledger.assign_ticket(tid, "agent-7", AGENT, now=at),
            "agent_reply": lambda: ledger.reply_to_ticket(tid, "On it", AGENT, now=at),
            "customer_reply": lambda: ledger.reply_to_ticket(
                tid, "Any news?", self.customer, now=at
            ),
            "note": lambda: ledger.add_ticket_note(tid, "internal", AGENT, now=at),
            "priority": lambda: ledger.change_ticket_priority(tid, priority, AGENT, now=at),
            "escalate": lambda: ledger.escalate_ticket(tid, "slow", AGENT, now=at),
            "hold": lambda: ledger.put_ticket_on_hold(tid, "waiting", AGENT, now=at),
            "resume": lambda: ledger.resume_ticket(tid, AGENT, now=at),
            "resolve": lambda: ledger.resolve_ticket(tid, "fixed", AGENT, now=at),
            "reopen": lambda: ledger.reopen_ticket(tid, "not fixed", customer, now=at),
            "close": lambda: ledger.close_ticket(tid, AGENT, now=at),
            "breaches": lambda: ledger.record_sla_breaches(tid, AGENT, now=at),
        }
        commands[action]()


Timeline = list[tuple[datetime, bool, bool]]


def running_after(events: list[Any]) -> Timeline:
    """(time, resolution clock runs, first-response clock runs) after each event."""
    runs_res = runs_first = responded = False
    timeline = []
    for event in events:
        name = type(event).__name__
        if name == "Opened":
            runs_res = runs_first = True
        elif name in ("PutOnHold", "Resolved"):
            runs_res = runs_first = False
        elif name == "Resumed":
            runs_res, runs_first = True, not responded
        elif name == "Reopened":
            runs_res = True
        elif name == "Replied" and event.first_response:
            responded, runs_first = True, False
        timeline.append((event.at, runs_res, runs_first))
    return timeline


def business_minutes(timeline: Timeline, which: int, until: datetime) -> int:
    counted, minute = 0, timeline[0][0]
    while minute < until:
        state = [entry for entry in timeline if entry[0] <= minute][-1]
        local = minute.astimezone(ROME)
        working = local.weekday() < 5 and local.date() != HOLIDAY and 9 <= local.hour < 17
        counted += bool(state[which] and working)
        minute += timedelta(minutes=1)
    return counted


def check_state(ticket: Ticket, at: datetime) -> None:
    status = ticket.status
    resolution = ticket.clock(SlaClock.RESOLUTION, at)
    first = ticket.clock(SlaClock.FIRST_RESPONSE, at)
    if status in (TicketStatus.ON_HOLD, TicketStatus.RESOLVED, TicketStatus.CLOSED):
        assert not resolution.running and not first.running
    if status in (TicketStatus.NEW, TicketStatus.OPEN):
        assert ticket.resolved_at is None
    assert status is not TicketStatus.NEW or ticket.assignee is None
    assert len(ticket.breaches) == len(set(ticket.breaches))
    if ticket.first_response_at is not None:
        assert not first.running


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_random_ticket_histories_stay_legal_and_their_clocks_add_up(
    sequence: list[tuple[str, int, Priority]],
) -> None:
    desk = Desk()
    for action, minutes, priority in sequence:
        desk.run(action, minutes, priority)
        ticket = desk.ticket()
        check_state(ticket, desk.now)
    events = list(desk.ledger.events.get(desk.ticket_id))
    firsts = [e for e in events if isinstance(e, Ticket.Replied) and e.first_response]
    assert len(firsts) <= 1
    timeline = running_after(events)
    end = desk.now + timedelta(minutes=1)
    ticket = desk.ticket()
    for which, clock in ((1, SlaClock.RESOLUTION), (2, SlaClock.FIRST_RESPONSE)):
        assert ticket.clock(clock, end).elapsed_seconds == 60 * business_minutes(
            timeline, which, end
        )
