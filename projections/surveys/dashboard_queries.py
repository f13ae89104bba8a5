"""Dashboard figures: totals, their trend over time, their breakdown by a dimension, aspect
scores and the comparison of two product versions.

One set-based statement per table: responses are aggregated with ``count(*) FILTER (...)``
(by response time), invitations counted separately (by first issue time), and the two are
merged by group key. Each group also counts its distinct respondents and invitees, so that a
group of fewer people than the reader's minimum group size is suppressed (see
:mod:`projections.surveys.small_groups`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psycopg import AsyncConnection
from psycopg.rows import class_row

from projections.surveys import people, rollups
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


@dataclass(frozen=True, slots=True)
class _Grouping:
    """How a query groups: its key on responses (``r``), invitations (``i``) and rollup rows
    (``c``), when a rollup row's whole day falls in one group, the segment column it groups
    by (None: none, or the survey), and the SQL that selects one group's rows (``{a}``: the
    alias, ``{t}``: its time column; parameter ``key``), for counting its people."""

    response_key: str = "NULL"
    invitation_key: str = "NULL"
    cell_key: str = "NULL"
    whole_cell: str = "true"
    column: str | None = None
    member: str = "true"
    null_member: str = "true"
    params: dict[str, Any] = field(default_factory=dict)
    day_key: str = "NULL"
    """The key a split UTC day's rollup row counts under (alias ``d``): its start's or end's."""
    later_rows: str = "false"
    """SQL true for a row (``{a}``, ``{t}``) of day ``d`` in another group than ``day_key``:
    the rows that are read and moved to their own group."""


_TOTAL = _Grouping()


def _by_dimension(by: Dimension) -> _Grouping:
    if by == Dimension.SURVEY:
        return _Grouping(
            "r.survey_id::text",
            "i.survey_id::text",
            "c.survey_id::text",
            member="{a}.survey_id = %(key)s::uuid",
        )
    column = Dimension(by).value  # a literal from the enum, never input
    return _Grouping(
        f"r.{column}",
        f"i.{column}",
        f"c.{column}",
        column=column,
        member=f"{{a}}.{column} = %(key)s",
        null_member=f"{{a}}.{column} IS NULL",
    )


def _by_period(unit: str, zone: str) -> _Grouping:
    # The rows of one period: its exact test, and a time range around it (3 hours wider than
    # any daylight-saving shift) so the query can use the time indexes.
    period = f"date_trunc('{unit}', {{a}}.{{t}}, %(zone)s)"
    local_end = f"(%(key)s::timestamptz AT TIME ZONE %(zone)s) + interval '1 {unit}'"
    end = f"({local_end}) AT TIME ZONE %(zone)s"
    member = (
        f"{{a}}.{{t}} >= %(key)s::timestamptz - interval '3 hours'"
        f" AND {{a}}.{{t}} < {end} + interval '3 hours' AND {period} = %(key)s::timestamptz"
    )
    last_moment = "{d}.day + interval '24 hours' - interval '1 microsecond'"
    if _periods_start_early(zone):
        # Behind UTC (the Americas), a period starts in the first hours of a UTC day: a split
        # day's rollup row counts under the period it ends in, and its rows before that
        # period (3 hours late: wider than any daylight-saving shift) are moved.
        cell_key = f"date_trunc('{unit}', {last_moment.format(d='c')}, %(zone)s)"
        day_key = f"date_trunc('{unit}', {last_moment.format(d='d')}, %(zone)s)"
        moved = f"{{a}}.{{t}} < {day_key} + interval '3 hours' AND {period} <> {day_key}"
    else:
        # Ahead of UTC (or on it), a period starts late in a UTC day: the row counts under the
        # period the day starts in, and its rows from the next period's start (3 hours early)
        # are moved.
        cell_key = f"date_trunc('{unit}', c.day, %(zone)s)"
        day_key = f"date_trunc('{unit}', d.day, %(zone)s)"
        moved = (
            f"{{a}}.{{t}} >= (({day_key} AT TIME ZONE %(zone)s) + interval '1 {unit}')"
            f" AT TIME ZONE %(zone)s - interval '3 hours' AND {period} <> {day_key}"
        )
    return _Grouping(
        period.format(a="r", t="responded_at"),
        period.format(a="i", t="issued_at"),
        cell_key,
        f"date_trunc('{unit}', c.day, %(zone)s) = date_trunc('{unit}',"
        f" {last_moment.format(d='c')}, %(zone)s)",
        member=member,
        null_member=member,
        params={"zone": zone},
        day_key=day_key,
        later_rows=moved,
    )


