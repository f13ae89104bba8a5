"""Parked events: those a read model or process manager could not apply after its bounded
retries, kept with where and why, so that the rest of the log goes on and an operator can
replay them once the cause is fixed.

A runner parks an event in the same transaction as its tracking position, so every event is
either applied or parked, exactly once. A rebuild parks under :func:`rebuild_name` and swaps
those rows in with its tables. The table is made by migration ``010_parked_events.sql``; the
error text stored here is already redacted by the caller (never payload or personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection

REBUILD_PREFIX = "rebuild:"

_PARK = """
    INSERT INTO cxl_parked_events (name, position, topic, error_class, error_message, attempts)
    VALUES (%s, %s, %s, %s, %s, %s)
    ON CONFLICT (name, position) DO UPDATE SET error_class = excluded.error_class,
        error_message = excluded.error_message,
        attempts = cxl_parked_events.attempts + excluded.attempts,
        last_failed_at = excluded.last_failed_at
"""

_SELECT = """
    SELECT name, position, topic, error_class, error_message, attempts, first_failed_at,
        last_failed_at
    FROM cxl_parked_events
"""


@dataclass(frozen=True, slots=True)
class ParkedEvent:
    """One parked event: whose, where in the log, what failed, how often, and when."""

    name: str
    position: int
    topic: str
    error_class: str
    error_message: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "position": self.position,
            "topic": self.topic,
            "error": f"{self.error_class}: {self.error_message}",
            "attempts": self.attempts,
            "first_failed_at": self.first_failed_at.isoformat(),
            "last_failed_at": self.last_failed_at.isoformat(),
        }


def rebuild_name(name: str) -> str:
    """Where a rebuild of ``name`` parks until its tables are swapped in."""
    return REBUILD_PREFIX + name


def park_event(
    conn: Connection[Any],
    name: str,
    position: int,
    topic: str,
    error: tuple[str, str],
    attempts: int,
) -> None:
    """Park (or park again, adding the attempts) the event at ``position`` for ``name``;
    ``error`` is (class, redacted message)."""
    conn.execute(_PARK, (name, position, topic, error[0], error[1], attempts))


def note_failed_retry(
    conn: Connection[Any], name: str, position: int, error: tuple[str, str]
) -> None:
    """A replay of a parked event failed again: count it and keep the latest error."""
    conn.execute(
        "UPDATE cxl_parked_events SET attempts = attempts + 1, error_class = %s,"
        " error_message = %s, last_failed_at = now() WHERE name = %s AND position = %s",
        (error[0], error[1], name, position),
    )


def unpark(conn: Connection[Any], name: str, position: int) -> None:
    conn.execute(
        "DELETE FROM cxl_parked_events WHERE name = %s AND position = %s", (name, position)
    )


def clear_parked(conn: Connection[Any], name: str) -> None:
    """Forget ``name``'s parked events: its read model is being built again from the log."""
    conn.execute("DELETE FROM cxl_parked_events WHERE name = %s", (name,))


def promote_rebuilt(conn: Connection[Any], name: str) -> None:
    """At a rebuild's swap: the rebuilt read model's parked events replace the old ones."""
    clear_parked(conn, name)
    conn.execute(
        "UPDATE cxl_parked_events SET name = %s WHERE name = %s", (name, rebuild_name(name))
    )


def parked_events(conn: Connection[Any], name: str | None = None) -> list[ParkedEvent]:
    """Parked events in log order, of ``name`` or of everyone."""
    where = "WHERE name = %s" if name is not None else ""
    params = (name,) if name is not None else ()
    rows = conn.execute(f"{_SELECT} {where} ORDER BY name, position", params).fetchall()
    return [ParkedEvent(*row) for row in rows]


def parked_counts(conn: Connection[Any]) -> dict[str, int]:
    rows = conn.execute("SELECT name, count(*) FROM cxl_parked_events GROUP BY name").fetchall()
    return {str(name): int(count) for name, count in rows}


async def parked_counts_async(conn: AsyncConnection[Any]) -> dict[str, int]:
    cur = await conn.execute("SELECT name, count(*) FROM cxl_parked_events GROUP BY name")
    return {str(name): int(count) for name, count in await cur.fetchall()}
