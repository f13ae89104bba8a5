"""The shapes the exclusive events read model answers with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ExclusiveEventView:
    event_id: UUID
    seq: int
    """Log position of the scheduling: the paging cursor."""
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    invited_tiers: list[str]
    points_for_attending: int
    seats_taken: int
    attended: int
    cancelled_at: datetime | None
    cancel_reason: str | None


@dataclass(frozen=True, slots=True)
class RsvpView:
    event_id: UUID
    customer_id: UUID
    seq: int
    guest_name: str | None
    """None once the member is erased."""
    tier: str
    rsvp_at: datetime
    attended_at: datetime | None
    points_awarded: int
