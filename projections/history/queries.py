"""Reads of the customer history index: a customer's events in log order (cursor: the log
position), the streams about them, and the version each had reached at an instant; and the
stored events at given positions of the log."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from psycopg import AsyncConnection
from psycopg.rows import class_row

from projections.history.views import HistoryEntry, HistoryPage, StreamRef, StreamVersion

MAX_PAGE = 500
_NO_POSITION = 2**63 - 1
"""Above every log position: a backward page without a cursor starts at the latest."""
_COLUMNS = """position, stream_id, stream_version, topic, event_type, occurred_at, actor_id,
    actor_role, channel, correlation_id, causation_id"""


def page_statement(
    customer_id: UUID,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    after: int,
    *,
    backward: bool = False,
) -> tuple[str, dict[str, Any]]:
    """The SQL of a history page (one customer, in log order, by the primary key); with
    ``backward``, the events just before position ``after`` (0: the latest), newest first."""
    bound, order = ("position < %(after)s", "DESC") if backward else ("position > %(after)s", "")
    statement = f"""
        SELECT {_COLUMNS} FROM customer_history
        WHERE customer_id = %(customer)s AND {bound}
          AND (%(since)s::timestamptz IS NULL OR occurred_at >= %(since)s)
          AND (%(until)s::timestamptz IS NULL OR occurred_at < %(until)s)
        ORDER BY position {order} LIMIT %(limit)s
    """
    params = {
        "customer": customer_id,
        "after": (after or _NO_POSITION) if backward else after,
        "since": since,
        "until": until,
        "limit": limit,
    }
    return statement, params


async def history_page(
    conn: AsyncConnection[Any],
    customer_id: UUID,
    since: datetime | None,
    until: datetime | None,
    first: int,
    after_position: int | None = None,
) -> HistoryPage:
    """The customer's events with time in [since, until), oldest first: ``first`` of those
    after ``after_position`` (the last position of the previous page; None for the first)."""
    limit = max(0, min(first, MAX_PAGE))
    statement, params = page_statement(customer_id, since, until, limit + 1, after_position or 0)
    async with conn.cursor(row_factory=class_row(HistoryEntry)) as cursor:
        await cursor.execute(statement, params)
        rows = await cursor.fetchall()
    return HistoryPage(items=rows[:limit], has_next_page=len(rows) > limit)


async def history_page_before(
    conn: AsyncConnection[Any],
    customer_id: UUID,
    since: datetime | None,
    until: datetime | None,
    last: int,
    before_position: int | None,
) -> HistoryPage:
    """The ``last`` events with time in [since, until) just before ``before_position``
    (None: the latest), oldest first like the list; ``has_next_page`` says whether more
    precede them (the page was read backward)."""
    limit = max(0, min(last, MAX_PAGE))
    statement, params = page_statement(
        customer_id, since, until, limit + 1, before_position or 0, backward=True
    )
    async with conn.cursor(row_factory=class_row(HistoryEntry)) as cursor:
        await cursor.execute(statement, params)
        rows = await cursor.fetchall()
    return HistoryPage(items=rows[:limit][::-1], has_next_page=len(rows) > limit)


async def streams_of(conn: AsyncConnection[Any], customer_id: UUID) -> list[StreamRef]:
    """The streams about the customer, in the order they began."""
    async with conn.cursor(row_factory=class_row(StreamRef)) as cursor:
        await cursor.execute(
            "SELECT stream_id, kind, first_position FROM customer_history_streams"
            " WHERE customer_id = %s ORDER BY first_position, stream_id",
            (customer_id,),
        )
        return await cursor.fetchall()


async def stream_versions_at(
    conn: AsyncConnection[Any], customer_id: UUID, at: datetime
) -> list[StreamVersion]:
    """For each stream about the customer that existed at ``at``: the last version whose
    event time is at or before ``at``, in the order the streams began."""
    async with conn.cursor(row_factory=class_row(StreamVersion)) as cursor:
        await cursor.execute(
            """
            SELECT s.stream_id, s.kind, max(h.stream_version) AS version
            FROM customer_history_streams s
            JOIN customer_history h
              ON h.customer_id = s.customer_id AND h.stream_id = s.stream_id
            WHERE s.customer_id = %(customer)s AND h.occurred_at <= %(at)s
            GROUP BY s.stream_id, s.kind, s.first_position
            ORDER BY s.first_position, s.stream_id
            """,
            {"customer": customer_id, "at": at},
        )
        return await cursor.fetchall()


async def stored_events(conn: AsyncConnection[Any], positions: list[int]) -> list[Notification]:
    """The stored (still sealed) events at ``positions`` of the log, in log order: a history
    page reads its events' payloads from the log itself, never from a read model."""
    cursor = await conn.execute(
        "SELECT notification_id, originator_id, originator_version, topic, state"
        " FROM ledger_events WHERE notification_id = ANY(%b::bigint[]) ORDER BY notification_id",
        (positions,),
    )
    return [
        Notification(
            id=position, originator_id=stream, originator_version=version, topic=topic,
            state=bytes(state),
        )
        for position, stream, version, topic, state in await cursor.fetchall()
    ]  # fmt: skip
