"""The ExclusiveEvent aggregate: an event for loyal customers, its guest list and who came.

Its stream holds every RSVP, so capacity is decided on one aggregate's version: two members
taking the last seat at once clash on the append, the loser reloads and sees the event full.
Who RSVP'd is personal data (``guest``: the member's name as they RSVP'd, sealed with their
key); the guest list keeps their customer id to count seats and refuse a second RSVP.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.exclusive_event.errors import (
    CapacityBelowGuestsError,
    EventAlreadyStartedError,
    EventCancelledError,
    EventFullError,
    NotOnGuestListError,
)
from domain.exclusive_event.values import EventDetails
from domain.loyalty.values import Tier
from domain.shared.aggregate import LedgerAggregate
from domain.shared.personal_data import PersonalData


class ExclusiveEvent(LedgerAggregate):
    """An event members of the invited tiers may RSVP to, up to its capacity."""

    class Scheduled(LedgerAggregate.Created):
        """An admin scheduled the event (staff's words, not personal data)."""

        title: str
        description: str
        starts_at: datetime
        ends_at: datetime
        place: str
        capacity: int
        invited_tiers: list[str]
        points_for_attending: int

        def apply(self, event: ExclusiveEvent) -> None:
            _set_details(event, self)
            event.cancelled = False
            event.guests = []
            event.attended = []

    class Changed(LedgerAggregate.Event):
        """The event's details now (every field, as after scheduling)."""

        title: str
        description: str
        starts_at: datetime
        ends_at: datetime
        place: str
        capacity: int
        invited_tiers: list[str]
        points_for_attending: int

        def apply(self, event: ExclusiveEvent) -> None:
            _set_details(event, self)

    class Cancelled(LedgerAggregate.Event):
        reason: str

        def apply(self, event: ExclusiveEvent) -> None:
            event.cancelled = True

    class RsvpAccepted(LedgerAggregate.Event):
        """A member took a seat; ``guest`` is their name for the guest list."""

        customer_id: UUID
        guest: PersonalData
        tier: str

        def apply(self, event: ExclusiveEvent) -> None:
            event.guests.append(str(self.customer_id))

    class RsvpCancelled(LedgerAggregate.Event):
        customer_id: UUID

        def apply(self, event: ExclusiveEvent) -> None:
            event.guests.remove(str(self.customer_id))

    class AttendanceRecorded(LedgerAggregate.Event):
        """Staff saw the member there; the points for attending were awarded with it."""

        customer_id: UUID
        points: int

        def apply(self, event: ExclusiveEvent) -> None:
            event.attended.append(str(self.customer_id))

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    # The details as plain values (not an EventDetails), so a snapshot round-trips them.
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    invited_tiers: list[str]
    points_for_attending: int
    cancelled: bool
    guests: list[str]
    """Customer ids (as text, so a snapshot round-trips) holding a seat, in RSVP order."""
    attended: list[str]

    @property
    def details(self) -> EventDetails:
        return EventDetails(
            title=self.title,
            description=self.description,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            place=self.place,
            capacity=self.capacity,
            invited_tiers=tuple(Tier(t) for t in self.invited_tiers),
            points_for_attending=self.points_for_attending,
        )

    @classmethod
    def schedule(cls, event_id: UUID, details: EventDetails) -> ExclusiveEvent:
        return cls._create(cls.Scheduled, id=event_id, **_fields(details))

    def change(self, details: EventDetails, now: datetime) -> None:
        self._check_open(now)
        if details.capacity < len(self.guests):
            raise CapacityBelowGuestsError(
                f"{len(self.guests)} members have RSVP'd; capacity cannot go below that",
                field="capacity",
            )
        if details != self.details:
            self.trigger_event(self.Changed, **_fields(details))

    def cancel(self, reason: str, now: datetime) -> None:
        if self.cancelled:
            return
        self._check_open(now)
        self.trigger_event(self.Cancelled, reason=reason)

    def has_guest(self, customer_id: UUID) -> bool:
        return str(customer_id) in self.guests

    def rsvp(self, customer_id: UUID, guest: PersonalData, tier: Tier, now: datetime) -> None:
        """Take a seat; a member already holding one keeps it (a retried RSVP)."""
        self._check_open(now)
        if self.has_guest(customer_id):
            return
        if len(self.guests) >= self.details.capacity:
            raise EventFullError(f"all {self.details.capacity} seats are taken")
        self.trigger_event(self.RsvpAccepted, customer_id=customer_id, guest=guest, tier=tier)

    def cancel_rsvp(self, customer_id: UUID, now: datetime) -> None:
        self._check_open(now)
        if self.has_guest(customer_id):
            self.trigger_event(self.RsvpCancelled, customer_id=customer_id)

    def record_attendance(self, customer_id: UUID) -> bool:
        """Record that the member came; False if it was already recorded (nothing new)."""
        if self.cancelled:
            raise EventCancelledError("the event was cancelled")
        if not self.has_guest(customer_id):
            raise NotOnGuestListError("this customer has no RSVP for the event")
        if str(customer_id) in self.attended:
            return False
        points = self.details.points_for_attending
        self.trigger_event(self.AttendanceRecorded, customer_id=customer_id, points=points)
        return True

    def _check_open(self, now: datetime) -> None:
        if self.cancelled:
            raise EventCancelledError("the event was cancelled")
        if now >= self.details.starts_at:
            raise EventAlreadyStartedError("the event has started")


def _fields(details: EventDetails) -> dict[str, object]:
    return {
        "title": details.title,
        "description": details.description,
        "starts_at": details.starts_at,
        "ends_at": details.ends_at,
        "place": details.place,
        "capacity": details.capacity,
        "invited_tiers": [t.value for t in details.invited_tiers],
        "points_for_attending": details.points_for_attending,
    }


def _set_details(
    aggregate: ExclusiveEvent, event: ExclusiveEvent.Scheduled | ExclusiveEvent.Changed
) -> None:
    aggregate.title = event.title
    aggregate.description = event.description
    aggregate.starts_at = event.starts_at
    aggregate.ends_at = event.ends_at
    aggregate.place = event.place
    aggregate.capacity = event.capacity
    aggregate.invited_tiers = list(event.invited_tiers)
    aggregate.points_for_attending = event.points_for_attending
