"""Inputs of the exclusive events mutations."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.enums import LoyaltyTier


@strawberry.input(description="An exclusive event's details.")
class EventDetailsInput:
    title: str = strawberry.field(description="Title, 1 to 200 characters.")
    description: str = strawberry.field(
        default="", description="What members are told, up to 5,000 characters."
    )
    starts_at: datetime = strawberry.field(description="Start, with a time zone.")
    ends_at: datetime = strawberry.field(description="End, after the start, within 31 days.")
    place: str = strawberry.field(description="Where, 1 to 300 characters.")
    capacity: int = strawberry.field(description="Seats, 1 to 100,000.")
    invited_tiers: list[LoyaltyTier] = strawberry.field(
        description="The tiers whose members may RSVP (at least one)."
    )
    points_for_attending: int = strawberry.field(
        default=0, description="Points earned once for attending, 0 to 1,000,000."
    )


@strawberry.input(description="Schedule an exclusive event.")
class ScheduleEventInput(EventDetailsInput):
    event_id: UUID | None = strawberry.field(
        default=None, description="Optional id chosen by the client: a retry answers the first."
    )


@strawberry.input(description="Change an event before it starts: every detail is replaced.")
class ChangeEventInput:
    event_id: UUID = strawberry.field(description="The event.")
    details: EventDetailsInput = strawberry.field(description="Its details from now on.")


@strawberry.input(description="Cancel an event before it starts.")
class CancelEventInput:
    event_id: UUID = strawberry.field(description="The event.")
    reason: str = strawberry.field(description="Why, for the record (1 to 500 characters).")


@strawberry.input(description="A member takes a seat.")
class RsvpToEventInput:
    event_id: UUID = strawberry.field(description="The event.")
    customer_id: UUID = strawberry.field(description="The member.")


@strawberry.input(description="A member gives their seat back.")
class CancelRsvpInput:
    event_id: UUID = strawberry.field(description="The event.")
    customer_id: UUID = strawberry.field(description="The member.")


@strawberry.input(description="A member RSVP'd was seen at the event.")
class RecordAttendanceInput:
    event_id: UUID = strawberry.field(description="The event.")
    customer_id: UUID = strawberry.field(description="The member who came.")
