"""Reads of the feedback inbox, newest first, for the API (async) and the live feed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from projections.feedback.views import FeedbackFilter, FeedbackRow

_SELECT = """
    SELECT f.seq, f.feedback_id, f.kind, f.topic, f.text, f.email, f.customer_id,
        f.product_version, f.sentiment, f.sentiment_bucket, f.ticket_id, f.submitted_at,
        COALESCE((SELECT array_agg(t.term ORDER BY t.term) FROM feedback_terms t
                  WHERE t.feedback_id = f.feedback_id), '{}') AS themes
    FROM feedback_inbox f
"""


def _where(checked: FeedbackFilter) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("f.kind", checked.kind),
        ("f.topic", checked.topic),
        ("f.sentiment_bucket", checked.sentiment),
    ):
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    if checked.since is not None:
        clauses.append("f.submitted_at >= %s")
        params.append(checked.since)
    if checked.until is not None:
        clauses.append("f.submitted_at < %s")
        params.append(checked.until)
    return clauses, params


@dataclass(frozen=True, slots=True)
class FeedbackPage:
    items: list[FeedbackRow]
    has_next_page: bool
    """More rows lie beyond the page, in the direction it was read."""


async def feedback_page(
    conn: AsyncConnection[Any],
    checked: FeedbackFilter,
    size: int,
    cursor: int | None,
    backward: bool = False,
) -> FeedbackPage:
    """Newest first: the ``size`` rows older than ``cursor`` (forward; None: the newest), or,
    paging backward, the ``size`` rows newer than ``cursor`` nearest to it (None: the oldest),
    still newest first."""
    clauses, params = _where(checked)
    if cursor is not None:
        clauses.append("f.seq > %s" if backward else "f.seq < %s")
        params.append(cursor)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    order = "ASC" if backward else "DESC"
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"{_SELECT} {where} ORDER BY f.seq {order} LIMIT %s", [*params, size + 1])
        rows = [FeedbackRow(**row) for row in await cur.fetchall()]
    items = rows[:size]
    return FeedbackPage(items[::-1] if backward else items, len(rows) > size)


async def feedback_total(conn: AsyncConnection[Any], checked: FeedbackFilter) -> int:
    clauses, params = _where(checked)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    async with conn.cursor() as cur:
        await cur.execute(f"SELECT count(*) FROM feedback_inbox f {where}", params)
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def newest_seq(conn: AsyncConnection[Any]) -> int:
    async with conn.cursor() as cur:
        await cur.execute("SELECT COALESCE(max(seq), 0) FROM feedback_inbox")
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def feedback_since(
    conn: AsyncConnection[Any], checked: FeedbackFilter, seq: int, limit: int = 100
) -> list[FeedbackRow]:
    """Rows after ``seq`` under the filter, oldest first (the live feed's next items)."""
    clauses, params = _where(checked)
    clauses.append("f.seq > %s")
    params.append(seq)
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"{_SELECT} WHERE {' AND '.join(clauses)} ORDER BY f.seq LIMIT %s", [*params, limit]
        )
        return [FeedbackRow(**row) for row in await cur.fetchall()]
