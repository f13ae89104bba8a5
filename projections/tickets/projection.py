"""Events -> the ticket tables: the ticket's state and clocks, and one timeline step per event.

Each handler reads the ticket's row, applies the event to it as the aggregate does (but on its
own: the read model never loads the aggregate), records the step with both clocks as of the
event's time, and writes the row back. An event whose version the row already has was applied
before and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from psycopg import Cursor, sql
from psycopg.rows import dict_row

from domain.privacy.erasure import ErasureRequest
from domain.shared.personal_data import PersonalData
from domain.ticket.model import Ticket
from domain.ticket.values import TicketStatus
from projections.base import Projection, handles
from projections.erasure import erased_subjects
from projections.tickets.schema import DDL, TABLES
from projections.tickets.state import (
    COLUMNS,
    DERIVED,
    TicketState,
    run,
    sla_as_json,
    stop,
)
from projections.tickets.views import PROJECTION_NAME, TimelineKind

Change = Callable[[TicketState], None]

_STORED = (*COLUMNS, *DERIVED)
_INSERT_TICKET = sql.SQL(
    "INSERT INTO tickets ({}) VALUES ({}) ON CONFLICT (ticket_id) DO NOTHING RETURNING seq"
).format(
    sql.SQL(", ").join(map(sql.Identifier, _STORED)),
    sql.SQL(", ").join(sql.Placeholder(name) for name in _STORED),
)
_UPDATE_TICKET = sql.SQL("UPDATE tickets SET {} WHERE ticket_id = %(ticket_id)s").format(
    sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name))
        for name in _STORED
        if name != "ticket_id"
    )
)
_TIMELINE = """
    INSERT INTO ticket_timeline (seq, ticket_id, version, at, kind, actor_id, actor_role,
        channel, public, text, details, sla)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (seq) DO NOTHING
