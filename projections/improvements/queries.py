"""What the dashboard shows of improvements: each announcement, how many were told, and the
NPS of its audience's answers before and after it.

Small groups (see :mod:`projections.surveys.small_groups`): each side's NPS is shown only when
its answers come from at least ``min_group_size`` distinct people; else it is suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row

from projections.surveys.small_groups import SUPPRESSED_NPS, too_small
from projections.surveys.stats import NpsCounts, margin_of_error, nps
from projections.surveys.views import NpsFigures


@dataclass(frozen=True, slots=True)
class ImprovementView:
    """One announcement, with the NPS of its audience before and after it."""

    improvement_id: UUID
    seq: int
    topic_kind: str
    topic: str
    product_version: str
    message: str
    announced_at: datetime
    audience_size: int
    notified: int
    before: NpsFigures
    after: NpsFigures


@dataclass(frozen=True, slots=True)
class ImprovementPage:
    items: list[ImprovementView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class _Row:
    improvement_id: UUID
    seq: int
    topic_kind: str
    topic: str
    product_version: str
    message: str
    announced_at: datetime
    audience_size: int
    notified: int
    before_promoters: int
    before_passives: int
    before_detractors: int
    before_people: int
    after_promoters: int
    after_passives: int
    after_detractors: int
    after_people: int

    def view(self, min_group_size: int) -> ImprovementView:
        before = NpsCounts(self.before_promoters, self.before_passives, self.before_detractors)
        after = NpsCounts(self.after_promoters, self.after_passives, self.after_detractors)
        return ImprovementView(
            improvement_id=self.improvement_id,
            seq=self.seq,
            topic_kind=self.topic_kind,
            topic=self.topic,
            product_version=self.product_version,
            message=self.message,
            announced_at=self.announced_at,
            audience_size=self.audience_size,
            notified=self.notified,
            before=_figures(before, self.before_people, min_group_size),
            after=_figures(after, self.after_people, min_group_size),
        )


def _figures(counts: NpsCounts, people: int, min_group_size: int) -> NpsFigures:
    if too_small(people, min_group_size):
        return SUPPRESSED_NPS
    return NpsFigures(
        counts.n,
        counts.promoters,
        counts.passives,
        counts.detractors,
        nps(counts),
        margin_of_error(counts),
    )


# {where} and {order} are this module's own fragments, never input. The answers of the
# audience split at the announcement: before it, and at or after it.
_IMPROVEMENTS = """
    SELECT a.improvement_id, a.seq, a.topic_kind, a.topic, a.product_version, a.message,
        a.announced_at, a.audience_size,
        (SELECT count(*) FROM improvement_notices n
            WHERE n.improvement_id = a.improvement_id)::int AS notified,
        coalesce(s.before_promoters, 0) AS before_promoters,
        coalesce(s.before_passives, 0) AS before_passives,
        coalesce(s.before_detractors, 0) AS before_detractors,
        coalesce(s.before_people, 0) AS before_people,
        coalesce(s.after_promoters, 0) AS after_promoters,
        coalesce(s.after_passives, 0) AS after_passives,
        coalesce(s.after_detractors, 0) AS after_detractors,
        coalesce(s.after_people, 0) AS after_people
    FROM improvement_announcements a
    LEFT JOIN LATERAL (
        SELECT
            count(*) FILTER (WHERE early AND r.nps_category = 'promoter')::int
                AS before_promoters,
            count(*) FILTER (WHERE early AND r.nps_category = 'passive')::int AS before_passives,
            count(*) FILTER (WHERE early AND r.nps_category = 'detractor')::int
                AS before_detractors,
            count(DISTINCT r.customer_id) FILTER (WHERE early)::int AS before_people,
            count(*) FILTER (WHERE NOT early AND r.nps_category = 'promoter')::int
                AS after_promoters,
            count(*) FILTER (WHERE NOT early AND r.nps_category = 'passive')::int
                AS after_passives,
            count(*) FILTER (WHERE NOT early AND r.nps_category = 'detractor')::int
                AS after_detractors,
            count(DISTINCT r.customer_id) FILTER (WHERE NOT early)::int AS after_people
        FROM improvement_audience au
            JOIN improvement_nps_answers r USING (customer_id),
            LATERAL (SELECT r.responded_at < a.announced_at AS early) AS side
        WHERE au.improvement_id = a.improvement_id
    ) AS s ON TRUE
    WHERE {where}
    ORDER BY a.seq {order}
    LIMIT %(limit)s
"""


async def _rows(
    conn: AsyncConnection[Any], where: str, order: str, params: dict[str, Any]
) -> list[_Row]:
    async with conn.cursor(row_factory=class_row(_Row)) as cur:
        await cur.execute(_IMPROVEMENTS.format(where=where, order=order), params)
        return await cur.fetchall()


async def improvement_by_id(
    conn: AsyncConnection[Any], improvement_id: UUID, *, min_group_size: int
) -> ImprovementView | None:
    rows = await _rows(conn, "a.improvement_id = %(id)s", "", {"id": improvement_id, "limit": 1})
    return rows[0].view(min_group_size) if rows else None


async def improvements_page(
    conn: AsyncConnection[Any], first: int, after: int, *, min_group_size: int
) -> ImprovementPage:
    """Announcements in the order they were made, after the one at ``after`` (0: the first)."""
    rows = await _rows(conn, "a.seq > %(after)s", "", {"after": after, "limit": first + 1})
    return ImprovementPage([r.view(min_group_size) for r in rows[:first]], len(rows) > first)


async def improvements_page_before(
    conn: AsyncConnection[Any], last: int, before: int | None, *, min_group_size: int
) -> ImprovementPage:
    """The ``last`` announcements made just before the one at ``before`` (None: the latest),
    in the order they were made; ``has_next_page``: more precede them."""
    where = "TRUE" if before is None else "a.seq < %(before)s"
    rows = await _rows(conn, where, "DESC", {"before": before, "limit": last + 1})
    items = [r.view(min_group_size) for r in rows[:last][::-1]]
    return ImprovementPage(items, len(rows) > last)
