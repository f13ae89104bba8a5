"""What to improve first: comment sentiment, the themes of detractors and of promoters, and
the weakest aspects. Only counts and terms leave here, never who said what.

Theme ranking. Among the readable comments under the filter, let D and P be the numbers of
detractor and promoter comments, and d and p the numbers of those that mention a term. The
term's lift towards detractors is ((d + 1) / (D + 2)) / ((p + 1) / (P + 2)): how much more
often a detractor comment mentions it than a promoter comment, with add-one smoothing so that
rare terms do not get extreme ratios. Detractor themes are the terms with a lift above 1,
most detractor mentions first, then larger lift, then alphabetical; promoter themes mirror it.

Small groups (see :mod:`projections.surveys.small_groups`): a theme is shown only when at least
``min_group_size`` distinct people used it, so a filter narrowed to one respondent shows none of
their words; comment counts and sentiment are suppressed when fewer people commented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row

from projections.surveys.dashboard_queries import aspect_figures, people_count
from projections.surveys.filters import condition
from projections.surveys.small_groups import too_small
from projections.surveys.text import NEGATIVE_TO, POSITIVE_FROM
from projections.surveys.views import DashboardFilter, FeedbackInsight, Theme


@dataclass(frozen=True, slots=True)
class _CommentTotals:
    comments: int
    commenters: int
    average_sentiment: float | None
    positive: int
    neutral: int
    negative: int
    detractors: int
    promoters: int


_TOTALS = """
    SELECT count(*)::bigint AS comments, {people}::bigint AS commenters,
        avg(c.sentiment)::float8 AS average_sentiment,
        count(*) FILTER (WHERE c.sentiment >= %(positive_from)s)::bigint AS positive,
        count(*) FILTER (WHERE c.sentiment > %(negative_to)s
            AND c.sentiment < %(positive_from)s)::bigint AS neutral,
        count(*) FILTER (WHERE c.sentiment <= %(negative_to)s)::bigint AS negative,
        count(*) FILTER (WHERE r.nps_category = 'detractor')::bigint AS detractors,
        count(*) FILTER (WHERE r.nps_category = 'promoter')::bigint AS promoters
    FROM survey_comments c JOIN survey_responses r USING (response_id)
    WHERE c.sentiment IS NOT NULL AND {where}
"""

# {side} and {other} are 'detractor'/'promoter' literals; the totals come in as parameters.
_THEMES = """
    SELECT term, mentions, detractor_mentions, promoter_mentions, average_sentiment
    FROM (
        SELECT t.term, count(*)::bigint AS mentions,
            count(*) FILTER (WHERE r.nps_category = 'detractor')::bigint AS detractor_mentions,
            count(*) FILTER (WHERE r.nps_category = 'promoter')::bigint AS promoter_mentions,
            avg(c.sentiment)::float8 AS average_sentiment
        FROM survey_comment_terms t
            JOIN survey_comments c USING (response_id)
            JOIN survey_responses r USING (response_id)
        WHERE {where}
        GROUP BY t.term
        HAVING {people} >= %(min_group_size)s
    ) AS counted,
    LATERAL (SELECT ({side}_mentions + 1.0) / (%(side_total)s + 2)
        / (({other}_mentions + 1.0) / (%(other_total)s + 2)) AS lift) AS ranked
    WHERE {side}_mentions > 0 AND lift > 1
    ORDER BY {side}_mentions DESC, lift DESC, term
    LIMIT %(limit)s
"""


async def _totals(conn: AsyncConnection[Any], where: str, params: dict[str, Any]) -> _CommentTotals:
    thresholds = {"positive_from": POSITIVE_FROM, "negative_to": NEGATIVE_TO}
    async with conn.cursor(row_factory=class_row(_CommentTotals)) as cur:
        people = people_count("c", params["min_group_size"])
        await cur.execute(_TOTALS.format(where=where, people=people), {**params, **thresholds})
        row = await cur.fetchone()
    assert row is not None  # an aggregate without GROUP BY always answers one row
    return row


async def _themes(
    conn: AsyncConnection[Any],
    where: str,
    params: dict[str, Any],
    sides: tuple[str, str],
    totals: tuple[int, int],
) -> list[Theme]:
    side, other = sides
    people = people_count("c", params["min_group_size"])
    statement = _THEMES.format(where=where, side=side, other=other, people=people)
    ranked = {**params, "side_total": totals[0], "other_total": totals[1]}
    async with conn.cursor(row_factory=class_row(Theme)) as cur:
        await cur.execute(statement, ranked)
        return await cur.fetchall()


async def feedback_insight(
    conn: AsyncConnection[Any], f: DashboardFilter, limit: int = 10, *, min_group_size: int
) -> FeedbackInsight:
    """Comment sentiment, up to ``limit`` detractor and promoter themes, and the ``limit``
    weakest aspects of the responses under ``f``, each shown only if it comes from at least
    ``min_group_size`` people. An erased comment keeps its sentiment, live and through
    rebuilds (the score is recorded with the response), so the sentiment figures do not
    change; its terms go with its text. Only a response recorded before the score was (event
    version 1) whose text is erased before a rebuild has none, and is not counted."""
    where, params = condition(f, "responses")
    params = {**params, "limit": limit, "min_group_size": min_group_size}
    totals = await _totals(conn, where, params)
    aspects = await aspect_figures(conn, f, min_group_size=min_group_size)
    if too_small(totals.commenters, min_group_size):
        return FeedbackInsight(0, None, 0, 0, 0, weakest_aspects=aspects[:limit], suppressed=True)
    counts = (totals.detractors, totals.promoters)
    detractor = await _themes(conn, where, params, ("detractor", "promoter"), counts)
    promoter = await _themes(conn, where, params, ("promoter", "detractor"), counts[::-1])
    return FeedbackInsight(
        comments=totals.comments,
        average_sentiment=totals.average_sentiment,
        positive=totals.positive,
        neutral=totals.neutral,
        negative=totals.negative,
        detractor_themes=detractor,
        promoter_themes=promoter,
        weakest_aspects=aspects[:limit],
    )
