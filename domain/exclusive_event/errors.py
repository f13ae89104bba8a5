"""Refusals specific to exclusive events."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class ExclusiveEventNotFoundError(NotFoundError):
    code = "EVENT_NOT_FOUND"


class EventFullError(DomainError):
    """Every seat is taken: an RSVP beyond the capacity is refused, never squeezed in."""

    code = "EVENT_FULL"


class NotAMemberError(DomainError):
    """Only loyalty members may RSVP; a customer without an account is refused."""

    code = "NOT_A_MEMBER"


class TierNotInvitedError(DomainError):
    """The member's tier is not among the event's invited tiers."""

    code = "TIER_NOT_INVITED"


class EventCancelledError(DomainError):
    code = "EVENT_CANCELLED"


class EventAlreadyStartedError(DomainError):
    """RSVPs, their cancellation and changes to the event close when it starts."""

    code = "EVENT_ALREADY_STARTED"


class NotOnGuestListError(DomainError):
    """Attendance is recorded for members who RSVP'd; others were not expected."""

    code = "NOT_ON_GUEST_LIST"


class CapacityBelowGuestsError(DomainError):
    """A change may not lower the capacity below the RSVPs already accepted."""

    code = "CAPACITY_BELOW_GUESTS"
