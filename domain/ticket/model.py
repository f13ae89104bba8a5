"""The Ticket aggregate: one service request, its lifecycle and its SLA clocks.

Texts (subject, description, replies, notes, reasons, the resolution) are the requester's
personal data, sealed with the ticket's ``subject_id``: the customer's id, or for a person who
complained anonymously their own data subject (the one their feedback is sealed with), whose
email is the ticket's ``requester_email``. Every event carries ``at``, the business time of
the step; the clocks are the periods in which they ran, so :mod:`domain.ticket.sla` can compute
any figure at any instant.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.shared.aggregate import LedgerAggregate
from domain.shared.personal_data import PersonalData
from domain.ticket.errors import IllegalTicketTransitionError, ReopenWindowPassedError
from domain.ticket.sla import ClockState, SlaTerms, clock_state
from domain.ticket.values import Priority, RequesterKind, SlaClock, TicketStatus

Periods = list[list[datetime | None]]


class Ticket(LedgerAggregate):
    """A service request of a customer, or of an anonymous person known by an email."""

    class Opened(LedgerAggregate.Created):
        """A ticket was opened by the customer or by an agent on their behalf, under the SLA
        terms of that moment; ``source`` links the survey response or feedback behind it.

        Version 2 names the requester: ``requester`` is customer (``customer_id``) or
        anonymous (no customer; ``requester_email`` sealed with ``subject_id``, the person's
        own data subject). ``subject_id`` seals every text of the ticket. Version 1 events
        were all customers' tickets and read so."""

        class_version = 2

        customer_id: UUID | None
        subject_id: UUID
        requester: str
        requester_email: PersonalData | None
        channel: str
        category: str
        subject: PersonalData
        description: PersonalData
        priority: str
        source: dict[str, Any] | None
        sla: dict[str, Any]
        at: datetime

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["subject_id"] = state["customer_id"]
            state["requester"] = RequesterKind.CUSTOMER.value
            state["requester_email"] = None

        def apply(self, ticket: Ticket) -> None:
            ticket.customer_id, ticket.channel = self.customer_id, self.channel
            ticket.subject_id, ticket.requester = self.subject_id, RequesterKind(self.requester)
            ticket.requester_email = self.requester_email
            ticket.category, ticket.priority_name = self.category, self.priority
            ticket.sla_terms = self.sla
            ticket.status_name = TicketStatus.NEW.value
            ticket.assignee = None
            ticket.opened_at = self.at
            ticket.first_response_at = None
            ticket.resolved_at = None
            ticket.escalation_level = 0
            ticket.breaches = []
            ticket.resolution_periods = [[self.at, None]]
            ticket.first_response_periods = [[self.at, None]]

    class Assigned(LedgerAggregate.Event):
        """The ticket went to an agent (again: a reassignment names the previous one)."""

        agent_id: str
        previous_agent_id: str | None
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            ticket.assignee = self.agent_id
            if ticket.status is TicketStatus.NEW:
                ticket.status_name = TicketStatus.OPEN.value

    class Replied(LedgerAggregate.Event):
        """A public message to or from the customer; an agent's first one is the first
        response (kept through reopens)."""

        body: PersonalData
        by_agent: bool
        first_response: bool
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            if self.first_response:
                ticket.first_response_at = self.at
                _stop(ticket.first_response_periods, self.at)

    class NoteAdded(LedgerAggregate.Event):
        """An internal note: never shown to the customer."""

        body: PersonalData
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            pass  # a note changes no state; it is in the timeline

    class PriorityChanged(LedgerAggregate.Event):
        from_priority: str
        to_priority: str
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            ticket.priority_name = self.to_priority

    class Escalated(LedgerAggregate.Event):
        level: int
        reason: PersonalData
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            ticket.escalation_level = self.level

    class PutOnHold(LedgerAggregate.Event):
        """Waiting on the customer: the clocks pause."""

        reason: PersonalData
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            ticket.status_name = TicketStatus.ON_HOLD.value
            _stop(ticket.resolution_periods, self.at)
            _stop(ticket.first_response_periods, self.at)

    class Resumed(LedgerAggregate.Event):
        """Work goes on (the customer answered, or the agent resumed): the clocks run again."""

        at: datetime

        def apply(self, ticket: Ticket) -> None:
            ticket.status_name = _working(ticket).value
            _run(ticket.resolution_periods, self.at)
            if ticket.first_response_at is None:
                _run(ticket.first_response_periods, self.at)

    class Resolved(LedgerAggregate.Event):
        resolution: PersonalData
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            ticket.status_name = TicketStatus.RESOLVED.value
            ticket.resolved_at = self.at
            _stop(ticket.resolution_periods, self.at)
            _stop(ticket.first_response_periods, self.at)

    class Reopened(LedgerAggregate.Event):
        """The customer (or an agent) reopened a resolved ticket within the window."""

        reason: PersonalData
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            ticket.status_name = _working(ticket).value
            ticket.resolved_at = None
            _run(ticket.resolution_periods, self.at)

    class Closed(LedgerAggregate.Event):
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            ticket.status_name = TicketStatus.CLOSED.value

    class SlaBreached(LedgerAggregate.Event):
        """A clock passed its target (recorded by the worker's scheduled check, once per
        clock): ``due_at`` is when it was due."""

        clock: str
        due_at: datetime
        at: datetime

        def apply(self, ticket: Ticket) -> None:
            ticket.breaches = [*ticket.breaches, self.clock]

    class_version = 2
    """2: a snapshot holds ``subject_id`` and ``requester`` (a version 1 one: a customer's)."""

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["subject_id"] = state["customer_id"]
        state["requester"] = RequesterKind.CUSTOMER.value
        state["requester_email"] = None

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    customer_id: UUID | None
    """None for an anonymous requester."""
    subject_id: UUID
    """Whose key seals the ticket's texts: the customer, or the anonymous requester."""
    requester: RequesterKind
    requester_email: PersonalData | None
    """An anonymous requester's email, sealed with ``subject_id`` (None for a customer)."""
    channel: str
    category: str
    priority_name: str
    status_name: str
    sla_terms: dict[str, Any]
    assignee: str | None
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    escalation_level: int
    breaches: list[str]
    resolution_periods: Periods
    first_response_periods: Periods

    @property
    def status(self) -> TicketStatus:
        return TicketStatus(self.status_name)

    @property
    def priority(self) -> Priority:
        return Priority(self.priority_name)

    @property
    def terms(self) -> SlaTerms:
        return SlaTerms.from_dict(self.sla_terms)

    @classmethod
    def open(
        cls,
        ticket_id: UUID,
        *,
        customer_id: UUID,
        channel: str,
        category: str,
        subject: str,
        description: str,
        priority: Priority,
        source: dict[str, Any] | None,
        terms: SlaTerms,
        at: datetime,
    ) -> Ticket:
        return cls._create(
            cls.Opened,
            id=ticket_id,
            customer_id=customer_id,
            subject_id=customer_id,
            requester=RequesterKind.CUSTOMER.value,
            requester_email=None,
            channel=channel,
            category=category,
            subject=PersonalData(customer_id, subject),
            description=PersonalData(customer_id, description),
            priority=priority.value,
            source=source,
            sla=terms.as_dict(),
            at=at,
        )

    @classmethod
    def open_for_anonymous(
        cls,
        ticket_id: UUID,
        *,
        requester_email: PersonalData,
        channel: str,
        category: str,
        subject: str,
        description: str,
        source: dict[str, Any] | None,
        terms: SlaTerms,
        at: datetime,
    ) -> Ticket:
        """A ticket for a person known only by an email (sealed with their own subject):
        no customer, so no loyalty tier, and the default priority."""
        person = requester_email.subject_id
        return cls._create(
            cls.Opened,
            id=ticket_id,
            customer_id=None,
            subject_id=person,
            requester=RequesterKind.ANONYMOUS.value,
            requester_email=requester_email,
            channel=channel,
            category=category,
            subject=PersonalData(person, subject),
            description=PersonalData(person, description),
            priority=Priority.NORMAL.value,
            source=source,
            sla=terms.as_dict(),
            at=at,
        )

    def assign(self, agent_id: str, at: datetime) -> None:
        self._require(self.status is not TicketStatus.CLOSED, "assign a closed ticket")
        if agent_id != self.assignee:
            self.trigger_event(
                self.Assigned, agent_id=agent_id, previous_agent_id=self.assignee, at=at
            )

    def reply(self, body: str, by_agent: bool, at: datetime) -> None:
        """A public reply; the customer's reply to a ticket on hold resumes it."""
        self._require(self.status.is_active, "reply to a resolved or closed ticket")
        if not by_agent and self.status is TicketStatus.ON_HOLD:
            self.trigger_event(self.Resumed, at=at)
        first = by_agent and self.first_response_at is None
        text = PersonalData(self.subject_id, body)
        self.trigger_event(self.Replied, body=text, by_agent=by_agent, first_response=first, at=at)

    def add_note(self, body: str, at: datetime) -> None:
        self._require(self.status is not TicketStatus.CLOSED, "add a note to a closed ticket")
        self.trigger_event(self.NoteAdded, body=PersonalData(self.subject_id, body), at=at)

    def change_priority(self, priority: Priority, at: datetime) -> None:
        self._require(self.status.is_active, "change the priority of a resolved ticket")
        if priority is not self.priority:
            self.trigger_event(
                self.PriorityChanged,
                from_priority=self.priority.value,
                to_priority=priority.value,
                at=at,
            )

    def escalate(self, reason: str, at: datetime) -> None:
        self._require(self.status.is_active, "escalate a resolved or closed ticket")
        text = PersonalData(self.subject_id, reason)
        self.trigger_event(self.Escalated, level=self.escalation_level + 1, reason=text, at=at)

    def put_on_hold(self, reason: str, at: datetime) -> None:
        working = self.status in (TicketStatus.NEW, TicketStatus.OPEN)
        self._require(working, "put a ticket on hold that is not being worked on")
        self.trigger_event(self.PutOnHold, reason=PersonalData(self.subject_id, reason), at=at)

    def resume(self, at: datetime) -> None:
        self._require(self.status is TicketStatus.ON_HOLD, "resume a ticket that is not on hold")
        self.trigger_event(self.Resumed, at=at)

    def resolve(self, resolution: str, at: datetime) -> None:
        self._require(self.status.is_active, "resolve a ticket that is not open")
        text = PersonalData(self.subject_id, resolution)
        self.trigger_event(self.Resolved, resolution=text, at=at)

    def reopen(self, reason: str, at: datetime) -> None:
        self._require(self.status is TicketStatus.RESOLVED, "reopen a ticket that is not resolved")
        assert self.resolved_at is not None
        if at > self.resolved_at + timedelta(days=self.terms.reopen_window_days):
            raise ReopenWindowPassedError(
                f"a ticket can be reopened within {self.terms.reopen_window_days} days",
                field="ticketId",
            )
        self.trigger_event(self.Reopened, reason=PersonalData(self.subject_id, reason), at=at)

    def close(self, at: datetime) -> None:
        self._require(self.status is TicketStatus.RESOLVED, "close a ticket before resolving it")
        self.trigger_event(self.Closed, at=at)

    def clock(self, clock: SlaClock, at: datetime) -> ClockState:
        periods = (
            self.first_response_periods
            if clock is SlaClock.FIRST_RESPONSE
            else self.resolution_periods
        )
        target = self.terms.target_seconds(clock, self.priority)
        spans = [(start, end) for start, end in periods if start is not None]
        return clock_state(clock, spans, target, self.terms.calendar, at)

    def record_breaches(self, at: datetime) -> list[SlaClock]:
        """Record each clock that is past its target and not yet recorded; returns them."""
        recorded = []
        for clock in SlaClock:
            state = self.clock(clock, at)
            if state.breached and clock.value not in self.breaches and state.due_at is not None:
                self.trigger_event(self.SlaBreached, clock=clock.value, due_at=state.due_at, at=at)
                recorded.append(clock)
        return recorded

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        # A step never goes back in business time: a command whose clock is behind the
        # ticket's last clock move (replicas' clocks differ a little) counts from that move,
        # so clock periods stay in order and every figure stays well defined.
        if "at" in kwargs:
            kwargs["at"] = max(kwargs["at"], self._last_clock_move())
        super().trigger_event(event_class, **kwargs)

    def _last_clock_move(self) -> datetime:
        periods = (*self.resolution_periods, *self.first_response_periods)
        return max(moment for period in periods for moment in period if moment is not None)

    def _require(self, allowed: bool, action: str) -> None:
        if not allowed:
            raise IllegalTicketTransitionError(
                f"cannot {action} (the ticket is {self.status.value})", field="ticketId"
            )


def _working(ticket: Ticket) -> TicketStatus:
    return TicketStatus.OPEN if ticket.assignee else TicketStatus.NEW


def _stop(periods: Periods, at: datetime) -> None:
    if periods and periods[-1][1] is None:
        periods[-1][1] = at


def _run(periods: Periods, at: datetime) -> None:
    if not periods or periods[-1][1] is not None:
        periods.append([at, None])
