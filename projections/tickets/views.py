"""The shapes the ticket read model answers with (shared by its queries and the GraphQL types).

One projection owns the tables: ``ticket_timeline`` (class
:class:`projections.tickets.projection.TicketTimeline`). Ticket lists, the agent queue, the
customer's tickets and the service metrics are all queries over its tables.

Times are timezone-aware. SLA figures are business seconds, as the SLA counts them, under the
calendar and targets the ticket was opened with (a priority change switches the target).
A percentage is a 0-100 float; a figure over nothing is None, never 0. Texts are None once the
requester (the customer, or an anonymous person) is erased; who may see them is the API's decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.ticket.values import (
    Priority,
    RequesterKind,
    SlaClock,
    TicketChannel,
    TicketStatus,
)

PROJECTION_NAME = "ticket_timeline"


class TimelineKind(StrEnum):
    """One kind per ticket event."""

    OPENED = "opened"
    ASSIGNED = "assigned"
    REPLIED = "replied"
    NOTE_ADDED = "note_added"
    PRIORITY_CHANGED = "priority_changed"
    ESCALATED = "escalated"
    PUT_ON_HOLD = "put_on_hold"
    RESUMED = "resumed"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    SLA_BREACHED = "sla_breached"

    @property
    def public(self) -> bool:
        """Whether the customer sees this step: messages and status changes, not the desk's
        internal work (notes, assignment, priority, escalation, breaches)."""
        return self in _PUBLIC


_PUBLIC = frozenset(
    {
        TimelineKind.OPENED,
        TimelineKind.REPLIED,
        TimelineKind.PUT_ON_HOLD,
        TimelineKind.RESUMED,
        TimelineKind.RESOLVED,
        TimelineKind.REOPENED,
        TimelineKind.CLOSED,
    }
)


class MetricsGrouping(StrEnum):
    """How service metrics can be split into rows."""

    AGENT = "agent"
    CATEGORY = "category"
    PRIORITY = "priority"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    @property
    def is_period(self) -> bool:
        return self in (MetricsGrouping.DAY, MetricsGrouping.WEEK, MetricsGrouping.MONTH)


@dataclass(frozen=True, slots=True)
class ClockView:
    """One SLA clock at one instant (see ``domain.ticket.sla.ClockState``)."""

    clock: SlaClock
    target_seconds: float
    elapsed_seconds: float
    running: bool
    due_at: datetime | None
    """When the target is (or was) reached at this pace; None if it stopped in time."""
    breached: bool

    @property
    def remaining_seconds(self) -> float:
        return self.target_seconds - self.elapsed_seconds


@dataclass(frozen=True, slots=True)
class SlaView:
    """Both clocks of a ticket at one instant."""

    first_response: ClockView
    resolution: ClockView

    @property
    def breached(self) -> bool:
        return self.first_response.breached or self.resolution.breached


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket as it stands; ``sla`` is computed at the query's instant ``at``."""

    id: UUID
    seq: int
    """Log position of the event that opened it (the paging cursor)."""
    customer_id: UUID | None
    """The customer it serves; None for an anonymous requester (who is no customer)."""
    channel: TicketChannel
    category: str
    subject: str | None
    description: str | None
    priority: Priority
    status: TicketStatus
    assignee: str | None
    escalation_level: int
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    """The latest resolution, None while the ticket is not resolved (or closed)."""
    closed_at: datetime | None
    reopen_count: int
    source: dict[str, Any] | None
    version: int
    """The ticket's aggregate version (what a client sends as its expected version)."""
    sla: SlaView
    first_response_seconds: float | None = None
    """Business seconds to the first response (None until there is one)."""
    resolution_seconds: float | None = None
    """Business seconds the resolution clock ran up to the latest resolution."""
    breaches: tuple[SlaClock, ...] = ()
    """Clocks whose breach has been recorded as an event."""
    requester: RequesterKind = RequesterKind.CUSTOMER
    subject_id: UUID | None = None
    """The data subject of its texts (the customer's id, or the anonymous requester's)."""
    requester_email: str | None = None
    """An anonymous requester's email; None for a customer's ticket and once erased."""


