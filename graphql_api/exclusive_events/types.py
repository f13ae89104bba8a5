"""Exclusive events and their guest lists as frontends see them.

Who sees what: an event's details are for every caller who may list it. The guest list is
personal (who goes where): only agents, admins and privacy officers list it, and a guest's
name is shown to those who may see personal data.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.auth import may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.enums import LoyaltyTier
from graphql_api.pagination import PageInfo
from projections.exclusive_events.views import ExclusiveEventView, RsvpView

Info = strawberry.Info[RequestContext, None]
EVENT_CURSOR = "upcoming-event"
"""Its position is the event's place by start (a cursor of the list's former, scheduling
order is refused as another list's)."""
GUEST_CURSOR = "event-guest"


@strawberry.type(name="ExclusiveEvent", description="An event for members of invited tiers.")
class ExclusiveEventType:
    view: strawberry.Private[ExclusiveEventView]

    @strawberry.field(description="The event's id.")
    def id(self) -> UUID:
        return self.view.event_id

    @strawberry.field(description="Its title.")
    def title(self) -> str:
        return self.view.title

    @strawberry.field(description="What members are told of it (may be empty).")
    def description(self) -> str:
        return self.view.description

    @strawberry.field(description="When it starts; RSVPs close then.")
    def starts_at(self) -> datetime:
        return self.view.starts_at

    @strawberry.field(description="When it ends.")
    def ends_at(self) -> datetime:
        return self.view.ends_at

    @strawberry.field(description="Where it takes place.")
    def place(self) -> str:
        return self.view.place

    @strawberry.field(description="Seats in all.")
    def capacity(self) -> int:
        return self.view.capacity

    @strawberry.field(description="Seats taken by accepted RSVPs.")
    def seats_taken(self) -> int:
        return self.view.seats_taken

    @strawberry.field(description="Seats still free.")
    def seats_left(self) -> int:
        return max(self.view.capacity - self.view.seats_taken, 0)

    @strawberry.field(description="The tiers whose members may RSVP.")
    def invited_tiers(self) -> list[LoyaltyTier]:
        return [LoyaltyTier(t) for t in self.view.invited_tiers]

    @strawberry.field(description="Points a member earns once for attending.")
    def points_for_attending(self) -> int:
        return self.view.points_for_attending

    @strawberry.field(description="Guests whose attendance was recorded.")
    def attended(self) -> int:
        return self.view.attended

    @strawberry.field(description="When it was cancelled; null if it was not.")
    def cancelled_at(self) -> datetime | None:
        return self.view.cancelled_at


@strawberry.type(name="EventGuest", description="A member's RSVP to an exclusive event.")
class EventGuestType:
    view: strawberry.Private[RsvpView]

    @strawberry.field(description="The member (a customer).")
    def customer_id(self) -> UUID:
        return self.view.customer_id

    @strawberry.field(
        description="Their name as they RSVP'd; null unless you may see their personal data, "
        "and once they are erased."
    )
    def guest_name(self, info: Info) -> str | None:
        if not may_see_personal_data(info.context.principal, self.view.customer_id):
            return None
        return self.view.guest_name

    @strawberry.field(description="Their tier when they RSVP'd.")
    def tier(self) -> LoyaltyTier:
        return LoyaltyTier(self.view.tier)

    @strawberry.field(description="When they RSVP'd.")
    def rsvp_at(self) -> datetime:
        return self.view.rsvp_at

    @strawberry.field(description="When their attendance was recorded; null if not yet.")
    def attended_at(self) -> datetime | None:
        return self.view.attended_at

    @strawberry.field(description="Points awarded for attending (0 until recorded).")
    def points_awarded(self) -> int:
        return self.view.points_awarded


@strawberry.type(description="An edge of an exclusive event connection.")
class ExclusiveEventEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: ExclusiveEventType = strawberry.field(description="The event.")


@strawberry.type(description="A page of exclusive events, in the order they were scheduled.")
class ExclusiveEventConnection:
    edges: list[ExclusiveEventEdge] = strawberry.field(description="The events of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(description="An edge of a guest list.")
class EventGuestEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: EventGuestType = strawberry.field(description="The guest.")


@strawberry.type(description="A page of an event's guest list, in RSVP order.")
class EventGuestConnection:
    edges: list[EventGuestEdge] = strawberry.field(description="The guests of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
