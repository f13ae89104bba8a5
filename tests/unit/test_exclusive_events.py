"""Exclusive events for loyal customers, given-when-then, in memory: who may RSVP, the
capacity, and the points for attending awarded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.exclusive_event.commands import (
    CancelEvent,
    CancelRsvp,
    ChangeEvent,
    RecordAttendance,
    RsvpToEvent,
    ScheduleEvent,
)
from domain.exclusive_event.errors import (
    CapacityBelowGuestsError,
    EventAlreadyStartedError,
    EventCancelledError,
    EventFullError,
    NotAMemberError,
    NotOnGuestListError,
    TierNotInvitedError,
)
from domain.exclusive_event.model import ExclusiveEvent
from domain.exclusive_event.values import MAX_CAPACITY, EventDetails
from domain.ledger import Ledger
from domain.loyalty.values import Tier
from domain.privacy.erasure import ErasureReason
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.events import events_of

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
STARTS = datetime.now(UTC) + timedelta(days=30)


def details(
    capacity: int = 2, tiers: tuple[Tier, ...] = (Tier.SILVER, Tier.GOLD), points: int = 250
) -> EventDetails:
    return EventDetails.checked(
        title="Winter tasting",
        description="An evening with the roasters.",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=3),
        place="Via Roma 1, Torino",
        capacity=capacity,
        invited_tiers=tiers,
        points_for_attending=points,
    )


def schedule(ledger: Ledger, capacity: int = 2, points: int = 250) -> UUID:
    command = ScheduleEvent(details(capacity=capacity, points=points))
    return ledger.schedule_event(command, ADMIN).aggregate_id


def member(ledger: Ledger, email: str, points: int = 1_000) -> UUID:
    """A customer enrolled in loyalty; 1,000 points make them silver."""
    customer_id = ledger.register_customer(RegisterCustomer("Ada", email), AGENT).aggregate_id
    ledger.enrol_in_loyalty(customer_id, AGENT)
    if points:
        ledger.award_points(customer_id, "welcome", points, {}, ADMIN)
    return customer_id


def rsvp(ledger: Ledger, event_id: UUID, customer_id: UUID) -> None:
    ledger.rsvp_to_event(RsvpToEvent(event_id, customer_id), AGENT)


def test_a_member_of_an_invited_tier_takes_a_seat(ledger: Ledger) -> None:
    """A silver member RSVPs to an event for silver and gold: one RsvpAccepted, with their
    name sealed as personal data of theirs."""
    event_id = schedule(ledger)
    ada = member(ledger, "ada@example.org")
    rsvp(ledger, event_id, ada)
    accepted = events_of(ledger, event_id, ExclusiveEvent.RsvpAccepted)
    assert [(e.customer_id, e.tier, e.guest.subject_id) for e in accepted] == [(ada, "silver", ada)]


def test_a_second_rsvp_of_the_same_member_writes_nothing(ledger: Ledger) -> None:
    """RSVPing twice (a retry) keeps the one seat."""
    event_id = schedule(ledger)
    ada = member(ledger, "ada@example.org")
    rsvp(ledger, event_id, ada)
    rsvp(ledger, event_id, ada)
    assert len(events_of(ledger, event_id, ExclusiveEvent.RsvpAccepted)) == 1


def test_a_member_of_another_tier_is_refused(ledger: Ledger) -> None:
    """A bronze member is refused TIER_NOT_INVITED by a silver-and-gold event."""
    event_id = schedule(ledger)
    bob = member(ledger, "bob@example.org", points=0)
    with pytest.raises(TierNotInvitedError):
        rsvp(ledger, event_id, bob)
    assert events_of(ledger, event_id, ExclusiveEvent.RsvpAccepted) == []


def test_a_customer_who_is_not_a_member_is_refused(ledger: Ledger) -> None:
    """A customer without a loyalty account is refused NOT_A_MEMBER."""
    event_id = schedule(ledger)
    cy = ledger.register_customer(RegisterCustomer("Cy", "cy@example.org"), AGENT).aggregate_id
    with pytest.raises(NotAMemberError):
        rsvp(ledger, event_id, cy)


def test_an_rsvp_beyond_the_capacity_is_refused(ledger: Ledger) -> None:
    """The third member for two seats is refused EVENT_FULL; a cancelled RSVP frees a seat."""
    event_id = schedule(ledger, capacity=2)
    ada, bob, cy = (member(ledger, f"{n}@example.org") for n in ("ada", "bob", "cy"))
    rsvp(ledger, event_id, ada)
    rsvp(ledger, event_id, bob)
    with pytest.raises(EventFullError):
        rsvp(ledger, event_id, cy)
    ledger.cancel_rsvp(CancelRsvp(event_id, ada), AGENT)
    rsvp(ledger, event_id, cy)
    assert ledger.get_exclusive_event(event_id).guests == [str(bob), str(cy)]


def test_capacity_may_not_go_below_the_seats_taken(ledger: Ledger) -> None:
    """Changing the capacity to fewer than the accepted RSVPs is CAPACITY_BELOW_GUESTS."""
    event_id = schedule(ledger, capacity=2)
    rsvp(ledger, event_id, member(ledger, "ada@example.org"))
    rsvp(ledger, event_id, member(ledger, "bob@example.org"))
    with pytest.raises(CapacityBelowGuestsError):
        ledger.change_event(ChangeEvent(event_id, details(capacity=1)), ADMIN)


def test_attendance_awards_the_points_once(ledger: Ledger) -> None:
    """Recording attendance twice awards the event's points once, in the same commit as the
    attendance."""
    event_id = schedule(ledger, points=250)
    ada = member(ledger, "ada@example.org")
    rsvp(ledger, event_id, ada)
    now = datetime.now(UTC)
    balance = ledger.get_loyalty_account(ada).balance(now)
    ledger.record_attendance(RecordAttendance(event_id, ada), AGENT)
    ledger.record_attendance(RecordAttendance(event_id, ada), AGENT)
    assert ledger.get_loyalty_account(ada).balance(now + timedelta(seconds=5)) == balance + 250
    assert len(events_of(ledger, event_id, ExclusiveEvent.AttendanceRecorded)) == 1
    assert f"event:{event_id}" in ledger.get_loyalty_account(ada).awards


def test_attendance_needs_an_rsvp(ledger: Ledger) -> None:
    """A member without a seat is NOT_ON_GUEST_LIST, and earns nothing."""
    event_id = schedule(ledger)
    ada = member(ledger, "ada@example.org")
    with pytest.raises(NotOnGuestListError):
        ledger.record_attendance(RecordAttendance(event_id, ada), AGENT)
    assert f"event:{event_id}" not in ledger.get_loyalty_account(ada).awards


def test_a_cancelled_event_takes_no_rsvp(ledger: Ledger) -> None:
    """After cancellation an RSVP is EVENT_CANCELLED."""
    event_id = schedule(ledger)
    ledger.cancel_event(CancelEvent(event_id, "venue flooded"), ADMIN)
    with pytest.raises(EventCancelledError):
        rsvp(ledger, event_id, member(ledger, "ada@example.org"))


def test_rsvps_close_when_the_event_starts(ledger: Ledger) -> None:
    """An RSVP at or after the start is EVENT_ALREADY_STARTED."""
    event_id = schedule(ledger)
    ada = member(ledger, "ada@example.org")
    with pytest.raises(EventAlreadyStartedError):
        ledger.rsvp_to_event(RsvpToEvent(event_id, ada, now=STARTS), AGENT)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": MAX_CAPACITY + 1}, "capacity"),
        ({"invited_tiers": ()}, "invitedTiers"),
        ({"points_for_attending": -1}, "pointsForAttending"),
        ({"title": " "}, "title"),
        ({"ends_at": STARTS}, "endsAt"),
        ({"starts_at": STARTS.replace(tzinfo=None)}, "startsAt"),
    ],
)
def test_details_out_of_bounds_are_refused(change: dict[str, object], field: str) -> None:
    """Each bound of an event's details refuses with INVALID_INPUT naming its field."""
    given: dict[str, object] = {
        "title": "Tasting",
        "description": "",
        "starts_at": STARTS,
        "ends_at": STARTS + timedelta(hours=1),
        "place": "Torino",
        "capacity": 10,
        "invited_tiers": (Tier.GOLD,),
        "points_for_attending": 0,
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        EventDetails.checked(**given)  # type: ignore[arg-type]  # a dict of mixed values
    assert refused.value.field == field


def test_an_erased_customer_cannot_rsvp(ledger: Ledger) -> None:
    """After erasure the member's name is gone: their RSVP is refused NOT_A_MEMBER, not
    written with an empty name."""
    event_id = schedule(ledger)
    ada = member(ledger, "ada@example.org")
    officer = EventMetadata(actor_id="dpo", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
    ledger.request_erasure(ada, None, ErasureReason.CUSTOMER_REQUEST, 0, officer)
    ledger.complete_erasure(ada, officer)
    with pytest.raises(NotAMemberError):
        rsvp(ledger, event_id, ada)