@dataclass(frozen=True, slots=True)
class TimelineEntryView:
    """One step of a ticket: exactly one per event, in the ticket's order."""

    seq: int
    ticket_id: UUID
    version: int
    at: datetime
    kind: TimelineKind
    actor_id: str
    actor_role: str
    channel: str
    """Where the command came from (metadata channel), not the ticket's channel."""
    public: bool
    text: str | None
    """Subject (opened), reply, note, reason (escalated, on hold, reopened) or resolution;
    None for steps without text and once the customer is erased."""
    details: dict[str, Any]
    """Per kind: opened {channel, category, priority, source}; assigned {agent_id,
    previous_agent_id}; replied {by_agent, first_response}; priority_changed {from, to};
    escalated {level}; sla_breached {clock, due_at (ISO 8601)}; others {}."""
    sla: SlaView
    """Both clocks as of this step (just after the event applied)."""


@dataclass(frozen=True, slots=True)
class TicketPage:
    """Newest first; the next page holds the tickets with ``seq`` below the last one."""

    items: list[TicketView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """Which tickets a list shows; empty or None means any. ``opened_since`` is inclusive,
    ``opened_until`` exclusive. ``breached`` is true for a ticket with a clock past its target
    at the query's instant (recorded or not yet recorded by the check)."""

    statuses: tuple[TicketStatus, ...] = ()
    priorities: tuple[Priority, ...] = ()
    assignee: str | None = None
    customer_id: UUID | None = None
    anonymous: bool | None = None
    """True: only anonymous requesters' tickets; False: only customers'."""
    category: str | None = None
    channel: TicketChannel | None = None
    breached: bool | None = None
    opened_since: datetime | None = None
    opened_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ServiceMetricsFilter:
    """Which tickets count, by their current agent, category and priority. ``since``
    (inclusive) and ``until`` (exclusive) select by each figure's own event time: opened by
    opening, first response by its time, resolutions by the latest resolution, breaches by
    when they were recorded."""

    since: datetime | None = None
    until: datetime | None = None
    agent: str | None = None
    category: str | None = None
    priority: Priority | None = None


@dataclass(frozen=True, slots=True)
class BacklogView:
    """Active tickets (new, open, on hold) at ``at`` by age since opening."""

    under_1_day: int = 0
    from_1_to_3_days: int = 0
    from_3_to_7_days: int = 0
    over_7_days: int = 0

    @property
    def total(self) -> int:
        return self.under_1_day + self.from_1_to_3_days + self.from_3_to_7_days + self.over_7_days


@dataclass(frozen=True, slots=True)
class ServiceFiguresView:
    """The service figures of one set of tickets."""

    tickets_opened: int
    tickets_resolved: int
    """Tickets now resolved or closed whose latest resolution falls in the window."""
    first_responses: int
    first_response_median_seconds: float | None
    first_response_p90_seconds: float | None
    resolution_median_seconds: float | None
    resolution_p90_seconds: float | None
    resolved_within_sla: float | None
    """Percentage of the resolved tickets whose resolution clock stayed within its target."""
    first_response_breaches: int
    resolution_breaches: int
    reopen_rate: float | None
    """Percentage of the resolved tickets that were reopened at least once."""
    backlog: BacklogView | None
    """None in rows per period (a backlog is a state at ``at``, not a flow)."""


@dataclass(frozen=True, slots=True)
class ServiceMetricsRow:
    """One group: ``key`` is the agent id (None: unassigned), category or priority value, or
    the period's start date (ISO, UTC) for ``day``/``week``/``month``."""

    key: str | None
    figures: ServiceFiguresView
    period_start: datetime | None = None


@dataclass(frozen=True, slots=True)
class ServiceMetricsView:
    """Service metrics as of ``at``; percentiles are continuous (linear interpolation, as
    PostgreSQL's ``percentile_cont``)."""

    at: datetime
    totals: ServiceFiguresView
    group_by: MetricsGrouping | None = None
    rows: list[ServiceMetricsRow] = field(default_factory=list)
