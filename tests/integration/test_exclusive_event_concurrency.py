"""Exclusive events under contention, on a real PostgreSQL event store: the points for
attending are awarded exactly once however many staff record the attendance at once, and an
award that cannot be written leaves no attendance behind (one commit for both)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.exclusive_event.commands import RecordAttendance, RsvpToEvent, ScheduleEvent
from domain.exclusive_event.model import ExclusiveEvent
from domain.exclusive_event.values import EventDetails
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.values import Tier
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.events import events_of

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
STARTS = datetime.now(UTC) + timedelta(days=3)


def event_with_guest(ledger: Ledger, points: int = 300) -> tuple[UUID, UUID]:
    details = EventDetails.checked(
        title="Tasting", description="", starts_at=STARTS, ends_at=STARTS + timedelta(hours=2),
        place="Torino", capacity=10, invited_tiers=list(Tier), points_for_attending=points,
    )  # fmt: skip
    event = ledger.schedule_event(ScheduleEvent(details), ADMIN).aggregate_id
    command = RegisterCustomer("Gia Guest", "gia@example.org")
    guest = ledger.register_customer(command, AGENT).aggregate_id
    ledger.enrol_in_loyalty(guest, AGENT)
    ledger.rsvp_to_event(RsvpToEvent(event, guest), AGENT)
    return event, guest


def test_attendance_recorded_by_many_at_once_awards_the_points_once(ledger: Ledger) -> None:
    """Twelve simultaneous recordAttendance for one guest: every one succeeds, one attendance
    and one award of 300 points are written."""
    event, guest = event_with_guest(ledger)

    def record(_: int) -> str:
        try:
            ledger.record_attendance(RecordAttendance(event, guest), AGENT)
        except DomainError as refusal:
            return refusal.code
        return "ok"

    with ThreadPoolExecutor(12) as pool:
        outcomes = Counter(pool.map(record, range(12)))

    assert outcomes == Counter({"ok": 12})
    assert len(events_of(ledger, event, ExclusiveEvent.AttendanceRecorded)) == 1
    account = LoyaltyAccount.id_for(guest)
    awards = events_of(ledger, account, LoyaltyAccount.PointsEarned)
    assert [e.points for e in awards] == [300]


def test_an_award_that_fails_to_commit_leaves_no_attendance(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attendance and its points are one commit: when writing them fails (as a crash
    would), neither is in the log, and recording again afterwards writes both once."""
    event, guest = event_with_guest(ledger)
    save = ledger.save

    def crash(*aggregates: object, **kwargs: object) -> object:
        raise ConnectionError("the database went away mid-commit")

    monkeypatch.setattr(ledger, "save", crash)
    with pytest.raises(ConnectionError):
        ledger.record_attendance(RecordAttendance(event, guest), AGENT)
    monkeypatch.setattr(ledger, "save", save)

    assert events_of(ledger, event, ExclusiveEvent.AttendanceRecorded) == []
    assert events_of(ledger, LoyaltyAccount.id_for(guest), LoyaltyAccount.PointsEarned) == []
    ledger.record_attendance(RecordAttendance(event, guest), AGENT)
    assert len(events_of(ledger, event, ExclusiveEvent.AttendanceRecorded)) == 1
    assert len(events_of(ledger, LoyaltyAccount.id_for(guest), LoyaltyAccount.PointsEarned)) == 1
