"""Typed reads of testimonials: those of one status, listed only while their author's
testimonial consent is given, in the order they were answered (paged by log position)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True, slots=True)
class TestimonialView:
    response_id: UUID
    seq: int
    first_name: str | None
    region: str | None
    score: int
    comment: str
    responded_at: datetime
    status: str
    reviewed_at: datetime | None
    version: int


@dataclass(frozen=True, slots=True)
class TestimonialPage:
    items: list[TestimonialView]
    has_next_page: bool


_LISTED = """
    SELECT t.response_id, t.seq, a.first_name, a.region, t.score, t.comment, t.responded_at,
        t.status, t.reviewed_at, t.version
    FROM testimonials t JOIN testimonial_authors a USING (customer_id)
    WHERE a.consent AND t.status = %(status)s
"""


async def testimonials_page(
    conn: AsyncConnection[Any], status: str, size: int, cursor: int | None, backward: bool
) -> TestimonialPage:
    if backward:
        bound = "" if cursor is None else " AND t.seq < %(cursor)s"
        query = _LISTED + bound + " ORDER BY t.seq DESC LIMIT %(limit)s"
    else:
        query = _LISTED + " AND t.seq > %(cursor)s ORDER BY t.seq LIMIT %(limit)s"
    async with conn.cursor(row_factory=class_row(TestimonialView)) as cur:
        await cur.execute(query, {"status": status, "cursor": cursor or 0, "limit": size + 1})
        rows = await cur.fetchall()
    items = rows[:size][::-1] if backward else rows[:size]
    return TestimonialPage(items, len(rows) > size)
