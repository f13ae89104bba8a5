"""What the enhancement priorities answer: themes ranked by how many customers raise them,
then by their NPS impact (the most harmful first), with the decision on each.

Small groups (see :mod:`projections.surveys.small_groups`): a theme is listed only when at
least ``min_group_size`` distinct people raised it (it is their words), and its NPS figures
are shown only when each side's answers come from at least that many people; otherwise they
are null and ``suppressed`` is true (and the theme ranks after those with an impact). The
people without the theme are counted as every respondent less those with it: a lower bound
(someone may have answered both ways), so the rule errs on the side of hiding.

Each call reads the mentions under the version: a full aggregate over them, bounded by the
page's LIMIT only after ranking (a theme's rank depends on every other theme's counts). At
250,000 mentions that is about a second (``benchmarks/enhancement_priorities.py``); a rollup
per (theme, version) kept by the projection is the next step if that is too slow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row

from domain.theme_priority.values import ThemeStatus
from projections.theme_priorities.stats import Interval, Sample, impact, welch_interval


@dataclass(frozen=True, slots=True)
class ThemePriorityView:
    """One theme as the priorities list shows it."""

    rank: int
    """1-based place in the ranking under the version (the cursor's position)."""
    theme: str
    customers: int
    """Distinct people who raised it (in a survey comment or in feedback)."""
    answers_with: int
    answers_without: int
    mean_with: float | None
    mean_without: float | None
    impact: float | None
    confidence_interval: Interval | None
    suppressed: bool
    status: ThemeStatus
    note: str
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class ThemePriorityPage:
    items: list[ThemePriorityView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class _Row:
    theme: str
    customers: int
    people_with: int
    n_with: int
    sum_with: int
    squares_with: int
    n_all: int
    sum_all: int
    squares_all: int
    people_all: int
    shown: bool
    status: str
    note: str
    decided_at: datetime | None

    def view(self, rank: int) -> ThemePriorityView:
        with_theme = Sample(self.n_with, self.sum_with, self.squares_with)
        without = Sample(self.n_all, self.sum_all, self.squares_all).without(with_theme)
        figures = self.shown
        return ThemePriorityView(
            rank=rank,
            theme=self.theme,
            customers=self.customers,
            answers_with=with_theme.n if figures else 0,
            answers_without=without.n if figures else 0,
            mean_with=with_theme.mean if figures else None,
            mean_without=without.mean if figures else None,
            impact=impact(with_theme, without) if figures else None,
            confidence_interval=welch_interval(with_theme, without) if figures else None,
            suppressed=not figures,
            status=ThemeStatus(self.status),
            note=self.note,
            decided_at=self.decided_at,
        )


# The version filter is `%(version)s IS NULL OR product_version = %(version)s` throughout.
# A side is shown when it has answers from at least k people; the side without the theme
# has at least one person when it has an answer, and at least people_all - people_with.
_RANKED = """
    WITH everyone AS (
        SELECT coalesce(sum(answers), 0)::bigint AS n_all,
            coalesce(sum(score_sum), 0)::bigint AS sum_all,
            coalesce(sum(score_squares), 0)::bigint AS squares_all
        FROM theme_priority_totals
        WHERE %(version)s::text IS NULL OR product_version = %(version)s
    ), respondents AS (
        SELECT count(*)::bigint AS people_all FROM (
            SELECT DISTINCT subject_id FROM theme_priority_answers
            WHERE %(version)s::text IS NULL OR product_version = %(version)s
        ) AS answered
    ), themes AS (
        -- Per person first, then per theme: two hash aggregates instead of a sort of every
        -- mention for count(DISTINCT) (measured about the same: the first one dominates).
        SELECT theme, count(*)::bigint AS customers,
            count(*) FILTER (WHERE n > 0)::bigint AS people_with,
            sum(n)::bigint AS n_with, sum(total)::bigint AS sum_with,
            sum(squares)::bigint AS squares_with
        FROM (
            SELECT theme, subject_id, count(score) AS n,
                coalesce(sum(score), 0) AS total, coalesce(sum(score * score), 0) AS squares
            FROM theme_priority_mentions
            WHERE %(version)s::text IS NULL OR product_version = %(version)s
            GROUP BY theme, subject_id
        ) AS per_person
        GROUP BY theme
        HAVING count(*) >= %(k)s
    ), judged AS (
        SELECT t.*, e.*, r.people_all,
            t.n_with > 0 AND e.n_all > t.n_with AND t.people_with >= %(k)s
                AND greatest(r.people_all - t.people_with, 1) >= %(k)s AS shown
        FROM themes t, everyone e, respondents r
    )
    SELECT j.theme, j.customers, j.people_with, j.n_with, j.sum_with, j.squares_with,
        j.n_all, j.sum_all, j.squares_all, j.people_all, j.shown,
        coalesce(s.status, 'open') AS status, coalesce(s.note, '') AS note, s.decided_at
    FROM judged j LEFT JOIN theme_priority_status s USING (theme)
    ORDER BY j.customers DESC,
        CASE WHEN j.shown THEN j.sum_with::float8 / j.n_with
            - (j.sum_all - j.sum_with)::float8 / (j.n_all - j.n_with) END ASC NULLS LAST,
        j.theme
    LIMIT %(limit)s OFFSET %(offset)s
"""


async def theme_priorities_page(
    conn: AsyncConnection[Any],
    version: str | None,
    first: int,
    after: int,
    *,
    min_group_size: int,
) -> ThemePriorityPage:
    """The ``first`` themes ranked after rank ``after`` (0: from the top), under ``version``
    (None: every version, and what came without one)."""
    params = {
        "version": version,
        "k": min_group_size,
        "limit": first + 1,
        "offset": after,
    }
    async with conn.cursor(row_factory=class_row(_Row)) as cur:
        await cur.execute(_RANKED, params)
        rows = await cur.fetchall()
    items = [row.view(after + index + 1) for index, row in enumerate(rows[:first])]
    return ThemePriorityPage(items, len(rows) > first)


async def theme_priorities_before(
    conn: AsyncConnection[Any],
    version: str | None,
    last: int,
    before: int,
    *,
    min_group_size: int,
) -> ThemePriorityPage:
    """The ``last`` themes ranked just before rank ``before``, in rank order;
    ``has_next_page``: more rank above them."""
    start = max(0, before - 1 - last)
    page = await theme_priorities_page(
        conn, version, before - 1 - start, start, min_group_size=min_group_size
    )
    return ThemePriorityPage(page.items, start > 0)


async def theme_count(
    conn: AsyncConnection[Any], version: str | None, *, min_group_size: int
) -> int:
    """How many themes the ranking under ``version`` lists."""
    async with conn.cursor() as cur:
        await cur.execute(
            """
            SELECT count(*) FROM (SELECT theme FROM theme_priority_mentions
                WHERE %(version)s::text IS NULL OR product_version = %(version)s
                GROUP BY theme HAVING count(DISTINCT subject_id) >= %(k)s) AS listed
            """,
            {"version": version, "k": min_group_size},
        )
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def theme_raised(conn: AsyncConnection[Any], theme: str) -> bool:
    """Whether anyone's readable comment or feedback mentions ``theme``."""
    async with conn.cursor() as cur:
        await cur.execute(
            "SELECT EXISTS (SELECT 1 FROM theme_priority_mentions WHERE theme = %s)", (theme,)
        )
        row = await cur.fetchone()
    return bool(row and row[0])
