"""Tickets and SLA clocks, given-when-then, in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.errors import ConcurrencyConflictError, ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.ticket.calendar import BusinessCalendar
from domain.ticket.commands import OpenTicket
from domain.ticket.errors import (
    IllegalTicketTransitionError,
    ReopenWindowPassedError,
    TicketIdReusedError,
    TicketNotFoundError,
)
from domain.ticket.values import Priority, SlaClock, TicketChannel, TicketStatus
from tests.support.loyalty import make_silver

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def customer(ledger: Ledger, email: str = "ada@example.org") -> UUID:
    return ledger.register_customer(RegisterCustomer("Ada", email), AGENT).aggregate_id


def as_customer(customer_id: UUID) -> EventMetadata:
    return EventMetadata(actor_id=str(customer_id), actor_role=Role.CUSTOMER, channel=Channel.WEB)


def opened(
    ledger: Ledger,
    customer_id: UUID,
    at: datetime = T0,
    priority: Priority | None = None,
    ticket_id: UUID | None = None,
) -> UUID:
    command = OpenTicket(
        customer_id, TicketChannel.WEB, "billing", "Charged twice", "My card was charged twice.",
        priority=priority, ticket_id=ticket_id,
    )  # fmt: skip
    return ledger.open_ticket(command, as_customer(customer_id), now=at).aggregate_id


def test_a_ticket_opens_new_with_normal_priority_and_running_clocks(ledger: Ledger) -> None:
    ticket = ledger.get_ticket(opened(ledger, customer(ledger)))
    assert ticket.status is TicketStatus.NEW
    assert ticket.priority is Priority.NORMAL
    clock = ticket.clock(SlaClock.FIRST_RESPONSE, T0 + minutes(30))
    assert clock.running and clock.elapsed_seconds == 1800 and not clock.breached


def test_a_silver_member_gets_high_priority(ledger: Ledger) -> None:
    ada = customer(ledger)
    make_silver(ledger, ada, T0)
    assert ledger.get_ticket(opened(ledger, ada)).priority is Priority.HIGH


def test_a_customer_cannot_see_or_act_on_anothers_ticket(ledger: Ledger) -> None:
    ticket_id = opened(ledger, customer(ledger))
    bo = customer(ledger, "bo@example.org")
    with pytest.raises(TicketNotFoundError):
        ledger.reply_to_ticket(ticket_id, "hello", as_customer(bo))
    with pytest.raises(TicketNotFoundError):
        ledger.get_ticket(ticket_id, as_customer(bo))


def test_the_first_public_agent_reply_is_the_first_response_and_stops_its_clock(
    ledger: Ledger,
) -> None:
    ada = customer(ledger)
    ticket_id = opened(ledger, ada)
    ledger.add_ticket_note(ticket_id, "checking the payment logs", AGENT, now=T0 + minutes(10))
    ledger.reply_to_ticket(ticket_id, "more details?", as_customer(ada), now=T0 + minutes(15))
    ledger.reply_to_ticket(ticket_id, "We are on it.", AGENT, now=T0 + minutes(20))
    ticket = ledger.get_ticket(ticket_id)
    assert ticket.first_response_at == T0 + minutes(20)
    clock = ticket.clock(SlaClock.FIRST_RESPONSE, T0 + minutes(500))
    assert not clock.running and clock.elapsed_seconds == 1200 and not clock.breached


def test_on_hold_pauses_the_clocks_and_a_customer_reply_resumes_them(ledger: Ledger) -> None:
    ada = customer(ledger)
    ticket_id = opened(ledger, ada)
    ledger.assign_ticket(ticket_id, "agent-7", AGENT, now=T0)
    ledger.put_ticket_on_hold(ticket_id, "need the invoice", AGENT, now=T0 + minutes(60))
    ledger.reply_to_ticket(ticket_id, "here it is", as_customer(ada), now=T0 + minutes(600))
    ticket = ledger.get_ticket(ticket_id)
    assert ticket.status is TicketStatus.OPEN
    clock = ticket.clock(SlaClock.RESOLUTION, T0 + minutes(660))
    assert clock.elapsed_seconds == 120 * 60  # 60 before the hold, 60 after


def test_resolution_stops_the_clock_and_a_reopen_resumes_it(ledger: Ledger) -> None:
    ticket_id = opened(ledger, customer(ledger))
    ledger.resolve_ticket(ticket_id, "refunded the duplicate", AGENT, now=T0 + minutes(90))
    resolved = ledger.get_ticket(ticket_id).clock(SlaClock.RESOLUTION, T0 + minutes(900))
    assert not resolved.running and resolved.elapsed_seconds == 90 * 60
    ledger.reopen_ticket(ticket_id, "still charged", AGENT, now=T0 + minutes(1000))
    reopened = ledger.get_ticket(ticket_id).clock(SlaClock.RESOLUTION, T0 + minutes(1010))
    assert reopened.running and reopened.elapsed_seconds == 100 * 60


def test_the_first_response_is_kept_after_a_reopen(ledger: Ledger) -> None:
    ticket_id = opened(ledger, customer(ledger))
    ledger.reply_to_ticket(ticket_id, "Looking", AGENT, now=T0 + minutes(5))
    ledger.resolve_ticket(ticket_id, "done", AGENT, now=T0 + minutes(50))
    ledger.reopen_ticket(ticket_id, "not done", AGENT, now=T0 + minutes(60))
    ledger.reply_to_ticket(ticket_id, "Again", AGENT, now=T0 + minutes(70))
    ticket = ledger.get_ticket(ticket_id)
    assert ticket.first_response_at == T0 + minutes(5)
    assert ticket.clock(SlaClock.FIRST_RESPONSE, T0 + minutes(80)).elapsed_seconds == 300


def test_reopening_after_the_window_is_refused(ledger: Ledger) -> None:
    ticket_id = opened(ledger, customer(ledger))
    ledger.resolve_ticket(ticket_id, "done", AGENT, now=T0)
    with pytest.raises(ReopenWindowPassedError):
        ledger.reopen_ticket(ticket_id, "again", AGENT, now=T0 + timedelta(days=8))


def test_illegal_transitions_are_typed_errors(ledger: Ledger) -> None:
    ticket_id = opened(ledger, customer(ledger))
    with pytest.raises(IllegalTicketTransitionError):
        ledger.close_ticket(ticket_id, AGENT, now=T0)
    with pytest.raises(IllegalTicketTransitionError):
        ledger.resume_ticket(ticket_id, AGENT, now=T0)
    ledger.resolve_ticket(ticket_id, "done", AGENT, now=T0)
    ledger.close_ticket(ticket_id, AGENT, now=T0)
    with pytest.raises(IllegalTicketTransitionError):
        ledger.reply_to_ticket(ticket_id, "hello?", AGENT, now=T0)


def test_two_agents_resolving_at_once_one_gets_a_conflict(ledger: Ledger) -> None:
    ticket_id = opened(ledger, customer(ledger))
    seen = ledger.get_ticket(ticket_id).version
    ledger.resolve_ticket(ticket_id, "mine", AGENT, expected_version=seen, now=T0)
    with pytest.raises(ConcurrencyConflictError) as conflict:
        ledger.resolve_ticket(ticket_id, "mine too", AGENT, expected_version=seen, now=T0)
    assert conflict.value.current_version == seen + 1


def test_a_breach_is_recorded_once_per_clock(ledger: Ledger) -> None:
    ticket_id = opened(ledger, customer(ledger), priority=Priority.URGENT)  # 60 / 240 minutes
    assert ledger.record_sla_breaches(ticket_id, AGENT, now=T0 + minutes(59)) == []
    assert ledger.record_sla_breaches(ticket_id, AGENT, now=T0 + minutes(61)) == [
        SlaClock.FIRST_RESPONSE
    ]
    assert ledger.record_sla_breaches(ticket_id, AGENT, now=T0 + minutes(62)) == []
    ticket = ledger.get_ticket(ticket_id)
    assert ticket.clock(SlaClock.FIRST_RESPONSE, T0 + minutes(61)).due_at == T0 + minutes(60)


def test_business_hours_leave_nights_weekends_and_holidays_out(ledger: Ledger) -> None:
    rome = BusinessCalendar("Europe/Rome", (0, 1, 2, 3, 4), "09:00", "17:00", ("2026-03-03",))
    ledger.set_business_calendar(rome, ADMIN, now=T0)
    friday_afternoon = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # 16:00 in Rome
    ticket_id = opened(ledger, customer(ledger), at=friday_afternoon)
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 10:00 in Rome
    clock = ledger.get_ticket(ticket_id).clock(SlaClock.RESOLUTION, monday)
    assert clock.elapsed_seconds == 2 * 3600  # Friday 16-17, Monday 9-10


def test_a_policy_change_applies_to_new_tickets_only(ledger: Ledger) -> None:
    ada = customer(ledger)
    before = opened(ledger, ada)
    ledger.set_sla_targets(Priority.NORMAL, 30, 120, ADMIN, now=T0)
    after = opened(ledger, ada)
    assert ledger.get_ticket(before).clock(SlaClock.FIRST_RESPONSE, T0).target_seconds == 4 * 3600
    assert ledger.get_ticket(after).clock(SlaClock.FIRST_RESPONSE, T0).target_seconds == 30 * 60


def test_retrying_an_open_with_the_same_ticket_id_opens_one_ticket(ledger: Ledger) -> None:
    ada, key = customer(ledger), uuid4()
    assert opened(ledger, ada, ticket_id=key) == opened(ledger, ada, ticket_id=key)
    assert ledger.get_ticket(key).version == 1
    bo = customer(ledger, "bo@example.org")
    with pytest.raises(TicketIdReusedError):
        opened(ledger, bo, ticket_id=key)


def test_oversized_and_empty_texts_are_refused(ledger: Ledger) -> None:
    ada = customer(ledger)
    too_long = OpenTicket(ada, TicketChannel.WEB, "billing", "x" * 201, "body")
    with pytest.raises(ValidationError):
        ledger.open_ticket(too_long, as_customer(ada))
    ticket_id = opened(ledger, ada)
    with pytest.raises(ValidationError):
        ledger.reply_to_ticket(ticket_id, "   ", AGENT)
    with pytest.raises(ValidationError):
        ledger.reply_to_ticket(ticket_id, "x" * 10_001, AGENT)
    assert ledger.get_ticket(ticket_id).version == 1


def test_a_step_dated_before_the_last_clock_move_counts_from_that_move(ledger: Ledger) -> None:
    ticket_id = opened(ledger, customer(ledger))
    ledger.put_ticket_on_hold(ticket_id, "waiting", AGENT, now=T0 + minutes(30))
    ledger.resume_ticket(ticket_id, AGENT, now=T0 + minutes(10))  # a replica's clock behind
    ticket = ledger.get_ticket(ticket_id)
    assert ticket.resolution_periods[-1][0] == T0 + minutes(30)
    assert ticket.clock(SlaClock.RESOLUTION, T0 + minutes(40)).elapsed_seconds == 40 * 60
