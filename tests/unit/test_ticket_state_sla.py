"""The read model's ticket keeps its last SLA answer (``TicketState.sla``): asked again for the
same instant with nothing changed, it answers the same; after any change the clocks read (a
period stopped or started, the priority) it answers what a fresh computation gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

from domain.ticket.sla import SlaTerms
from domain.ticket.values import Priority
from projections.tickets.state import TicketState, run, sla_view, stop

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ticket() -> TicketState:
    return TicketState(
        ticket_id=UUID(int=1), seq=1, version=1, customer_id=None, subject_id=UUID(int=2),
        requester="customer", requester_email=None, channel="web", category="billing",
        subject="s", description="d", priority=Priority.NORMAL.value, status="new",
        assignee=None, escalation_level=0, opened_at=T0, first_response_at=None,
        resolved_at=None, closed_at=None, reopen_count=0, source=None,
        terms=SlaTerms().as_dict(), first_response_periods=[[T0, None]],
        resolution_periods=[[T0, None]],
    )  # fmt: skip


def _fresh(ticket: TicketState, at: datetime) -> object:
    return sla_view(
        ticket.sla_terms,
        Priority(ticket.priority),
        ticket.first_response_periods,
        ticket.resolution_periods,
        at,
    )


def test_the_same_instant_with_nothing_changed_is_answered_once() -> None:
    ticket = _ticket()
    at = T0 + timedelta(hours=3)
    first = ticket.sla(at)
    assert ticket.sla(at) is first
    assert first == _fresh(ticket, at)


def test_every_change_the_clocks_read_is_seen() -> None:
    ticket = _ticket()
    later = T0 + timedelta(hours=30)
    before = ticket.sla(later)
    stop(ticket.first_response_periods, T0 + timedelta(minutes=30))
    after_reply = ticket.sla(later)
    assert after_reply != before
    assert after_reply == _fresh(ticket, later)
    stop(ticket.resolution_periods, T0 + timedelta(hours=1))
    assert ticket.sla(later) == _fresh(ticket, later) != after_reply
    run(ticket.resolution_periods, T0 + timedelta(hours=2))
    resumed = ticket.sla(later)
    assert resumed == _fresh(ticket, later)
    ticket.priority = Priority.URGENT.value
    assert ticket.sla(later) == _fresh(ticket, later) != resumed
    assert ticket.sla(later + timedelta(hours=1)) == _fresh(ticket, later + timedelta(hours=1))


def test_the_kept_answer_is_not_a_column() -> None:
    ticket = _ticket()
    ticket.sla(T0 + timedelta(hours=1))
    assert "_last_sla" not in ticket.row(T0 + timedelta(hours=1))
    assert ticket == _ticket()  # not compared either


def test_the_same_instant_in_another_zone_is_computed_in_that_zone() -> None:
    """A due time follows the zone of the instant asked (the timeline stores its ISO text)."""
    ticket = _ticket()
    at = T0 + timedelta(hours=1)
    elsewhere = at.astimezone(timezone(timedelta(hours=2)))
    assert ticket.sla(at).resolution.due_at == T0 + timedelta(minutes=1_440)
    due = ticket.sla(elsewhere).resolution.due_at
    assert due is not None and due.utcoffset() == timedelta(hours=2)
    assert ticket.sla(elsewhere) == _fresh(ticket, elsewhere)
