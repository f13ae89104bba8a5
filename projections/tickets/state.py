"""A ticket as the read model keeps it, and its SLA clocks at any instant.

The read model follows the ticket's events on its own (it never loads the aggregate): the
periods in which each clock ran, and the SLA terms copied into the ticket when it opened. Its
figures come from the same pure function the aggregate uses (``domain.ticket.sla.clock_state``),
so they can be checked against ``Ticket.clock`` and explained from the events alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

import orjson

from domain.ticket.sla import SlaTerms, clock_state
from domain.ticket.values import Priority, SlaClock, TicketStatus
from projections.tickets.views import ClockView, SlaView

Periods = list[list[datetime | None]]

COLUMNS = (
    "ticket_id", "seq", "version", "customer_id", "subject_id", "requester", "requester_email",
    "channel", "category", "subject",
    "description", "priority", "status", "assignee", "escalation_level", "opened_at",
    "first_response_at", "resolved_at", "closed_at", "reopen_count", "source", "terms",
    "first_response_periods", "resolution_periods", "breaches", "first_response_seconds",
    "resolution_seconds", "resolved_within_sla",
)  # fmt: skip
"""The stored columns :class:`TicketState` reads and writes (the derived ones follow)."""

DERIVED = (
    "first_response_running", "first_response_due_at", "first_response_breaching_at",
    "first_response_breached", "resolution_running", "resolution_due_at",
    "resolution_breaching_at", "resolution_breached",
)  # fmt: skip
"""Per clock, as of the ticket's latest event: running; while running, when it is due and when
it starts to be breached (the first business instant after it is due: a clock due at closing
time breaches when business opens again); breached. They let SQL find the tickets due or
breached at any later instant without the calendar."""


@dataclass
class TicketState:
    """The ticket after the events applied so far."""

    ticket_id: UUID
    seq: int
    version: int
    customer_id: UUID | None
    subject_id: UUID
    requester: str
    requester_email: str | None
    channel: str
    category: str
    subject: str | None
    description: str | None
    priority: str
    status: str
    assignee: str | None
    escalation_level: int
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    source: dict[str, Any] | None
    terms: dict[str, Any]
    first_response_periods: Periods
    resolution_periods: Periods
    breaches: list[str] = field(default_factory=list)
    first_response_seconds: float | None = None
    resolution_seconds: float | None = None
    resolved_within_sla: bool | None = None
    _last_sla: tuple[tuple[Any, ...], SlaView] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """The last :meth:`sla` answer and what it was computed from (not a column)."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> TicketState:
        values = {name: row[name] for name in COLUMNS}
        for name in ("first_response_periods", "resolution_periods"):
            values[name] = _decode_periods(row[name])
        values["breaches"] = list(row["breaches"])
        return cls(**values)

    def row(self, at: datetime) -> dict[str, Any]:
        """The columns to store, the derived ones as of ``at`` (the latest event's time) or
        the latest period boundary, if later."""
        values = {name: getattr(self, name) for name in COLUMNS}
        for name in ("first_response_periods", "resolution_periods"):
            values[name] = orjson.dumps(_encode_periods(values[name])).decode()
        values["source"] = self.source_json
        values["terms"] = self.terms_json
        sla = self.sla(self._settled(at))
        calendar = self.sla_terms.calendar
        for clock in (sla.first_response, sla.resolution):
            prefix = clock.clock.value
            due_at = clock.due_at if clock.running else None
            values[f"{prefix}_running"] = clock.running
            values[f"{prefix}_due_at"] = due_at
            # Zero business seconds after the due time: the due time itself inside business
            # hours, else the next opening (the clock is breached strictly after this instant).
            breaching_at = calendar.add_business_seconds(due_at, 0) if due_at else None
            values[f"{prefix}_breaching_at"] = breaching_at
            values[f"{prefix}_breached"] = clock.breached
        return values

    def sla(self, at: datetime) -> SlaView:
        """Both clocks at ``at``, with the target of the ticket's current priority.

        The last answer is kept with what it was computed from: a step asks for the same
        instant up to three times (its change, its timeline row, the ticket's row as of its
        last step) while nothing the clocks read changed, and the clocks were over a third of
        a ticket timeline rebuild's applying (client CPU)."""
        inputs = (
            at,
            at.tzinfo,  # equal instants in other zones give due times in their own zone
            self.priority,
            list(map(tuple, self.first_response_periods)),
            list(map(tuple, self.resolution_periods)),
        )
        last = self._last_sla
        if last is not None and last[0] == inputs:
            return last[1]
        priority = _PRIORITIES.get(self.priority) or Priority(self.priority)
        view = sla_view(self.sla_terms, priority, inputs[3], inputs[4], at)
        self._last_sla = (inputs, view)
        return view

    @cached_property
    def sla_terms(self) -> SlaTerms:
        """The terms, parsed once: they never change after the opening, and every step asks."""
        return SlaTerms.from_dict(self.terms)

    @cached_property
    def source_json(self) -> str:
        """The source as stored, made once: no step changes it after the opening."""
        return json.dumps(self.source)

    @cached_property
    def terms_json(self) -> str:
        """The terms as stored, made once: every write of the ticket stores them again."""
        return json.dumps(self.terms)

    def _settled(self, at: datetime) -> datetime:
        # Commands may carry an earlier time than a previous step; the derived columns must
        # describe the clocks after every period, so they are taken at the latest boundary.
        bounds = [m for p in (*self.first_response_periods, *self.resolution_periods) for m in p]
        return max([at, *(m for m in bounds if m is not None)])

    @property
    def working_status(self) -> str:
        """Where a resumed or reopened ticket goes (as the aggregate decides it)."""
        return (TicketStatus.OPEN if self.assignee else TicketStatus.NEW).value


