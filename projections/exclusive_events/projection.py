"""Events -> the exclusive events read model: each event, its seats, and its guest list.

Every write is keyed or recounted, so applying an event a second time leaves the same rows.
"""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.exclusive_event.model import ExclusiveEvent
from domain.privacy.erasure import ErasureRequest
from projections.base import Projection, handles
from projections.erasure import erased_subjects
from projections.exclusive_events.schema import DDL, TABLES

_DETAILS = (
    "title = %(title)s, description = %(description)s, starts_at = %(starts_at)s,"
    " ends_at = %(ends_at)s, place = %(place)s, capacity = %(capacity)s,"
    " invited_tiers = %(invited_tiers)s, points_for_attending = %(points)s"
)


def _details(event: ExclusiveEvent.Scheduled | ExclusiveEvent.Changed) -> dict[str, Any]:
    return {
        "id": event.originator_id,
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "capacity": event.capacity,
        "invited_tiers": event.invited_tiers,
        "points": event.points_for_attending,
    }


class ExclusiveEvents(Projection):
    """Scheduled events with their seats taken, and who RSVP'd (names are personal)."""

    name = "exclusive_events"
    tables = TABLES
    ddl = DDL
    erasure_purges = ("exclusive_event_rsvps",)

    @handles(ExclusiveEvent.Scheduled)
    def scheduled(self, cursor: Cursor[Any], event: ExclusiveEvent.Scheduled, seq: int) -> None:
        cursor.execute(
            "INSERT INTO exclusive_events (event_id, seq, title, description, starts_at, ends_at,"
            " place, capacity, invited_tiers, points_for_attending) VALUES (%(id)s, %(seq)s,"
            " %(title)s, %(description)s, %(starts_at)s, %(ends_at)s, %(place)s, %(capacity)s,"
            " %(invited_tiers)s, %(points)s) ON CONFLICT (event_id) DO NOTHING",
            {**_details(event), "seq": seq},
        )

    @handles(ExclusiveEvent.Changed)
    def changed(self, cursor: Cursor[Any], event: ExclusiveEvent.Changed, _: int) -> None:
        cursor.execute(
            f"UPDATE exclusive_events SET {_DETAILS} WHERE event_id = %(id)s",
            _details(event),
        )

    @handles(ExclusiveEvent.Cancelled)
    def cancelled(self, cursor: Cursor[Any], event: ExclusiveEvent.Cancelled, _: int) -> None:
        cursor.execute(
            "UPDATE exclusive_events SET cancelled_at = %s, cancel_reason = %s WHERE event_id = %s",
            (event.timestamp, event.reason, event.originator_id),
        )

    @handles(ExclusiveEvent.RsvpAccepted)
    def rsvp_accepted(
        self, cursor: Cursor[Any], event: ExclusiveEvent.RsvpAccepted, seq: int
    ) -> None:
        cursor.execute(
            "INSERT INTO exclusive_event_rsvps (event_id, customer_id, seq, guest_name, tier,"
            " rsvp_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (event.originator_id, event.customer_id, seq, event.guest.value, event.tier,
             event.timestamp),
        )  # fmt: skip
        _count(cursor, event.originator_id)

    @handles(ExclusiveEvent.RsvpCancelled)
    def rsvp_cancelled(
        self, cursor: Cursor[Any], event: ExclusiveEvent.RsvpCancelled, seq: int
    ) -> None:
        # Only the seat taken before this cancellation: applied again after a new RSVP of
        # the same member, it leaves the new seat.
        cursor.execute(
            "DELETE FROM exclusive_event_rsvps WHERE event_id = %s AND customer_id = %s"
            " AND seq < %s",
            (event.originator_id, event.customer_id, seq),
        )
        _count(cursor, event.originator_id)

    @handles(ExclusiveEvent.AttendanceRecorded)
    def attended(
        self, cursor: Cursor[Any], event: ExclusiveEvent.AttendanceRecorded, _: int
    ) -> None:
        cursor.execute(
            "UPDATE exclusive_event_rsvps SET attended_at = %s, points_awarded = %s"
            " WHERE event_id = %s AND customer_id = %s",
            (event.timestamp, event.points, event.originator_id, event.customer_id),
        )
        _count(cursor, event.originator_id)

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """An erased member's name leaves every guest list; their seat and attendance stay,
        so the seats taken still add up."""
        cursor.execute(
            "UPDATE exclusive_event_rsvps SET guest_name = NULL"
            " WHERE customer_id = ANY(%s) AND guest_name IS NOT NULL",
            (erased_subjects(event),),
        )


def _count(cursor: Cursor[Any], event_id: Any) -> None:
    """Seats taken and attendance counted from the guest list, so applying an event again
    leaves the same figures."""
    cursor.execute(
        "UPDATE exclusive_events e SET seats_taken = c.seats, attended = c.came FROM ("
        " SELECT count(*) AS seats, count(attended_at) AS came FROM exclusive_event_rsvps"
        " WHERE event_id = %(id)s) c WHERE e.event_id = %(id)s",
        {"id": event_id},
    )
