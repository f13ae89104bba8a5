"""Dashboard figures: totals, their trend over time, their breakdown by a dimension, aspect
scores and the comparison of two product versions.

One set-based statement per table: responses are aggregated with ``count(*) FILTER (...)``
(by response time), invitations counted separately (by first issue time), and the two are
merged by group key. Each group also counts its distinct respondents and invitees, so that a
group of fewer people than the reader's minimum group size is suppressed (see
:mod:`projections.surveys.small_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psycopg import AsyncConnection
from psycopg.rows import class_row

from projections.surveys.filters import condition
from projections.surveys.small_groups import (
    EVERY_GROUP,
    SUPPRESSED_FIGURES,
    SUPPRESSED_NPS,
    too_small,
)
from projections.surveys.stats import NpsCounts, compare, margin_of_error, nps
from projections.surveys.views import (
    AspectFigures,
    DashboardFigures,
    DashboardFilter,
    Dimension,
    GroupFigures,
    NpsFigures,
    TrendInterval,
    TrendPoint,
    VersionComparison,
)


class UnknownTimeZoneError(ValueError):
    """The trend was asked for in a time zone that the IANA database does not know."""


@dataclass(frozen=True, slots=True)
class _ResponseRow:
    key: Any
    responses: int
    respondents: int
    promoters: int
    passives: int
    detractors: int
    csat_responses: int
    csat_satisfied: int
    ces_responses: int
    ces_average: float | None
    average_completion_seconds: float | None


_NO_RESPONSES = _ResponseRow(None, 0, 0, 0, 0, 0, 0, 0, 0, None, None)

_RESPONSES = """
    SELECT {key} AS key,
        count(*)::bigint AS responses,
        {people}::bigint AS respondents,
        count(*) FILTER (WHERE r.nps_category = 'promoter')::bigint AS promoters,
        count(*) FILTER (WHERE r.nps_category = 'passive')::bigint AS passives,
        count(*) FILTER (WHERE r.nps_category = 'detractor')::bigint AS detractors,
        count(*) FILTER (WHERE r.kind = 'csat')::bigint AS csat_responses,
        count(*) FILTER (WHERE r.kind = 'csat' AND r.score >= 4)::bigint AS csat_satisfied,
        count(*) FILTER (WHERE r.kind = 'ces')::bigint AS ces_responses,
        (avg(r.score) FILTER (WHERE r.kind = 'ces'))::float8 AS ces_average,
        avg(r.completion_seconds)::float8 AS average_completion_seconds
    FROM survey_responses r WHERE {where} {group}
"""

_INVITATIONS = """
    SELECT {key} AS key, count(*)::bigint, {people}::bigint
    FROM survey_invitations i WHERE {where} {group}
"""

_BY: dict[Dimension, tuple[str, str]] = {
    Dimension.REGION: ("r.region", "i.region"),
    Dimension.CHANNEL: ("r.channel", "i.channel"),
    Dimension.PRODUCT_VERSION: ("r.product_version", "i.product_version"),
    Dimension.TIER: ("r.tier", "i.tier"),
    Dimension.SURVEY: ("r.survey_id::text", "i.survey_id::text"),
}


@dataclass(frozen=True, slots=True)
class _Group:
    """One group's response aggregates, and its invitations and distinct invitees."""

    responses: _ResponseRow = _NO_RESPONSES
    invitations: int = 0
    invitees: int = 0

    def figures(self, min_group_size: int) -> DashboardFigures:
        if too_small(self.responses.respondents, min_group_size) or too_small(
            self.invitees, min_group_size
        ):
            return SUPPRESSED_FIGURES
        return _figures(self.responses, self.invitations)


_Grouped = dict[Any, _Group]


def people_count(alias: str, min_group_size: int) -> str:
    """SQL counting a group's distinct people. Counting them costs a sort (a dashboard over
    100,000 responses takes about three times as long), and with a minimum of 1 nothing is
    ever suppressed, so then the rows are counted instead: never fewer than 1 if any."""
    return f"count(DISTINCT {alias}.customer_id)" if min_group_size > EVERY_GROUP else "count(*)"


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else part * 100.0 / whole


def nps_figures(counts: NpsCounts) -> NpsFigures:
    return NpsFigures(
        counts.n,
        counts.promoters,
        counts.passives,
        counts.detractors,
        nps(counts),
        margin_of_error(counts),
    )


def _figures(row: _ResponseRow, invitations: int) -> DashboardFigures:
    return DashboardFigures(
        invitations=invitations,
        responses=row.responses,
        response_rate=_percent(row.responses, invitations),
        nps=nps_figures(NpsCounts(row.promoters, row.passives, row.detractors)),
        csat_responses=row.csat_responses,
        csat=_percent(row.csat_satisfied, row.csat_responses),
        ces_responses=row.ces_responses,
        ces_average=row.ces_average,
        average_completion_seconds=row.average_completion_seconds,
    )


