"""Typed reads of the exclusive events read model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, sql
from psycopg.rows import class_row

from projections.exclusive_events.views import ExclusiveEventView, RsvpView
from projections.paging import SeqPage, seq_page

_UPCOMING = sql.SQL(
    "SELECT * FROM exclusive_events WHERE ends_at > %(now)s AND cancelled_at IS NULL"
    " AND (%(tiers)s::text[] IS NULL OR invited_tiers && %(tiers)s::text[])"
    " AND {bound} ORDER BY starts_at {order}, seq {order} LIMIT %(limit)s"
)
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
SEQ_SPAN = 10**15
"""An upcoming event's place in the list packs (start, log position) into one number:
microseconds from the year 1 times SEQ_SPAN, plus the position."""
_GUESTS = sql.SQL(
    "SELECT * FROM exclusive_event_rsvps WHERE event_id = %(event)s AND {seq_bound}"
    " ORDER BY {order} LIMIT %(limit)s"
)


def upcoming_place(view: ExclusiveEventView) -> int:
    """The event's place in :func:`upcoming_events`: soonest first, then first scheduled."""
    since = view.starts_at - _EPOCH
    micros = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
    return micros * SEQ_SPAN + view.seq


async def upcoming_events(
    conn: AsyncConnection[Any],
    now: datetime,
    tiers: list[str] | None,
    size: int,
    cursor: int | None,
    *,
    backward: bool = False,
) -> SeqPage[ExclusiveEventView]:
    """Events not over and not cancelled, the soonest first (two starting together: the first
    scheduled first), ``size`` after the place ``cursor`` (see :func:`upcoming_place`), or
    the ``size`` just before it; ``tiers`` (None: any) keeps those inviting one of them."""
    bound, order = sql.SQL("TRUE"), sql.SQL("DESC" if backward else "ASC")
    params: dict[str, Any] = {"now": now, "tiers": tiers, "limit": size + 1}
    if cursor is not None:
        micros, seq = divmod(cursor, SEQ_SPAN)
        params |= {"start": _EPOCH + timedelta(microseconds=micros), "seq": seq}
        comparison = "<" if backward else ">"
        bound = sql.SQL(f"(starts_at, seq) {comparison} (%(start)s, %(seq)s)")
    query = _UPCOMING.format(bound=bound, order=order)
    async with conn.cursor(row_factory=class_row(ExclusiveEventView)) as cur:
        await cur.execute(query, params)
        rows = await cur.fetchall()
    items = rows[:size]
    return SeqPage(items[::-1] if backward else items, has_next_page=len(rows) > size)


async def event_view(conn: AsyncConnection[Any], event_id: UUID) -> ExclusiveEventView | None:
    async with conn.cursor(row_factory=class_row(ExclusiveEventView)) as cur:
        await cur.execute("SELECT * FROM exclusive_events WHERE event_id = %s", (event_id,))
        return await cur.fetchone()


async def guests_of(
    conn: AsyncConnection[Any], event_id: UUID, size: int, cursor: int | None, *, backward: bool
) -> SeqPage[RsvpView]:
    """The guest list, in RSVP order."""
    return await seq_page(
        conn, RsvpView, _GUESTS, {"event": event_id}, size, cursor, backward=backward
    )


async def rsvp_of(conn: AsyncConnection[Any], event_id: UUID, customer_id: UUID) -> RsvpView | None:
    async with conn.cursor(row_factory=class_row(RsvpView)) as cur:
        await cur.execute(
            "SELECT * FROM exclusive_event_rsvps WHERE event_id = %s AND customer_id = %s",
            (event_id, customer_id),
        )
        return await cur.fetchone()
