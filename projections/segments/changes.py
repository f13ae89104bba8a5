"""A run of folded fact-changing events of one batch, replayed in memory in log order.

Each folded event is a :class:`Step`: what it does to the facts of one customer (found
directly, through their loyalty account or through their ticket). At ``write`` the facts of
every customer the run touches are read once; the steps then run in log order on that copy,
each leaving a snapshot of its customer's facts; one statement tests every snapshot against the
live segments whose rules test the fact the step changed (the very SQL conditions of
``predicates``); and the stays that open and close follow from those answers in log order,
each dated by its step's event, as the per-event ``reevaluate_customer`` would date them. The
result goes in with a few multi-row statements (``statements``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor, sql

from domain.segment.rules import Field
from projections.segments import statements
from projections.segments.membership import Cause
from projections.segments.statements import Facts, Stay, by_int

LiveSegments = dict[UUID, tuple[sql.Composable, frozenset[Field]]]


@dataclass(slots=True)
class Memory:
    """The rows a run's steps read and change, loaded once before they run."""

    facts: dict[UUID, Facts]
    accounts: dict[UUID, UUID]
    tickets: dict[UUID, tuple[UUID, bool]]
    created: set[UUID] = field(default_factory=set)
    """Customers whose facts row the run inserts (it was not there when loaded)."""
    new_accounts: dict[UUID, UUID] = field(default_factory=dict)
    touched_tickets: set[UUID] = field(default_factory=set)
    spend: dict[tuple[UUID, str], tuple[int, int]] = field(default_factory=dict)

    open_by_customer: dict[UUID, set[UUID]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for ticket, (customer, open_) in self.tickets.items():
            if open_:
                self.open_by_customer.setdefault(customer, set()).add(ticket)

    def own(self, ticket: UUID, customer: UUID, open_: bool) -> None:
        """The ticket is ``customer``'s, open or not (a step changed it)."""
        self.tickets[ticket] = (customer, open_)
        self.touched_tickets.add(ticket)
        open_tickets = self.open_by_customer.setdefault(customer, set())
        if open_:
            open_tickets.add(ticket)
        else:
            open_tickets.discard(ticket)

    def open_tickets(self, customer: UUID) -> int:
        return len(self.open_by_customer.get(customer, ()))


Change = Callable[[Memory], UUID | None]
"""What a step does to the copy: the customer whose facts it changed (to re-evaluate), or
None when nothing moves (the customer has no facts row, the ticket is unknown...)."""


@dataclass(frozen=True, slots=True)
class Step:
    cause: Cause
    changed: Field | None
    """The one fact it changes (None: every segment is tested, as for a registration)."""
    change: Change
    customers: tuple[UUID, ...] = ()
    accounts: tuple[UUID, ...] = ()
    tickets: tuple[UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class Snapshot:
    customer: UUID
    facts: tuple[Any, ...]
    """The customer's facts after the step, in the order of ``FACT_COLUMNS``: the values
    themselves, not copies (a step replaces a list fact with a new list, never edits it)."""
    cause: Cause
    changed: Field | None


@dataclass(slots=True)
class FactChanges:
    """The batch's pending fact changes (see the module's docstring)."""

    segments: LiveSegments
    loading: bool = False
    steps: list[Step] = field(default_factory=list)

    def add(self, step: Step) -> None:
        self.steps.append(step)

    def write(self, cursor: Cursor[Any]) -> None:
        if not self.steps:
            return
        memory = self._load(cursor)
        snapshots = []
        facts = memory.facts
        for step in self.steps:
            moved = step.change(memory)
            if moved is not None:
                snapshot = Snapshot(moved, facts[moved].values(), step.cause, step.changed)
                snapshots.append(snapshot)
        self._move(cursor, snapshots, memory.created)
        statements.write_facts(cursor, memory.facts, memory.created, self.loading)
        statements.write_spend(cursor, memory.spend)
        statements.write_tickets(cursor, {t: memory.tickets[t] for t in memory.touched_tickets})
        statements.write_accounts(cursor, memory.new_accounts)

    def _load(self, cursor: Cursor[Any]) -> Memory:
        accounts = statements.load_accounts(
            cursor, sorted({a for step in self.steps for a in step.accounts}, key=by_int)
        )
        tickets = statements.load_tickets(
            cursor, sorted({t for step in self.steps for t in step.tickets}, key=by_int)
        )
        customers = {c for step in self.steps for c in step.customers}
        customers |= set(accounts.values())
        customers |= {owner for owner, _ in tickets.values()}
        if any(step.tickets for step in self.steps):
            # The open-ticket count is of all a customer's tickets, not only this run's.
            tickets = {**statements.tickets_of(cursor, sorted(customers, key=by_int)), **tickets}
        facts = statements.load_facts(cursor, sorted(customers, key=by_int))
        return Memory(facts, accounts, tickets)

    def _move(self, cursor: Cursor[Any], snapshots: list[Snapshot], created: set[UUID]) -> None:
        """Open and close the stays the snapshots call for, in log order."""
        if not snapshots or not self.segments:
            return
        # The segments each kind of step can move a customer in or out of, found once per
        # kind (the fact it changes) rather than once per step, in the segments' order, each
        # with its number: the loop below keys by (segment number, customer id's integer),
        # since hashing a UUID is Python code and it ran several times per step and segment.
        ordered = sorted(self.segments.items())
        number = {segment: n for n, (segment, _) in enumerate(ordered)}
        by_change: dict[Field | None, list[tuple[int, UUID]]] = {}
        for changed in {snapshot.changed for snapshot in snapshots}:
            by_change[changed] = [
                (number[segment], segment)
                for segment, (_, fields) in ordered
                if changed is None or changed in fields
            ]
        matches = {
            (index, number[segment])
            for index, segment in statements.matching_segments(cursor, snapshots, self.segments)
        }
        # A customer whose facts row this run creates has no open stay (an erased one's stays
        # lost their id): only the others' are read.
        customers = sorted({snapshot.customer for snapshot in snapshots} - created, key=by_int)
        open_before = {
            (number[segment], customer.int)
            for segment, customer in statements.open_stays(cursor, customers, sorted(number))
        }
        opened: dict[tuple[int, int], Stay] = {}
        closed_before: list[tuple[UUID, UUID, Cause]] = []
        stays: list[Stay] = []
        for index, snapshot in enumerate(snapshots):
            cause, customer = snapshot.cause, snapshot.customer
            person = customer.int
            for n, segment in by_change[snapshot.changed]:
                key = (n, person)
                is_in = key in opened or key in open_before
                now_in = (index, n) in matches
                if is_in and not now_in:
                    if key in opened:
                        opened.pop(key).leave(cause)
                    else:
                        open_before.discard(key)
                        closed_before.append((segment, customer, cause))
                elif now_in and not is_in:
                    opened[key] = Stay(segment, customer, cause)
                    stays.append(opened[key])
        statements.close_stays(cursor, closed_before)
        statements.insert_stays(cursor, stays, self.loading)


def cause(event: Any, position: int) -> Cause:
    return Cause(event.timestamp, position, type(event).__qualname__)


def later(first: datetime | None, second: datetime) -> datetime:
    """``greatest()`` of PostgreSQL: NULL is ignored."""
    return second if first is None else max(first, second)