def sla_view(
    terms: SlaTerms,
    priority: Priority,
    first_response_periods: Sequence[Sequence[datetime | None]],
    resolution_periods: Sequence[Sequence[datetime | None]],
    at: datetime,
) -> SlaView:
    return SlaView(
        first_response=_clock_view(
            SlaClock.FIRST_RESPONSE, first_response_periods, terms, priority, at
        ),
        resolution=_clock_view(SlaClock.RESOLUTION, resolution_periods, terms, priority, at),
    )


def _clock_view(
    clock: SlaClock,
    periods: Sequence[Sequence[datetime | None]],
    terms: SlaTerms,
    priority: Priority,
    at: datetime,
) -> ClockView:
    spans = [(start, end) for start, end in periods if start is not None]
    state = clock_state(clock, spans, terms.target_seconds(clock, priority), terms.calendar, at)
    return ClockView(
        clock, state.target_seconds, state.elapsed_seconds, state.running, state.due_at,
        state.breached,
    )  # fmt: skip


_PRIORITIES = {priority.value: priority for priority in Priority}
"""Each priority by its stored text: ``Priority(text)`` is an enum call (about 0.5 us), and
every step asks."""


def stop(periods: Periods, at: datetime) -> None:
    """End the running period, if any (what the aggregate does on hold or resolution)."""
    if periods and periods[-1][1] is None:
        periods[-1][1] = at


def run(periods: Periods, at: datetime) -> None:
    """Start a period unless one is running (on resume or reopen)."""
    if not periods or periods[-1][1] is not None:
        periods.append([at, None])


def sla_as_json(sla: SlaView) -> dict[str, Any]:
    # The clocks' names as literals: ``clock.clock.value`` is an enum property (Python code),
    # asked twice a step; a view's two clocks are always these two.
    return {
        "first_response": _clock_json(sla.first_response),
        "resolution": _clock_json(sla.resolution),
    }


def _clock_json(clock: ClockView) -> dict[str, Any]:
    due_at = clock.due_at
    return {
        "target_seconds": clock.target_seconds,
        "elapsed_seconds": clock.elapsed_seconds,
        "running": clock.running,
        "due_at": due_at.isoformat() if due_at else None,
        "breached": clock.breached,
    }


def sla_from_json(data: dict[str, Any]) -> SlaView:
    def view(clock: SlaClock) -> ClockView:
        item = data[clock.value]
        due_at = item["due_at"]
        return ClockView(
            clock, float(item["target_seconds"]), float(item["elapsed_seconds"]),
            bool(item["running"]), datetime.fromisoformat(due_at) if due_at else None,
            bool(item["breached"]),
        )  # fmt: skip

    return SlaView(view(SlaClock.FIRST_RESPONSE), view(SlaClock.RESOLUTION))


def _encode_periods(periods: Periods) -> list[list[str | None]]:
    return [[moment.isoformat() if moment else None for moment in period] for period in periods]


def _decode_periods(data: list[list[str | None]]) -> Periods:
    return [[datetime.fromisoformat(m) if m else None for m in period] for period in data]