"""


class TicketTimeline(Projection):
    """Tickets with their SLA clocks and a timeline of every step: lists, queues, metrics."""

    name = PROJECTION_NAME
    version = 2
    """2: versions, escalation levels and reopen counts are bigint."""
    tables = TABLES
    erasure_purges = TABLES  # every text of the customer's tickets and their steps
    ddl = DDL

    @handles(Ticket.Opened)
    def opened(self, cursor: Cursor[Any], event: Ticket.Opened, position: int) -> None:
        state = TicketState(
            ticket_id=event.originator_id, seq=position, version=event.originator_version,
            customer_id=event.customer_id, channel=event.channel, category=event.category,
            subject=event.subject.value, description=event.description.value,
            priority=event.priority, status=TicketStatus.NEW.value, assignee=None,
            escalation_level=0, opened_at=event.at, first_response_at=None, resolved_at=None,
            closed_at=None, reopen_count=0, source=event.source, terms=event.sla,
            first_response_periods=[[event.at, None]], resolution_periods=[[event.at, None]],
        )  # fmt: skip
        cursor.execute(_INSERT_TICKET, state.row(event.at))
        if cursor.fetchone() is None:
            return  # applied before
        details = {
            "channel": event.channel, "category": event.category, "priority": event.priority,
            "source": event.source,
        }  # fmt: skip
        self._record(cursor, event, position, state, TimelineKind.OPENED, event.subject, details)

    @handles(Ticket.Assigned)
    def assigned(self, cursor: Cursor[Any], event: Ticket.Assigned, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.assignee = event.agent_id
            if ticket.status == TicketStatus.NEW.value:
                ticket.status = TicketStatus.OPEN.value

        details = {"agent_id": event.agent_id, "previous_agent_id": event.previous_agent_id}
        self._step(cursor, event, position, TimelineKind.ASSIGNED, change, None, details)

    @handles(Ticket.Replied)
    def replied(self, cursor: Cursor[Any], event: Ticket.Replied, position: int) -> None:
        def change(ticket: TicketState) -> None:
            if event.first_response:
                ticket.first_response_at = event.at
                stop(ticket.first_response_periods, event.at)
                sla = ticket.sla(event.at)
                ticket.first_response_seconds = sla.first_response.elapsed_seconds

        details = {"by_agent": event.by_agent, "first_response": event.first_response}
        self._step(cursor, event, position, TimelineKind.REPLIED, change, event.body, details)

    @handles(Ticket.NoteAdded)
    def note_added(self, cursor: Cursor[Any], event: Ticket.NoteAdded, position: int) -> None:
        self._step(cursor, event, position, TimelineKind.NOTE_ADDED, None, event.body)

    @handles(Ticket.PriorityChanged)
    def priority_changed(
        self, cursor: Cursor[Any], event: Ticket.PriorityChanged, position: int
    ) -> None:
        def change(ticket: TicketState) -> None:
            ticket.priority = event.to_priority

        details = {"from": event.from_priority, "to": event.to_priority}
        self._step(cursor, event, position, TimelineKind.PRIORITY_CHANGED, change, None, details)

    @handles(Ticket.Escalated)
    def escalated(self, cursor: Cursor[Any], event: Ticket.Escalated, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.escalation_level = event.level

        details = {"level": event.level}
        self._step(cursor, event, position, TimelineKind.ESCALATED, change, event.reason, details)

    @handles(Ticket.PutOnHold)
    def put_on_hold(self, cursor: Cursor[Any], event: Ticket.PutOnHold, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = TicketStatus.ON_HOLD.value
            stop(ticket.resolution_periods, event.at)
            stop(ticket.first_response_periods, event.at)

        self._step(cursor, event, position, TimelineKind.PUT_ON_HOLD, change, event.reason)

    @handles(Ticket.Resumed)
    def resumed(self, cursor: Cursor[Any], event: Ticket.Resumed, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = ticket.working_status
            run(ticket.resolution_periods, event.at)
            if ticket.first_response_at is None:
                run(ticket.first_response_periods, event.at)

        self._step(cursor, event, position, TimelineKind.RESUMED, change)

    @handles(Ticket.Resolved)
    def resolved(self, cursor: Cursor[Any], event: Ticket.Resolved, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = TicketStatus.RESOLVED.value
            ticket.resolved_at = event.at
            stop(ticket.resolution_periods, event.at)
            stop(ticket.first_response_periods, event.at)
            resolution = ticket.sla(event.at).resolution
            ticket.resolution_seconds = resolution.elapsed_seconds
            ticket.resolved_within_sla = not resolution.breached

        self._step(cursor, event, position, TimelineKind.RESOLVED, change, event.resolution)

    @handles(Ticket.Reopened)
    def reopened(self, cursor: Cursor[Any], event: Ticket.Reopened, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = ticket.working_status
            ticket.resolved_at = None
            ticket.resolution_seconds = ticket.resolved_within_sla = None
            ticket.reopen_count += 1
            run(ticket.resolution_periods, event.at)

        self._step(cursor, event, position, TimelineKind.REOPENED, change, event.reason)

    @handles(Ticket.Closed)
    def closed(self, cursor: Cursor[Any], event: Ticket.Closed, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.status = TicketStatus.CLOSED.value
            ticket.closed_at = event.at

        self._step(cursor, event, position, TimelineKind.CLOSED, change)

    @handles(Ticket.SlaBreached)
    def sla_breached(self, cursor: Cursor[Any], event: Ticket.SlaBreached, position: int) -> None:
        def change(ticket: TicketState) -> None:
            ticket.breaches = [*ticket.breaches, event.clock]

        details = {"clock": event.clock, "due_at": event.due_at.isoformat()}
        self._step(cursor, event, position, TimelineKind.SLA_BREACHED, change, None, details)

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """Every text of an erased customer's tickets goes (subject, description, and each
        step's reply, note, reason or resolution: all sealed with the customer's key, agents'
        words included); states, clocks, steps and metrics stay."""
        subjects = erased_subjects(event)
        cursor.execute(
            "UPDATE ticket_timeline SET text = NULL WHERE text IS NOT NULL AND ticket_id IN"
            " (SELECT ticket_id FROM tickets WHERE customer_id = ANY(%s))",
            (subjects,),
        )
        cursor.execute(
            "UPDATE tickets SET subject = NULL, description = NULL WHERE customer_id = ANY(%s)"
            " AND (subject IS NOT NULL OR description IS NOT NULL)",
            (subjects,),
        )

    def _step(
        self,
        cursor: Cursor[Any],
        event: Ticket.Event,
        position: int,
        kind: TimelineKind,
        change: Change | None = None,
        text: PersonalData | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Apply a later event of the ticket: its change, its step, the row as it now is."""
        ticket = _load(cursor, event)
        if ticket is None:
            return  # applied before
        if change is not None:
            change(ticket)
        ticket.version = event.originator_version
        at = _at(event)
        cursor.execute(_UPDATE_TICKET, ticket.row(at))
        self._record(cursor, event, position, ticket, kind, text, details or {})

    def _record(
        self,
        cursor: Cursor[Any],
        event: Ticket.Event,
        position: int,
        ticket: TicketState,
        kind: TimelineKind,
        text: PersonalData | None,
        details: dict[str, Any] | None,
    ) -> None:
        at, metadata = _at(event), event.metadata
        cursor.execute(
            _TIMELINE,
            (position, ticket.ticket_id, event.originator_version, at, kind.value,
             metadata.actor_id, metadata.actor_role.value, metadata.channel.value, kind.public,
             text.value if text else None, json.dumps(details or {}),
             json.dumps(sla_as_json(ticket.sla(at)))),
        )  # fmt: skip


def _load(cursor: Cursor[Any], event: Ticket.Event) -> TicketState | None:
    """The ticket's row, if this event is its next one (None: applied before)."""
    with cursor.connection.cursor(row_factory=dict_row) as reader:
        reader.execute("SELECT * FROM tickets WHERE ticket_id = %s", (event.originator_id,))
        row = reader.fetchone()
    if row is None:  # every ticket event follows its Opened in the log
        raise LookupError(f"no ticket {event.originator_id}")
    if row["version"] >= event.originator_version:
        return None
    return TicketState.from_row(row)


def _at(event: Any) -> datetime:
    # Every ticket event carries its business time; the base Event class does not declare it.
    at: datetime = event.at
    return at
