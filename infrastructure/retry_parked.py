"""Replaying parked events once their cause is fixed (`cxledger retry-parked NAME`).

Each parked event is applied again alone, in log order, in a transaction of its own that holds
the follower's position lock (its live worker waits meanwhile, so the two never write at
once). Applied: the parked row goes in that same transaction. Failed again: the row stays, with
one more attempt and the latest error. The event is applied late, after the events that follow
it: right for handlers keyed by log position or that add up, but a row guarded by the version
it last applied ignores an older event, so where order matters rebuild instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Notification
from psycopg import Connection

from infrastructure.failures import describe, is_transient
from infrastructure.log_follower import LogFollower
from projections.parked import note_failed_retry, parked_events, unpark
from projections.tracking import lock_position


@dataclass
class RetrySummary:
    """What a replay did: the positions applied, and those still parked with their error."""

    name: str
    applied: list[int] = field(default_factory=list)
    still_parked: list[dict[str, object]] = field(default_factory=list)

    @property
    def all_applied(self) -> bool:
        return not self.still_parked

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "applied": self.applied, "still_parked": self.still_parked}


def retry_parked(follower: LogFollower) -> RetrySummary:
    """Apply ``follower``'s parked events again, in position order, each in its own transaction."""
    summary = RetrySummary(follower.name)
    with follower.database.connect() as conn:
        for parked in parked_events(conn, follower.name):
            failure = _retry_one(conn, follower, parked.position)
            if failure is None:
                summary.applied.append(parked.position)
            else:
                error = f"{failure[0]}: {failure[1]}"
                summary.still_parked.append({"position": parked.position, "error": error})
    return summary


def _retry_one(
    conn: Connection[Any], follower: LogFollower, position: int
) -> tuple[str, str] | None:
    """Apply the event at ``position`` and unpark it; on failure, note it and return why."""
    with conn.transaction():
        lock_position(conn, follower.name)
        try:
            with conn.transaction():
                follower.handle(conn, _stored_event(follower, position))
        except Exception as error:
            if is_transient(error):
                raise
            failure = describe(error)
            note_failed_retry(conn, follower.name, position, failure)
            return failure
        unpark(conn, follower.name, position)
    return None


def _stored_event(follower: LogFollower, position: int) -> Notification:
    rows = follower.ledger.recorder.select_notifications(start=position, limit=1, stop=position)
    if not rows or rows[0].id != position:
        raise LookupError("the log holds no event at this position")
    return rows[0]
