"""A batch's ticket events, folded and written with a few statements (issue 14, item 4).

One at a time, each ticket event read the ticket's row, applied itself and wrote the row and a
timeline step back: three statements per event. Folded, a run of ticket events reads every
ticket it names in one query, applies the events in log order in memory exactly as one at a
time did (an event whose version the ticket already has was applied before and is skipped; an
opening of a ticket that exists, likewise), and writes every changed ticket's last state with
one multi-row upsert and every step with one insert (COPY for the steps while a rebuild loads
its empty shadow tables): three statements per run, however many events it holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from psycopg import Cursor
from psycopg.rows import dict_row

from domain.shared.personal_data import PersonalData
from projections.bulk import Column, insert_rows
from projections.tickets.state import COLUMNS, DERIVED, TicketState, sla_as_json
from projections.tickets.views import TimelineKind

Change = Callable[[TicketState], None]

_NOT_TEXT = {
    "ticket_id": "uuid", "seq": "bigint", "version": "bigint", "customer_id": "uuid",
    "subject_id": "uuid", "escalation_level": "bigint", "opened_at": "timestamptz",
    "first_response_at": "timestamptz", "resolved_at": "timestamptz", "closed_at": "timestamptz",
    "reopen_count": "bigint", "source": "jsonb", "terms": "jsonb",
    "first_response_periods": "jsonb", "resolution_periods": "jsonb", "breaches": "text[]",
    "first_response_seconds": "double precision", "resolution_seconds": "double precision",
    "resolved_within_sla": "boolean", "first_response_running": "boolean",
    "first_response_due_at": "timestamptz", "first_response_breaching_at": "timestamptz",
    "first_response_breached": "boolean", "resolution_running": "boolean",
    "resolution_due_at": "timestamptz", "resolution_breaching_at": "timestamptz",
    "resolution_breached": "boolean",
}  # fmt: skip
_TICKET_COLUMNS: tuple[Column, ...] = tuple(
    (name, _NOT_TEXT.get(name, "text")) for name in (*COLUMNS, *DERIVED)
)
_UPSERT_TICKETS = "ON CONFLICT (ticket_id) DO UPDATE SET " + ", ".join(
    f"{name} = excluded.{name}" for name, _ in _TICKET_COLUMNS if name != "ticket_id"
)
_TIMELINE_COLUMNS = (
    ("seq", "bigint"), ("ticket_id", "uuid"), ("version", "bigint"), ("at", "timestamptz"),
    ("kind", "text"), ("actor_id", "text"), ("actor_role", "text"), ("channel", "text"),
    ("public", "boolean"), ("text", "text"), ("details", "jsonb"), ("sla", "jsonb"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Step:
    """One ticket event to apply: its change to the ticket and the timeline step it records."""

    event: Any
    position: int
    kind: TimelineKind
    change: Change | None = None
    text: PersonalData | None = None
    details: dict[str, Any] | None = None
    opening: TicketState | None = None
    """The ticket as its ``Opened`` event creates it (None for every later event)."""


@dataclass
class TicketChanges:
    """A run of ticket events of one batch, in log order, applied when written."""

    loading: bool = False
    steps: list[Step] = field(default_factory=list)

    def write(self, cursor: Cursor[Any]) -> None:
        tickets = _tickets(cursor, {step.event.originator_id for step in self.steps})
        stored = set(tickets)
        changed: dict[UUID, datetime] = {}
        timeline: list[tuple[Any, ...]] = []
        for step in self.steps:
            ticket = _applied(tickets, step)
            if ticket is not None:
                changed[ticket.ticket_id] = step.event.at
                timeline.append(_timeline_row(step, ticket))
        # One row per ticket (an upsert cannot change a row twice), as of its last step. While
        # a rebuild loads, a ticket this run opened cannot be in the table yet: it goes by COPY.
        opened = {i: at for i, at in changed.items() if self.loading and i not in stored}
        rows = [_ticket_row(tickets[i], at) for i, at in changed.items() if i not in opened]
        insert_rows(cursor, "tickets", _TICKET_COLUMNS, rows, _UPSERT_TICKETS)
        rows = [_ticket_row(tickets[i], at) for i, at in opened.items()]
        insert_rows(cursor, "tickets", _TICKET_COLUMNS, rows, copy=True)
        on_conflict = "ON CONFLICT (seq) DO NOTHING"
        insert_rows(
            cursor, "ticket_timeline", _TIMELINE_COLUMNS, timeline, on_conflict, copy=self.loading
        )


def _tickets(cursor: Cursor[Any], ids: set[UUID]) -> dict[UUID, TicketState]:
    """The stored tickets among ``ids``, in one query."""
    with cursor.connection.cursor(row_factory=dict_row) as reader:
        reader.execute("SELECT * FROM tickets WHERE ticket_id = ANY(%s)", (list(ids),))
        return {row["ticket_id"]: TicketState.from_row(row) for row in reader.fetchall()}


def _applied(tickets: dict[UUID, TicketState], step: Step) -> TicketState | None:
    """The ticket after ``step``; None if the step was applied before (nothing to record)."""
    ticket_id, version = step.event.originator_id, step.event.originator_version
    if step.opening is not None:
        if ticket_id in tickets:
            return None
        tickets[ticket_id] = step.opening
        return step.opening
    ticket = tickets.get(ticket_id)
    if ticket is None:  # every ticket event follows its Opened in the log
        raise LookupError(f"no ticket {ticket_id}")
    if ticket.version >= version:
        return None
    if step.change is not None:
        step.change(ticket)
    ticket.version = version
    return ticket


def _ticket_row(ticket: TicketState, at: datetime) -> list[Any]:
    values = ticket.row(at)
    return [values[name] for name, _ in _TICKET_COLUMNS]


def _timeline_row(step: Step, ticket: TicketState) -> tuple[Any, ...]:
    event, at = step.event, step.event.at
    metadata = event.metadata
    return (
        step.position, ticket.ticket_id, event.originator_version, at, step.kind.value,
        metadata.actor_id, metadata.actor_role.value, metadata.channel.value, step.kind.public,
        step.text.value if step.text else None, _json(step.details or {}),
        _json(sla_as_json(ticket.sla(at))),
    )  # fmt: skip


def _json(value: dict[str, Any]) -> str:
    # orjson: a third of json.dumps's time, two per step; jsonb stores the same value.
    return orjson.dumps(value).decode()
