"""A ticket's timeline: one step per event, each with both SLA clocks as of that step."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from projections.tickets.state import sla_from_json
from projections.tickets.views import TimelineEntryView, TimelineKind

_TIMELINE = """
    SELECT seq, ticket_id, version, at, kind, actor_id, actor_role, channel, public, text,
        details, sla
    FROM ticket_timeline
    WHERE ticket_id = %(ticket)s AND (public OR NOT %(public_only)s)
    ORDER BY version
"""


async def timeline(
    conn: AsyncConnection[Any], ticket_id: UUID, public_only: bool
) -> list[TimelineEntryView]:
    """Every step of the ticket in order; only the public ones for ``public_only`` (what the
    customer sees). Empty for an unknown ticket."""
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(_TIMELINE, {"ticket": ticket_id, "public_only": public_only})
        rows = await cursor.fetchall()
    return [
        TimelineEntryView(
            seq=row["seq"],
            ticket_id=row["ticket_id"],
            version=row["version"],
            at=row["at"],
            kind=TimelineKind(row["kind"]),
            actor_id=row["actor_id"],
            actor_role=row["actor_role"],
            channel=row["channel"],
            public=row["public"],
            text=row["text"],
            details=row["details"],
            sla=sla_from_json(row["sla"]),
        )
        for row in rows
    ]