def _periods_start_early(zone: str) -> bool:
    """Whether ``zone`` is behind UTC now, so its periods start in the first hours of a UTC
    day: a split day's smaller part is then its start (only the cost depends on it)."""
    offset = ZoneInfo(zone).utcoffset(datetime.now(UTC))
    return offset is not None and offset < timedelta(0)


async def _grouped(
    conn: AsyncConnection[Any],
    f: DashboardFilter,
    grouping: _Grouping,
    min_group_size: int,
    rollups: bool,
) -> _Grouped:
    """Response rows and invitation counts per group key (one group, key None, if no keys)."""
    if rollups:
        return await _grouped_from_rollups(conn, f, grouping, min_group_size)
    keys = (grouping.response_key, grouping.invitation_key)
    group = "GROUP BY 1" if grouping is not _TOTAL else ""
    where_r, params = condition(f, "responses")
    where_i, _ = condition(f, "invitations")
    params = {**params, **grouping.params}
    responses_sql = _RESPONSES.format(
        key=keys[0], where=where_r, group=group, people=people_count("r", min_group_size)
    )
    invitations_sql = _INVITATIONS.format(
        key=keys[1], where=where_i, group=group, people=people_count("i", min_group_size)
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


async def _grouped_from_rollups(
    conn: AsyncConnection[Any], f: DashboardFilter, grouping: _Grouping, min_group_size: int
) -> _Grouped:
    """As :func:`_grouped`, from the rollups (and the rows of the days a rollup row cannot
    answer alone); people are counted per group only where the rule needs them."""
    table, level = rollups.shape_for(f, grouping.column)
    cells, inside = rollups.cell_condition(f, table, level)
    where_r, params = condition(f, "responses")
    where_i, _ = condition(f, "invitations")
    params = {**params, **grouping.params, "level": level}
    parts = (table, cells, inside, grouping.cell_key, grouping.whole_cell)
    moves = (grouping.day_key, grouping.later_rows)
    response_read = rollups.RollupRead("response", *parts, grouping.response_key, where_r, *moves)
    invitation_read = rollups.RollupRead(
        "invitation", *parts, grouping.invitation_key, where_i, *moves
    )
    response_rows, response_split = await _read(conn, response_read, params)
    responses = {row[0]: _response_row(row) for row in response_rows if row[1]}
    invitation_rows, invitation_split = await _read(conn, invitation_read, params)
    invitations = {key: n for key, n in invitation_rows if n}
    members = (grouping.member, grouping.null_member, grouping.params)
    counts = {key: row.responses for key, row in responses.items()}
    proven = await _floors(conn, response_read, params, response_split, min_group_size)
    respondents = await people.count(conn, "responses", f, *members, counts, min_group_size, proven)
    proven = await _floors(conn, invitation_read, params, invitation_split, min_group_size)
    invitees = await people.count(
        conn, "invitations", f, *members, invitations, min_group_size, proven
    )
    return {
        key: _Group(
            replace(responses.get(key, _NO_RESPONSES), respondents=respondents.get(key, 0)),
            invitations.get(key, 0),
            invitees.get(key, 0),
        )
        for key in responses.keys() | invitations.keys()
    }


async def _read(
    conn: AsyncConnection[Any], read: rollups.RollupRead, params: dict[str, Any]
) -> tuple[list[tuple[Any, ...]], list[Any]]:
    """The measures per key, and the days inside the range split between groups."""
    async with conn.cursor() as cur:
        await cur.execute(read.days(), params)
        days = await cur.fetchall()
        outside = [day for day, inside in days if not inside]
        split = [day for day, inside in days if inside]
        statement = read.measures(bool(outside), bool(split))
        async with _without_jit(conn, bool(outside or split)):
            await cur.execute(statement, {**params, "outside": outside, "split": split})
            return await cur.fetchall(), split


@asynccontextmanager
async def _without_jit(conn: AsyncConnection[Any], rows_read: bool) -> AsyncIterator[None]:
    """Around a statement that reads rows day by day: the planner cannot know how few rows
    each day's index scan finds (it estimated 8 million for a trend by day in Europe/Rome
    over 300,000 responses, against 40,000 read) and compiled it with JIT for 1.3 s of its
    1.8 s. Off for that statement's transaction only."""
    if not rows_read:
        yield
        return
    async with conn.transaction():
        await conn.execute("SET LOCAL jit = off")
        yield


async def _floors(
    conn: AsyncConnection[Any],
    read: rollups.RollupRead,
    params: dict[str, Any],
    split: list[Any],
    min_group_size: int,
) -> dict[Any, int]:
    """Per group key, people the group surely holds, from the slices' distinct counts (none
    from the cube, nor when nothing is suppressed); the later parts of split days are read
    from the rows (a trend in a zone other than UTC), their people counted exactly."""
    if min_group_size <= EVERY_GROUP or read.shape != "slices":
        return {}
    floors: dict[Any, int] = {}
    later: dict[Any, int] = {}
    async with conn.cursor() as cur:
        if split:
            async with _without_jit(conn, True):
                await cur.execute(read.later_parts(), {**params, "split": split})
                parts = await cur.fetchall()
            for day, key, rows, people_in_part in parts:
                later[day] = later.get(day, 0) + rows
                floors[key] = max(floors.get(key, 0), people_in_part)
        days = {"later_days": list(later), "later_rows": list(later.values())}
        await cur.execute(read.floors(), {**params, **days})
        for key, floor in await cur.fetchall():
            floors[key] = max(floors.get(key, 0), floor)
    return floors


def _response_row(row: tuple[Any, ...]) -> _ResponseRow:
    key, responses, promoters, passives, detractors = row[:5]
    csat_responses, csat_satisfied, ces_responses, ces_sum, seconds = row[5:]
    return _ResponseRow(
        key=key,
        responses=responses,
        respondents=responses,  # replaced by the people count
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        csat_responses=csat_responses,
        csat_satisfied=csat_satisfied,
        ces_responses=ces_responses,
        ces_average=ces_sum / ces_responses if ces_responses else None,
        average_completion_seconds=seconds / responses if responses else None,
    )


async def dashboard(
    conn: AsyncConnection[Any], f: DashboardFilter, *, min_group_size: int, rollups: bool = True
) -> DashboardFigures:
    """The headline figures of the responses and invitations under ``f`` (suppressed if they
    describe fewer than ``min_group_size`` people). ``rollups`` False: from the rows alone
    (the same figures, slower: the benchmark's and the tests' reference)."""
    grouped = await _grouped(conn, f, _TOTAL, min_group_size, rollups)
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
    rollups: bool = True,
) -> list[TrendPoint]:
    """Figures per day, week (from Monday) or month in ``time_zone``, oldest first; periods
    with neither responses nor invitations are left out, those of fewer than
    ``min_group_size`` people are suppressed."""
    zone = _zone(time_zone)
    unit = TrendInterval(interval).value  # a literal from the enum, never input
    grouped = await _grouped(conn, f, _by_period(unit, zone.key), min_group_size, rollups)
    return [
        TrendPoint(start.astimezone(zone), grouped[start].figures(min_group_size))
        for start in sorted(grouped)
    ]


async def breakdown(
    conn: AsyncConnection[Any],
    f: DashboardFilter,
    by: Dimension,
    *,
    min_group_size: int,
    rollups: bool = True,
) -> list[GroupFigures]:
    """Figures per value of ``by`` (as frozen at response or issue time), in value order with
    responses that have no value last; a value of fewer than ``min_group_size`` people is
    listed with its figures suppressed."""
    grouped = await _grouped(conn, f, _by_dimension(by), min_group_size, rollups)
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
    row = (await _grouped(conn, f, _TOTAL, min_group_size, True)).get(None, _Group()).responses
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
