"""The newest comments under a dashboard filter, with their score and sentiment: personal
data (the words are the respondent's), so only roles that read comments in the Customer 360
may be shown them, and an erased comment (its text set to NULL) is never listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row

from projections.surveys.filters import condition
from projections.surveys.views import DashboardFilter

MAX_RECENT_COMMENTS = 100


@dataclass(frozen=True, slots=True)
class RecentComment:
    responded_at: datetime
    kind: str
    score: int
    nps_category: str | None
    comment: str
    sentiment: float | None


async def recent_comments(
    conn: AsyncConnection[Any], f: DashboardFilter, limit: int
) -> list[RecentComment]:
    """Up to ``limit`` (1 to 100) readable comments under ``f``, newest first (through the
    responses' time indexes)."""
    if not 1 <= limit <= MAX_RECENT_COMMENTS:
        raise ValueError(f"limit must be 1 to {MAX_RECENT_COMMENTS}")
    where, params = condition(f, "responses")
    async with conn.cursor(row_factory=class_row(RecentComment)) as cur:
        await cur.execute(
            "SELECT r.responded_at, r.kind, r.score, r.nps_category, c.comment, c.sentiment"
            " FROM survey_responses r JOIN survey_comments c USING (response_id)"
            f" WHERE c.comment IS NOT NULL AND {where}"
            " ORDER BY r.responded_at DESC, r.seq DESC LIMIT %(limit)s",
            {**params, "limit": limit},
        )
        return await cur.fetchall()
