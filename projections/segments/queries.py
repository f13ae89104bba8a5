"""Typed reads of the segment membership read model: segments, their current members and
members at a past instant (both paged by the stay's id), sizes over time, a preview of an
unsaved rule over the current facts, and a customer's RFM scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, sql
from psycopg.rows import class_row

from domain.segment.rules import Rule
from projections.segments.predicates import condition


@dataclass(frozen=True, slots=True)
class SegmentView:
    segment_id: UUID
    seq: int
    name: str
    description: str
    rule: dict[str, Any]
    defined_at: datetime
    rule_changed_at: datetime | None
    archived_at: datetime | None
    version: int


@dataclass(frozen=True, slots=True)
class SegmentPage:
    items: list[SegmentView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class MemberView:
    """One stay of a customer in a segment: when and why they entered (and left, if so)."""

    membership_id: int
    customer_id: UUID
    entered_at: datetime
    entered_reason: str
    left_at: datetime | None
    left_reason: str | None


@dataclass(frozen=True, slots=True)
class MemberPage:
    items: list[MemberView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class RfmView:
    recency: int
    frequency: int
    monetary: int


_SEGMENT = (
    "SELECT segment_id, seq, name, description, rule, defined_at, rule_changed_at,"
    " archived_at, version FROM segment_definitions"
)
_MEMBER = (
    "SELECT membership_id, customer_id, entered_at, entered_reason, left_at, left_reason"
    " FROM segment_memberships"
)


async def segment_by_id(conn: AsyncConnection[Any], segment_id: UUID) -> SegmentView | None:
    async with conn.cursor(row_factory=class_row(SegmentView)) as cur:
        await cur.execute(_SEGMENT + " WHERE segment_id = %s", (segment_id,))
        return await cur.fetchone()


async def segments_page(
    conn: AsyncConnection[Any], size: int, cursor: int | None, backward: bool
) -> SegmentPage:
    """Segments in the order they were defined: ``size`` after ``cursor`` (a seq), or, going
    backward, the ``size`` just before it (None: the last ones), still in that order."""
    if backward:
        bound = "" if cursor is None else " WHERE seq < %(cursor)s"
        query = _SEGMENT + bound + " ORDER BY seq DESC LIMIT %(limit)s"
    else:
        query = _SEGMENT + " WHERE seq > %(cursor)s ORDER BY seq LIMIT %(limit)s"
    async with conn.cursor(row_factory=class_row(SegmentView)) as cur:
        await cur.execute(query, {"cursor": cursor or 0, "limit": size + 1})
        rows = await cur.fetchall()
    items = rows[:size][::-1] if backward else rows[:size]
    return SegmentPage(items, len(rows) > size)


async def segment_size(conn: AsyncConnection[Any], segment_id: UUID) -> int:
    row = await (
        await conn.execute(
            "SELECT count(*) FROM segment_memberships WHERE segment_id = %s AND left_at IS NULL",
            (segment_id,),
        )
    ).fetchone()
    return int(row[0]) if row else 0


async def members_page(
    conn: AsyncConnection[Any],
    segment_id: UUID,
    size: int,
    cursor: int | None,
    backward: bool,
    at: datetime | None = None,
) -> MemberPage:
    """The customers in the segment now (``at`` None) or at ``at``, by stay id, paged like
    :func:`segments_page`. Erased customers' stays have no id and are never listed."""
    if at is None:
        when = sql.SQL("left_at IS NULL")
    else:
        when = sql.SQL("entered_at <= %(at)s AND (left_at IS NULL OR left_at > %(at)s)")
    if backward:
        bound = sql.SQL("TRUE" if cursor is None else "membership_id < %(cursor)s")
        order = sql.SQL("membership_id DESC")
    else:
        bound, order = sql.SQL("membership_id > %(cursor)s"), sql.SQL("membership_id")
    query = sql.SQL(
        _MEMBER + " WHERE segment_id = %(segment)s AND customer_id IS NOT NULL AND {when}"
        " AND {bound} ORDER BY {order} LIMIT %(limit)s"
    ).format(when=when, bound=bound, order=order)
    params = {"segment": segment_id, "at": at, "cursor": cursor or 0, "limit": size + 1}
    async with conn.cursor(row_factory=class_row(MemberView)) as cur:
        await cur.execute(query, params)
        rows = await cur.fetchall()
    items = rows[:size][::-1] if backward else rows[:size]
    return MemberPage(items, len(rows) > size)


async def size_trend(
    conn: AsyncConnection[Any], segment_id: UUID, start: datetime, end: datetime, step: str
) -> list[tuple[datetime, int]]:
    """The segment's size at ``start`` and every ``step`` (a PostgreSQL interval) up to
    ``end``, erased customers' stays included (they count, anonymously)."""
    cur = await conn.execute(
        """
        SELECT p.at, (
            SELECT count(*) FROM segment_memberships m
            WHERE m.segment_id = %(segment)s AND m.entered_at <= p.at
              AND (m.left_at IS NULL OR m.left_at > p.at))
        FROM generate_series(%(start)s::timestamptz, %(end)s::timestamptz,
                             %(step)s::interval) AS p(at)
        ORDER BY p.at
        """,
        {"segment": segment_id, "start": start, "end": end, "step": step},
    )
    return [(at, int(count)) for at, count in await cur.fetchall()]


async def preview(
    conn: AsyncConnection[Any], rule: Rule, sample_size: int
) -> tuple[int, list[UUID]]:
    """How many customers ``rule`` takes in now, and the first ``sample_size`` of them (by
    id), from the current facts; nothing is written."""
    where = condition(rule)
    count = await (
        await conn.execute(sql.SQL("SELECT count(*) FROM segment_facts WHERE {}").format(where))
    ).fetchone()
    sample = await (
        await conn.execute(
            sql.SQL(
                "SELECT customer_id FROM segment_facts WHERE {} ORDER BY customer_id LIMIT %s"
            ).format(where),
            (sample_size,),
        )
    ).fetchall()
    return (int(count[0]) if count else 0), [row[0] for row in sample]


@dataclass(frozen=True, slots=True)
class _RfmRow:
    customer_id: UUID
    recency: int
    frequency: int
    monetary: int


async def rfm_views(
    conn: AsyncConnection[Any], customer_ids: Sequence[UUID]
) -> dict[UUID, RfmView]:
    """The RFM quintiles of those of ``customer_ids`` who have bought and been ranked, in one
    read (Customer 360's loader)."""
    async with conn.cursor(row_factory=class_row(_RfmRow)) as cur:
        await cur.execute(
            "SELECT customer_id, recency, frequency, monetary FROM segment_facts"
            " WHERE customer_id = ANY(%s) AND recency IS NOT NULL",
            (list(customer_ids),),
        )
        rows = await cur.fetchall()
    return {row.customer_id: RfmView(row.recency, row.frequency, row.monetary) for row in rows}