async def _grouped(
    conn: AsyncConnection[Any],
    f: DashboardFilter,
    keys: tuple[str, str] | None,
    min_group_size: int,
    extra: dict[str, Any] | None = None,
) -> _Grouped:
    """Response rows and invitation counts per group key (one group, key None, if no keys)."""
    key_r, key_i = keys or ("NULL", "NULL")
    group = "GROUP BY 1" if keys else ""
    where_r, params = condition(f, "responses")
    where_i, _ = condition(f, "invitations")
    params = {**params, **(extra or {})}
    responses_sql = _RESPONSES.format(
        key=key_r, where=where_r, group=group, people=people_count("r", min_group_size)
    )
    invitations_sql = _INVITATIONS.format(
        key=key_i, where=where_i, group=group, people=people_count("i", min_group_size)
    )
    async with conn.cursor(row_factory=class_row(_ResponseRow)) as cur:
        await cur.execute(responses_sql, params)
        responses = {row.key: row for row in await cur.fetchall() if row.responses}
    async with conn.cursor() as cur:
        await cur.execute(invitations_sql, params)
        invitations = {key: (count, people) for key, count, people in await cur.fetchall() if count}
    return {
        key: _Group(responses.get(key, _NO_RESPONSES), *invitations.get(key, (0, 0)))
        for key in responses.keys() | invitations.keys()
    }


async def dashboard(
    conn: AsyncConnection[Any], f: DashboardFilter, *, min_group_size: int
) -> DashboardFigures:
    """The headline figures of the responses and invitations under ``f`` (suppressed if they
    describe fewer than ``min_group_size`` people)."""
    grouped = await _grouped(conn, f, None, min_group_size)
    return grouped.get(None, _Group()).figures(min_group_size)


def _zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZoneError(f"unknown time zone {time_zone!r}") from None


async def trend(
    conn: AsyncConnection[Any],
    f: DashboardFilter,
    interval: TrendInterval,
    time_zone: str,
    *,
    min_group_size: int,
) -> list[TrendPoint]:
    """Figures per day, week (from Monday) or month in ``time_zone``, oldest first; periods
    with neither responses nor invitations are left out, those of fewer than
    ``min_group_size`` people are suppressed."""
    zone = _zone(time_zone)
    unit = TrendInterval(interval).value  # a literal from the enum, never input
    keys = (
        f"date_trunc('{unit}', r.responded_at, %(zone)s)",
        f"date_trunc('{unit}', i.issued_at, %(zone)s)",
    )
    grouped = await _grouped(conn, f, keys, min_group_size, {"zone": zone.key})
    return [
        TrendPoint(start.astimezone(zone), grouped[start].figures(min_group_size))
        for start in sorted(grouped)
    ]


async def breakdown(
    conn: AsyncConnection[Any], f: DashboardFilter, by: Dimension, *, min_group_size: int
) -> list[GroupFigures]:
    """Figures per value of ``by`` (as frozen at response or issue time), in value order with
    responses that have no value last; a value of fewer than ``min_group_size`` people is
    listed with its figures suppressed."""
    grouped = await _grouped(conn, f, _BY[Dimension(by)], min_group_size)
    ordered = sorted(grouped, key=lambda value: (value is None, value or ""))
    return [GroupFigures(value, grouped[value].figures(min_group_size)) for value in ordered]


_ASPECTS = """
    SELECT a.aspect, count(*)::bigint AS responses, avg(a.score)::float8 AS average,
        (count(*) FILTER (WHERE a.score <= 2) * 100.0 / count(*))::float8 AS low_share
    FROM survey_aspect_scores a JOIN survey_responses r USING (response_id)
    WHERE {where}
    GROUP BY a.aspect
    HAVING {people} >= %(min_group_size)s
    ORDER BY average, a.aspect
"""


async def aspect_figures(
    conn: AsyncConnection[Any], f: DashboardFilter, *, min_group_size: int
) -> list[AspectFigures]:
    """Each aspect's scores under ``f``, lowest average (the weakest) first; an aspect scored
    by fewer than ``min_group_size`` people is left out."""
    where, params = condition(f, "responses")
    statement = _ASPECTS.format(where=where, people=people_count("r", min_group_size))
    async with conn.cursor(row_factory=class_row(AspectFigures)) as cur:
        await cur.execute(statement, {**params, "min_group_size": min_group_size})
        return await cur.fetchall()


async def _nps_counts(
    conn: AsyncConnection[Any], f: DashboardFilter, min_group_size: int
) -> NpsCounts | None:
    """The NPS answers under ``f``; None if they come from too few people to show."""
    row = (await _grouped(conn, f, None, min_group_size)).get(None, _Group()).responses
    if too_small(row.respondents, min_group_size):
        return None
    return NpsCounts(row.promoters, row.passives, row.detractors)


async def compare_versions(
    conn: AsyncConnection[Any],
    f: DashboardFilter,
    version_a: str,
    version_b: str,
    *,
    min_group_size: int,
) -> VersionComparison:
    """NPS of two product versions under ``f`` (its own product version is ignored) and the
    z-test of their difference (see `projections.surveys.stats.compare`). A version answered
    by fewer than ``min_group_size`` people is suppressed, and so is the difference."""
    a = await _nps_counts(conn, replace(f, product_version=version_a), min_group_size)
    b = await _nps_counts(conn, replace(f, product_version=version_b), min_group_size)
    test = compare(a or NpsCounts(0, 0, 0), b or NpsCounts(0, 0, 0))
    return VersionComparison(
        version_a,
        version_b,
        SUPPRESSED_NPS if a is None else nps_figures(a),
        SUPPRESSED_NPS if b is None else nps_figures(b),
        test.difference,
        test.margin_of_error,
        test.p_value,
        test.significant,
    )
