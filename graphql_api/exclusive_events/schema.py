"""The exclusive events area's queries and mutations, with who may use each.

Admins schedule, change and cancel events. A member RSVPs (and cancels) for themself; agents
and admins may do it for them. Agents and admins record attendance. Upcoming events: every
logged-in caller (a customer sees their tier's). The guest list (who goes where, personal):
agents, admins and privacy officers.
"""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.exclusive_events import mutations, payloads, queries
from graphql_api.exclusive_events.types import EventGuestConnection, ExclusiveEventConnection
from graphql_api.permissions import EVERYONE, STAFF, allowed

LOGGED_IN = EVERYONE - {Role.ANONYMOUS}
GUEST_LIST = STAFF | {Role.PRIVACY_OFFICER}
OWN = "input.customer_id"
RSVP_REFUSALS = (
    "Refused with NOT_A_MEMBER, TIER_NOT_INVITED, EVENT_FULL, EVENT_CANCELLED, "
    "EVENT_ALREADY_STARTED or EVENT_NOT_FOUND."
)


@strawberry.type(description="Queries about exclusive events.")
class ExclusiveEventQueries:
    upcoming_events: ExclusiveEventConnection = strawberry.field(
        resolver=queries.upcoming_events,
        description="Events not yet over nor cancelled, in the order they were scheduled "
        "(Relay connection). A customer sees those inviting their tier (none if not a member); "
        "staff and readers see every one. Anyone logged in.",
        extensions=allowed(LOGGED_IN),
    )
    event_guests: EventGuestConnection = strawberry.field(
        resolver=queries.event_guests,
        description="An event's guest list in RSVP order (Relay connection); names only for "
        "those who may see personal data. Agents, admins and privacy officers.",
        extensions=allowed(GUEST_LIST),
    )


@strawberry.type(description="Mutations on exclusive events.")
class ExclusiveEventMutations:
    schedule_event: payloads.ScheduleEventPayload = strawberry.mutation(
        resolver=mutations.schedule_event,
        description="Schedule an event for members of the invited tiers. Refused with "
        "INVALID_INPUT naming the field out of bounds. Admins.",
        extensions=allowed(Role.ADMIN),
    )
    change_event: payloads.ChangeEventPayload = strawberry.mutation(
        resolver=mutations.change_event,
        description="Replace an event's details before it starts. Refused with "
        "CAPACITY_BELOW_GUESTS, EVENT_CANCELLED, EVENT_ALREADY_STARTED or INVALID_INPUT. Admins.",
        extensions=allowed(Role.ADMIN),
    )
    cancel_event: payloads.CancelEventPayload = strawberry.mutation(
        resolver=mutations.cancel_event,
        description="Cancel an event before it starts; RSVPs close. Admins.",
        extensions=allowed(Role.ADMIN),
    )
    rsvp_to_event: payloads.RsvpToEventPayload = strawberry.mutation(
        resolver=mutations.rsvp_to_event,
        description="Take a seat; never beyond the capacity, however many RSVP at once. "
        f"{RSVP_REFUSALS} The member themself, agents and admins.",
        extensions=allowed(STAFF, own=OWN),
    )
    cancel_rsvp: payloads.CancelRsvpPayload = strawberry.mutation(
        resolver=mutations.cancel_rsvp,
        description="Give the seat back before the event starts. The member themself, agents "
        "and admins.",
        extensions=allowed(STAFF, own=OWN),
    )
    record_attendance: payloads.RecordAttendancePayload = strawberry.mutation(
        resolver=mutations.record_attendance,
        description="Record that a member with an RSVP came: their points for attending are "
        "awarded with it, once per member per event. Refused with NOT_ON_GUEST_LIST or "
        "EVENT_CANCELLED. Agents and admins.",
        extensions=allowed(STAFF),
    )
