"""Events -> the ticket tables: the ticket's state and clocks, and one timeline step per event.

Each handler folds its event into the batch's :class:`TicketChanges`: its change to the ticket
as the aggregate makes it (but on its own: the read model never loads the aggregate) and the
step it records with both clocks as of the event's time. The run is written with a few
statements (``projections.tickets.steps``). An event whose version the row already has was
applied before and changes nothing.
"""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.privacy.erasure import ErasureRequest
from domain.shared.personal_data import PersonalData
from domain.ticket.model import Ticket
from domain.ticket.values import TicketStatus
from projections.base import Projection, folds, handles
from projections.erasure import erased_subjects
from projections.tickets.schema import DDL, TABLES
from projections.tickets.state import TicketState, run, stop
from projections.tickets.steps import Step, TicketChanges
from projections.tickets.views import PROJECTION_NAME, TimelineKind


class TicketTimeline(Projection):
    """Tickets with their SLA clocks and a timeline of every step: lists, queues, metrics."""

    name = PROJECTION_NAME
    version = 3
    """2: versions, escalation levels and reopen counts are bigint. 3: the requester (customer
    or anonymous, with its subject and email)."""
    tables = TABLES
    erasure_purges = TABLES  # every text of the customer's tickets and their steps
    ddl = DDL

    @folds(Ticket.Opened)
    def opened(self, changes: TicketChanges, event: Ticket.Opened, position: int) -> None:
        state = TicketState(
            ticket_id=event.originator_id, seq=position, version=event.originator_version,
            customer_id=event.customer_id, subject_id=event.subject_id,
            requester=event.requester, requester_email=_text(event.requester_email),
            channel=event.channel, category=event.category,
            subject=event.subject.value, description=event.description.value,
            priority=event.priority, status=TicketStatus.NEW.value, assignee=None,
            escalation_level=0, opened_at=event.at, first_response_at=None, resolved_at=None,
            closed_at=None, reopen_count=0, source=event.source, terms=event.sla,
            first_response_periods=[[event.at, None]], resolution_periods=[[event.at, None]],
        )  # fmt: skip
        details = {
            "channel": event.channel, "category": event.category, "priority": event.priority,
            "source": event.source,
        }  # fmt: skip
        opening = Step(event, position, TimelineKind.OPENED, None, event.subject, details, state)
        changes.steps.append(opening)

    @folds(Ticket.Assigned)
    def assigned(self, changes: TicketChanges, event: Ticket.Assigned, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.assignee = event.agent_id
            if ticket.status == TicketStatus.NEW.value:
                ticket.status = TicketStatus.OPEN.value

        details = {"agent_id": event.agent_id, "previous_agent_id": event.previous_agent_id}
        changes.steps.append(Step(event, position, TimelineKind.ASSIGNED, change, None, details))

    @folds(Ticket.Replied)
    def replied(self, changes: TicketChanges, event: Ticket.Replied, position: int) -> None:
        def change(ticket: TicketState) -> None:
            if event.first_response:
                ticket.first_response_at = event.at
                stop(ticket.first_response_periods, event.at)
                sla = ticket.sla(event.at)
                ticket.first_response_seconds = sla.first_response.elapsed_seconds

        details = {"by_agent": event.by_agent, "first_response": event.first_response}
        changes.steps.append(
            Step(event, position, TimelineKind.REPLIED, change, event.body, details)
        )

    @folds(Ticket.NoteAdded)
    def note_added(self, changes: TicketChanges, event: Ticket.NoteAdded, position: int) -> None:
        changes.steps.append(Step(event, position, TimelineKind.NOTE_ADDED, None, event.body))

    @folds(Ticket.PriorityChanged)
    def priority_changed(
        self, changes: TicketChanges, event: Ticket.PriorityChanged, position: int
    ) -> None:
        def change(ticket: TicketState) -> None:
            ticket.priority = event.to_priority

        details = {"from": event.from_priority, "to": event.to_priority}
        changes.steps.append(
            Step(event, position, TimelineKind.PRIORITY_CHANGED, change, None, details)
        )

    @folds(Ticket.Escalated)
    def escalated(self, changes: TicketChanges, event: Ticket.Escalated, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.escalation_level = event.level

        details = {"level": event.level}
        changes.steps.append(
            Step(event, position, TimelineKind.ESCALATED, change, event.reason, details)
        )

    @folds(Ticket.PutOnHold)
    def put_on_hold(self, changes: TicketChanges, event: Ticket.PutOnHold, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = TicketStatus.ON_HOLD.value
            stop(ticket.resolution_periods, event.at)
            stop(ticket.first_response_periods, event.at)

        changes.steps.append(Step(event, position, TimelineKind.PUT_ON_HOLD, change, event.reason))

    @folds(Ticket.Resumed)
    def resumed(self, changes: TicketChanges, event: Ticket.Resumed, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = ticket.working_status
            run(ticket.resolution_periods, event.at)
            if ticket.first_response_at is None:
                run(ticket.first_response_periods, event.at)

        changes.steps.append(Step(event, position, TimelineKind.RESUMED, change))

    @folds(Ticket.Resolved)
    def resolved(self, changes: TicketChanges, event: Ticket.Resolved, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = TicketStatus.RESOLVED.value
            ticket.resolved_at = event.at
            stop(ticket.resolution_periods, event.at)
            stop(ticket.first_response_periods, event.at)
            resolution = ticket.sla(event.at).resolution
            ticket.resolution_seconds = resolution.elapsed_seconds
            ticket.resolved_within_sla = not resolution.breached

        changes.steps.append(Step(event, position, TimelineKind.RESOLVED, change, event.resolution))

    @folds(Ticket.Reopened)
    def reopened(self, changes: TicketChanges, event: Ticket.Reopened, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = ticket.working_status
            ticket.resolved_at = None
            ticket.resolution_seconds = ticket.resolved_within_sla = None
            ticket.reopen_count += 1
            run(ticket.resolution_periods, event.at)

        changes.steps.append(Step(event, position, TimelineKind.REOPENED, change, event.reason))

    @folds(Ticket.Closed)
    def closed(self, changes: TicketChanges, event: Ticket.Closed, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = TicketStatus.CLOSED.value
            ticket.closed_at = event.at

        changes.steps.append(Step(event, position, TimelineKind.CLOSED, change))

    @folds(Ticket.SlaBreached)
    def sla_breached(
        self, changes: TicketChanges, event: Ticket.SlaBreached, position: int
    ) -> None:
        def change(ticket: TicketState) -> None:
            ticket.breaches = [*ticket.breaches, event.clock]

        details = {"clock": event.clock, "due_at": event.due_at.isoformat()}
        changes.steps.append(
            Step(event, position, TimelineKind.SLA_BREACHED, change, None, details)
        )

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """Every text of an erased requester's tickets goes (subject, description, an
        anonymous requester's email, and each step's reply, note, reason or resolution: all
        sealed with the requester's key, agents' words included); states, clocks, steps and
        metrics stay."""
        subjects = erased_subjects(event)
        cursor.execute(
            "UPDATE ticket_timeline SET text = NULL WHERE text IS NOT NULL AND ticket_id IN"
            " (SELECT ticket_id FROM tickets WHERE subject_id = ANY(%s))",
            (subjects,),
        )
        cursor.execute(
            "UPDATE tickets SET subject = NULL, description = NULL, requester_email = NULL"
            " WHERE subject_id = ANY(%s) AND (subject IS NOT NULL OR description IS NOT NULL"
            " OR requester_email IS NOT NULL)",
            (subjects,),
        )

    def changes(self) -> TicketChanges:
        return TicketChanges(loading=self.loading)


def _text(value: PersonalData | None) -> str | None:
    """The clear text of a sealed value (None when absent or erased)."""
    return None if value is None else value.value
