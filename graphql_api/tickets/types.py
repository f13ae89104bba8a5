"""The parts of a ticket as frontends see them: statuses, priorities, channels, SLA clocks
and the steps of its timeline (the ticket itself is in `ticket.py`).

Built from the ticket read model's views (`projections.tickets.views`). Texts (subject,
description, replies, notes, reasons, the resolution) and who acted are personal data: a step
carries them only when built for a caller who may see them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from graphql_api.enums import Priority, SlaClock, TicketChannel, TimelineKind
from projections.tickets.views import ClockView, SlaView, TimelineEntryView

PERSONAL = "Personal data: null unless you may see it (and once the customer is erased)."


@strawberry.type(
    name="SlaClockState", description="One SLA clock at one instant, in business seconds."
)
class ClockStateType:
    target_seconds: float = strawberry.field(description="The target for the ticket's priority.")
    elapsed_seconds: float = strawberry.field(description="Business time the clock has run.")
    remaining_seconds: float = strawberry.field(
        description="Target minus elapsed; negative once breached."
    )
    running: bool = strawberry.field(description="The clock is running (not paused or stopped).")
    due_at: datetime | None = strawberry.field(
        description="When the target is (or was) reached at this pace; null if it stopped in time."
    )
    breached: bool = strawberry.field(description="The clock has passed its target.")

    @classmethod
    def from_view(cls, view: ClockView) -> ClockStateType:
        return cls(
            target_seconds=view.target_seconds,
            elapsed_seconds=view.elapsed_seconds,
            remaining_seconds=view.remaining_seconds,
            running=view.running,
            due_at=view.due_at,
            breached=view.breached,
        )


@strawberry.type(name="TicketSla", description="Both SLA clocks of a ticket at one instant.")
class SlaType:
    first_response: ClockStateType = strawberry.field(description="The first-response clock.")
    resolution: ClockStateType = strawberry.field(description="The resolution clock.")
    breached: bool = strawberry.field(description="Either clock has passed its target.")

    @classmethod
    def from_view(cls, view: SlaView) -> SlaType:
        return cls(
            first_response=ClockStateType.from_view(view.first_response),
            resolution=ClockStateType.from_view(view.resolution),
            breached=view.breached,
        )


@strawberry.type(name="TicketSource", description="What raised the ticket.")
class SourceType:
    kind: str = strawberry.field(description="e.g. survey_response.")
    id: str = strawberry.field(description="Its id.")

    @classmethod
    def of(cls, source: dict[str, Any] | None) -> SourceType | None:
        return None if not source else cls(kind=str(source["kind"]), id=str(source["id"]))


def _priority(value: Any) -> Priority | None:
    return None if value is None else Priority(value)


@strawberry.type(
    name="TicketStepDetails", description="What a step says besides its text; fields that do "
    "not apply to its kind are null."
)  # fmt: skip
class StepDetailsType:
    channel: TicketChannel | None = strawberry.field(description="OPENED: the channel.")
    category: str | None = strawberry.field(description="OPENED: the category.")
    priority: Priority | None = strawberry.field(description="OPENED: the priority it opened with.")
    source: SourceType | None = strawberry.field(description="OPENED: what raised it.")
    agent_id: str | None = strawberry.field(description="ASSIGNED: the agent.")
    previous_agent_id: str | None = strawberry.field(description="ASSIGNED: the agent before.")
    by_agent: bool | None = strawberry.field(description="REPLIED: an agent wrote it.")
    first_response: bool | None = strawberry.field(
        description="REPLIED: it was the first response (stopped that clock)."
    )
    from_priority: Priority | None = strawberry.field(
        description="PRIORITY_CHANGED: the priority before."
    )
    to_priority: Priority | None = strawberry.field(
        description="PRIORITY_CHANGED: the priority after."
    )
    level: int | None = strawberry.field(description="ESCALATED: the escalation level now.")
    clock: SlaClock | None = strawberry.field(description="SLA_BREACHED: which clock.")
    due_at: datetime | None = strawberry.field(description="SLA_BREACHED: when it was due.")

    @classmethod
    def from_details(cls, d: dict[str, Any]) -> StepDetailsType:
        channel, clock, due = d.get("channel"), d.get("clock"), d.get("due_at")
        return cls(
            channel=None if channel is None else TicketChannel(channel),
            category=d.get("category"),
            priority=_priority(d.get("priority")),
            source=SourceType.of(d.get("source")),
            agent_id=d.get("agent_id"),
            previous_agent_id=d.get("previous_agent_id"),
            by_agent=d.get("by_agent"),
            first_response=d.get("first_response"),
            from_priority=_priority(d.get("from")),
            to_priority=_priority(d.get("to")),
            level=d.get("level"),
            clock=None if clock is None else SlaClock(clock),
            due_at=None if due is None else datetime.fromisoformat(due),
        )


@strawberry.type(name="TicketStep", description="One step of a ticket: one per event.")
class StepType:
    version: int = strawberry.field(description="The ticket's version after this step.")
    at: datetime = strawberry.field(description="When it happened.")
    kind: TimelineKind = strawberry.field(description="What happened.")
    actor_id: str | None = strawberry.field(description=f"Who acted. {PERSONAL}")
    actor_role: str = strawberry.field(description="The role they acted in, e.g. agent, system.")
    channel: str = strawberry.field(description="Where the command came from, e.g. web.")
    public: bool = strawberry.field(description="The customer sees this step.")
    text: str | None = strawberry.field(
        description=f"The subject, message, note, reason or resolution. {PERSONAL}"
    )
    details: StepDetailsType = strawberry.field(description="What the step says besides text.")
    sla: SlaType = strawberry.field(description="Both SLA clocks just after this step.")

    @classmethod
    def from_view(cls, view: TimelineEntryView, personal: bool) -> StepType:
        return cls(
            version=view.version,
            at=view.at,
            kind=view.kind,
            actor_id=view.actor_id if personal else None,
            actor_role=view.actor_role,
            channel=view.channel,
            public=view.public,
            text=view.text if personal else None,
            details=StepDetailsType.from_details(view.details),
            sla=SlaType.from_view(view.sla),
        )
