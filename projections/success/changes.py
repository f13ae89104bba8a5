"""A run of customer health events folded in memory, then written with a few multi-row
statements (``projections.success.statements``).

Per event, the rule is: write the event's row (keyed, so a row seen before stays), then count
the customer's figures again from their rows. Folded, the same rows go in, the figures of every
customer an event would have recounted are counted once, after all the run's rows are in (a
recount reads rows only, so the last one of a run is all that shows), and a new customer's row
takes the position of the run's first event that would have made it. What depends on the log's
order within the run is replayed in memory in that order: a ticket's steps (a step of a ticket
the read model does not know changes nothing), and which customer a referrer's or loyalty
account's stream belongs to (known from the stream's first event on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from domain.success.engagement import Interaction
from projections.success import statements
from projections.success.statements import TicketRow


@dataclass(frozen=True, slots=True)
class TicketStep:
    """A ticket opened (``customer_id`` set) or one of its flags set (``open``/``breached``)."""

    ticket_id: UUID
    position: int
    customer_id: UUID | None = None
    open: bool | None = None
    breached: bool | None = None


@dataclass(frozen=True, slots=True)
class InteractionStep:
    """An interaction of ``customer_id``, or of the owner of ``stream_id`` (then unknown)."""

    event_key: UUID
    kind: Interaction
    position: int
    customer_id: UUID | None = None
    stream_id: UUID | None = None


@dataclass
class HealthChanges:
    """What a run of folded health events does to the read model's tables."""

    loading: bool = False
    purchases: dict[UUID, tuple[datetime, int]] = field(default_factory=dict)
    """Customer -> the latest purchase date of the run, and the position of its first."""
    answers: dict[UUID, tuple[UUID, int, int | None, bool]] = field(default_factory=dict)
    """Response -> (customer, position, NPS score, complaint), the first of each response."""
    answered: list[tuple[UUID, int]] = field(default_factory=list)
    """(customer, position) of every answer, a repeated one too (it is recounted)."""
    tickets: list[TicketStep] = field(default_factory=list)
    owners: dict[UUID, tuple[UUID, int]] = field(default_factory=dict)
    """Stream -> (customer, position of the stream's first event), the first of each stream."""
    interactions: list[InteractionStep] = field(default_factory=list)

    def purchased(self, customer_id: UUID, at: datetime, position: int) -> None:
        latest, first = self.purchases.get(customer_id, (at, position))
        self.purchases[customer_id] = (max(latest, at), first)

    def answer(
        self, response_id: UUID, customer_id: UUID, position: int, nps: int | None, complaint: bool
    ) -> None:
        self.answers.setdefault(response_id, (customer_id, position, nps, complaint))
        self.answered.append((customer_id, position))

    def own(self, stream_id: UUID, customer_id: UUID, position: int) -> None:
        self.owners.setdefault(stream_id, (customer_id, position))

    def write(self, cursor: Cursor[Any]) -> None:
        # Rows first, then the figures counted from them, then the customers' rows.
        recounted: dict[UUID, int] = {}  # customer -> the run's first event recounting them

        def recount(customer_id: UUID, position: int) -> None:
            recounted[customer_id] = min(position, recounted.get(customer_id, position))

        statements.insert_owners(
            cursor, {stream: owner for stream, (owner, _) in self.owners.items()},
            copy=self.loading,
        )  # fmt: skip
        for customer_id, position in self._write_interactions(cursor):
            recount(customer_id, position)
        for customer_id, position in self._write_tickets(cursor):
            recount(customer_id, position)
        rows = [(response, *answer) for response, answer in self.answers.items()]
        statements.insert_answers(cursor, rows, copy=self.loading)
        for customer_id, position in self.answered:
            recount(customer_id, position)

        first_seen = dict(recounted)
        for customer_id, (_, position) in self.purchases.items():
            first_seen[customer_id] = min(position, first_seen.get(customer_id, position))
        statements.write_customers(
            cursor,
            first_seen,
            {customer: at for customer, (at, _) in self.purchases.items()},
            statements.recount(cursor, recounted),
        )

    def _write_interactions(self, cursor: Cursor[Any]) -> list[tuple[UUID, int]]:
        """Insert the run's interactions; (customer, position) of each new one."""
        unknown = {
            step.stream_id
            for step in self.interactions
            if step.stream_id is not None and step.stream_id not in self.owners
        }
        stored = statements.load_owners(cursor, unknown)
        rows: dict[UUID, tuple[UUID, str, int]] = {}
        for step in self.interactions:
            customer_id = step.customer_id
            if step.stream_id is not None:
                customer_id = stored.get(step.stream_id)
                if customer_id is None:
                    owner, since = self.owners.get(step.stream_id, (None, step.position))
                    customer_id = owner if since < step.position else None
            if customer_id is not None:  # a stream whose first event came first names one
                rows.setdefault(step.event_key, (customer_id, step.kind.value, step.position))
        new = statements.insert_interactions(
            cursor, [(key, *row) for key, row in rows.items()], copy=self.loading
        )
        return [
            (customer_id, position)
            for key, (customer_id, _, position) in rows.items()
            if key in new
        ]

    def _write_tickets(self, cursor: Cursor[Any]) -> list[tuple[UUID, int]]:
        """Replay the run's ticket steps on the tickets they change, write the result;
        (customer, position) of each step that recounts its customer."""
        changed = {step.ticket_id for step in self.tickets if step.customer_id is None}
        stored = statements.load_tickets(cursor, changed)
        known: dict[UUID, TicketRow] = dict(stored)
        opened: dict[UUID, TicketRow] = {}
        recounts: list[tuple[UUID, int]] = []
        for step in self.tickets:
            ticket = known.get(step.ticket_id)
            if step.customer_id is not None:  # opened (again: the first stays)
                if ticket is None:
                    known[step.ticket_id] = opened[step.ticket_id] = TicketRow(step.customer_id)
                recounts.append((step.customer_id, step.position))
            elif ticket is not None:  # one the read model does not know changes nothing
                if step.open is not None:
                    ticket.open = step.open
                if step.breached is not None:
                    ticket.breached = step.breached
                recounts.append((ticket.customer_id, step.position))
        statements.insert_tickets(cursor, opened, copy=self.loading)
        statements.update_tickets(cursor, stored)
        return recounts
