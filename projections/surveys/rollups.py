"""The dashboard's rollups: counts and sums per UTC day and segment, kept with the rows.

Every response adds its counts (responses, NPS categories, CSAT and CES answers, the CES score
sum, the completion seconds sum) to one row of ``survey_response_cube`` (its survey, UTC day,
channel, region, product version and tier) and to five rows of ``survey_response_slices``
(level 'all', and one per dimension with only that dimension's value); every invitation adds
1 likewise to the invitation rollups (by the UTC day it was first issued). A batch's new rows
(those its inserts returned: a replayed event adds nothing) are summed per rollup row in
Python and upserted with one statement per rollup table (``projections.surveys.batch_rollups``),
in the projection's transaction; a reissued link's move between channels is one statement of
data-modifying CTEs (``INVITATION_ROLLUPS``).

Why UTC days: a finer grain (hours, quarter hours) would hold about one row per response
at a million responses a year over a few hundred segments, so it would cost what the rows
cost. A day of the viewer's time zone is not a UTC day, though; queries therefore read the
rollup row of a UTC day only when that whole day falls in one group (one period of the trend
in its zone, and inside the filter's ``since``/``until``), and read the responses of the other
days from the rows (see :meth:`RollupRead.measures`): only the smaller part of a split day,
moved to its own period. A trend by month in Europe/Rome reads some hours of one day per month;
by day in a zone other than UTC, some hours of every day.

The slices also count distinct people per row (``respondents``, ``invitees``), through
presence rows (a person per survey, UTC day and segment, inserted with ON CONFLICT DO NOTHING;
a count grows only when the row of its slice's value is new). A group holds at least the people
of any one of its rows, which proves most groups large enough for the minimum group size
without reading rows (:meth:`RollupRead.floors`). The presence rows hold customer ids, so
erasure deletes the person's; the counts and sums hold no customer id and no text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from projections.surveys.views import DashboardFilter

DIMENSIONS = ("channel", "region", "product_version", "tier")
"""The segment columns, in the rollups as in the rows."""

LEVELS = ("all", *DIMENSIONS)

_KEY = "survey_id, day, channel, region, product_version, tier"

RESPONSE_MEASURES = (
    "responses",
    "promoters",
    "passives",
    "detractors",
    "csat_responses",
    "csat_satisfied",
    "ces_responses",
    "ces_score_sum",
    "completion_seconds_sum",
)

# One response row (alias s, with ``kind``, ``score``, ``nps_category``, ``completion_seconds``)
# as rollup measures, in the order of RESPONSE_MEASURES.
_ONE_RESPONSE = """1, (s.nps_category IS NOT DISTINCT FROM 'promoter')::int,
    (s.nps_category IS NOT DISTINCT FROM 'passive')::int,
    (s.nps_category IS NOT DISTINCT FROM 'detractor')::int, (s.kind = 'csat')::int,
    (s.kind = 'csat' AND s.score >= 4)::int, (s.kind = 'ces')::int,
    CASE WHEN s.kind = 'ces' THEN s.score ELSE 0 END, s.completion_seconds"""

_SLICE_VALUES = ", ".join(f"CASE WHEN l.level = '{d}' THEN s.{d} END" for d in DIMENSIONS)
_LEVEL_ROWS = "(VALUES " + ", ".join(f"('{level}')" for level in LEVELS) + ") AS l(level)"


def _upsert_set(measures: tuple[str, ...]) -> str:
    return ", ".join(f"{m} = t.{m} + excluded.{m}" for m in measures)


_DAY = "date_trunc('day', s.at, 'UTC')"
_CELL = ", ".join(f"s.{d}" for d in DIMENSIONS)
_PRESENCE_COLUMNS = f"customer_id, survey_id, day, {', '.join(DIMENSIONS)}"
_SAME_VALUE = (
    "CASE l.level "
    + " ".join(f"WHEN '{d}' THEN {{p}}.{d} IS NOT DISTINCT FROM s.{d}" for d in DIMENSIONS)
    + " ELSE true END"
)


def _present(table: str) -> str:
    """SQL true when the person of source row ``s`` was already in the slice of level ``l``
    (its survey, UTC day and value of the level) before this statement: a presence row of
    theirs holds it (a statement's own inserts are not visible to it)."""
    return f"""EXISTS (SELECT 1 FROM {table} p WHERE p.customer_id = s.customer_id
        AND p.survey_id = s.survey_id AND p.day = {_DAY} AND {_SAME_VALUE.format(p="p")})"""


# Another invitation of the person of source row ``s`` (a link moved away from ``s.channel``)
# on the same survey and UTC day, in the slice of level ``l`` ({same}: the condition on ``i``).
_OTHER_INVITATION = f"""EXISTS (SELECT 1 FROM survey_invitations i
    WHERE i.survey_id = s.survey_id AND i.issued_at >= {_DAY}
    AND i.issued_at < {_DAY} + interval '24 hours' AND i.customer_id = s.customer_id
    AND i.invitation_id <> s.invitation_id AND {{same}})"""
_SAME_CELL = " AND ".join(f"i.{d} IS NOT DISTINCT FROM s.{d}" for d in DIMENSIONS)

_INVITEES = f"""count(DISTINCT s.customer_id) FILTER (
        WHERE s.delta > 0 AND NOT {_present("survey_invitee_days")})
    - count(DISTINCT s.customer_id) FILTER (WHERE s.delta < 0 AND l.level = 'channel'
        AND NOT {_OTHER_INVITATION.format(same="i.channel = s.channel")})"""
"""A slice's change of distinct invitees: a person new to it (issued, or a link moved to its
channel), less one who moved their only link of the day away from a channel's slice (the
other slices keep the person: a move changes only the channel)."""

INVITATION_ROLLUPS = f"""
    invitation_cube AS (
        INSERT INTO survey_invitation_cube AS t ({_KEY}, invitations)
        SELECT s.survey_id, {_DAY} AS day, {_CELL}, sum(s.delta)
        FROM {{source}} s GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(s.delta) <> 0
        ON CONFLICT ({_KEY}) DO UPDATE SET invitations = t.invitations + excluded.invitations
    ), invitation_slices AS (
        INSERT INTO survey_invitation_slices AS t (level, {_KEY}, invitations, invitees)
        SELECT l.level, s.survey_id, {_DAY}, {_SLICE_VALUES}, sum(s.delta), {_INVITEES}
        FROM {{source}} s CROSS JOIN {_LEVEL_ROWS}
        GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(s.delta) <> 0 OR {_INVITEES} <> 0
        ON CONFLICT (level, {_KEY}) DO UPDATE SET invitations = t.invitations
            + excluded.invitations, invitees = t.invitees + excluded.invitees
    ), invitee_presence AS (
        INSERT INTO survey_invitee_days ({_PRESENCE_COLUMNS})
        SELECT s.customer_id, s.survey_id, {_DAY}, {_CELL} FROM {{source}} s WHERE s.delta > 0
        ON CONFLICT DO NOTHING
    ), invitee_absence AS (
        DELETE FROM survey_invitee_days p USING {{source}} s
        WHERE s.delta < 0 AND p.customer_id = s.customer_id AND p.survey_id = s.survey_id
            AND p.day = {_DAY} AND {_SAME_CELL.replace("i.", "p.")}
            AND NOT {_OTHER_INVITATION.format(same=_SAME_CELL)}
    )"""
"""The CTEs that add ``delta`` (1 for an issue; -1 and 1 for a move to another channel) per
invitation row of the CTE ``{source}`` (``at``: first issue time; ``customer_id``,
``invitation_id``) to the invitation rollups, and keep the distinct invitees with it.
Deltas on the same rollup row are summed first: one statement may update a row only once."""

_LEVEL_OF = (
    "CASE " + " ".join(f"WHEN grouping({d}) = 0 THEN '{d}'" for d in DIMENSIONS) + " ELSE 'all' END"
)
_GROUPING_SETS = ", ".join(["(survey_id, day)", *(f"(survey_id, day, {d})" for d in DIMENSIONS)])
_RESPONSE_SUMS = """count(*), count(*) FILTER (WHERE s.nps_category = 'promoter'),
    count(*) FILTER (WHERE s.nps_category = 'passive'),
    count(*) FILTER (WHERE s.nps_category = 'detractor'),
    count(*) FILTER (WHERE s.kind = 'csat'),
    count(*) FILTER (WHERE s.kind = 'csat' AND s.score >= 4),
    count(*) FILTER (WHERE s.kind = 'ces'),
    coalesce(sum(s.score) FILTER (WHERE s.kind = 'ces'), 0), sum(s.completion_seconds)"""
_RESPONSE_DAYS = "(SELECT *, date_trunc('day', responded_at, 'UTC') AS day FROM survey_responses) s"
_INVITATION_DAYS = (
    "(SELECT *, date_trunc('day', issued_at, 'UTC') AS day FROM survey_invitations) s"
)

ROLLUPS_FROM_ROWS = (
    f"""INSERT INTO survey_response_cube ({_KEY}, {", ".join(RESPONSE_MEASURES)})
    SELECT {_KEY}, {_RESPONSE_SUMS} FROM {_RESPONSE_DAYS} GROUP BY {_KEY}""",
    f"""INSERT INTO survey_response_slices (level, {_KEY}, {", ".join(RESPONSE_MEASURES)},
        respondents)
    SELECT {_LEVEL_OF}, {_KEY}, {_RESPONSE_SUMS}, count(DISTINCT customer_id)
    FROM {_RESPONSE_DAYS} GROUP BY GROUPING SETS ({_GROUPING_SETS})""",
    f"""INSERT INTO survey_respondent_days ({_PRESENCE_COLUMNS})
    SELECT DISTINCT customer_id, {_KEY} FROM {_RESPONSE_DAYS}""",
    f"""INSERT INTO survey_invitation_cube ({_KEY}, invitations)
    SELECT {_KEY}, count(*) FROM {_INVITATION_DAYS} GROUP BY {_KEY}""",
    f"""INSERT INTO survey_invitation_slices (level, {_KEY}, invitations, invitees)
    SELECT {_LEVEL_OF}, {_KEY}, count(*), count(DISTINCT customer_id) FROM {_INVITATION_DAYS}
    GROUP BY GROUPING SETS ({_GROUPING_SETS})""",
    f"""INSERT INTO survey_invitee_days ({_PRESENCE_COLUMNS})
    SELECT DISTINCT customer_id, {_KEY} FROM {_INVITATION_DAYS}""",
)
"""Statements that fill empty rollups from the rows (set-based: the benchmark's loader, and
the tests' check that the rollups kept event by event equal them)."""

Shape = Literal["slices", "cube"]


def shape_for(f: DashboardFilter, grouped_by: str | None) -> tuple[Shape, str | None]:
    """The smallest rollup that answers ``f`` grouped by ``grouped_by`` (a column or None),
    and its level: the slices of 'all' or of the one dimension used, else the cube."""
    used = {d for d in DIMENSIONS if getattr(f, d) is not None}
    if grouped_by in DIMENSIONS:
        used.add(grouped_by)
    if len(used) > 1:
        return "cube", None
    return "slices", used.pop() if used else "all"


def cell_condition(f: DashboardFilter, shape: Shape, level: str | None) -> tuple[str, str]:
    """(SQL selecting the rollup rows, on alias ``c``, whose day meets ``f``; SQL true for
    those whose whole day is inside ``f``'s time range). Parameters as in
    :func:`projections.surveys.filters.condition`, plus ``level``."""
    terms = ["c.level = %(level)s"] if shape == "slices" and level is not None else []
    if f.survey_id is not None:
        terms.append("c.survey_id = %(survey_id)s")
    terms += [f"c.{d} = %({d})s" for d in DIMENSIONS if getattr(f, d) is not None]
    inside = []
    if f.since is not None:
        terms.append("c.day > %(since)s - interval '24 hours'")
        inside.append("c.day >= %(since)s")
    if f.until is not None:
        terms.append("c.day < %(until)s")
        inside.append("c.day + interval '24 hours' <= %(until)s")
    return " AND ".join(terms) or "true", " AND ".join(inside) or "true"


@dataclass(frozen=True, slots=True)
class RollupRead:
    """One grouped read of the response or invitation rollups, in two statements: the UTC
    days a rollup row cannot answer alone (:meth:`days`), then the measures per group key
    (:meth:`measures`).

    A rollup row (``cells``, on alias ``c``) of a day inside the time range (``inside``)
    counts under its day's key (``cell_key``). When that day is split between groups
    (``whole_cell`` false: a trend period in a zone other than UTC starts within it), the
    rows of the day that belong to a later group (``later_rows``, on the rows' alias ``{a}``
    and time column ``{t}``, the day's alias ``d``) are read and moved: added under their own
    key, taken off the day's key (``day_key``). So a trend by month in Europe/Rome reads only
    the hours after 23:00 UTC of one day a month. A day only partly inside the range (a
    ``since`` or ``until`` that is not a UTC midnight) is read from the rows (``raw``: the
    filter on alias ``r`` or ``i``), all of it. Two statements, so the planner knows how few
    days the rows are read for (one statement estimated millions of rows, and PostgreSQL
    compiled it with JIT, for 80 ms)."""

    table: Literal["response", "invitation"]
    shape: Shape
    cells: str
    inside: str
    cell_key: str
    whole_cell: str
    raw_key: str
    raw: str
    day_key: str
    later_rows: str

    def days(self) -> str:
        """(day, whether it is inside the range) of each day not answered by rollups alone."""
        return f"""
            SELECT DISTINCT c.day, ({self.inside}) AS inside
            FROM survey_{self.table}_{self.shape} c
            WHERE {self.cells} AND NOT ({self.inside} AND {self.whole_cell})
        """

    def _rows(self) -> tuple[str, str, str, str]:
        """(alias, time column, the rows' table with its alias, the WHERE of day ``d``'s rows
        under the filter)."""
        alias, moment = ("r", "responded_at") if self.table == "response" else ("i", "issued_at")
        of_day = f"""
            WHERE {alias}.{moment} >= d.day AND {alias}.{moment} < d.day + interval '24 hours'
                AND {self.raw}
        """
        return alias, moment, f"survey_{self.table}s {alias}", of_day

    def measures(self, outside_days: bool, split_days: bool) -> str:
        """Measures per key (``key`` first); ``outside_days``: with the rows of the days in
        %(outside)b, ``split_days``: with the moves of the days in %(split)b."""
        names = RESPONSE_MEASURES if self.table == "response" else ("invitations",)
        sums = ", ".join(f"sum({m})::{_sum_type(m)} AS {m}" for m in names)
        alias, moment, table, of_day = self._rows()
        one_row = _ONE_RESPONSE.replace("s.", "r.") if self.table == "response" else "1"
        parts = [
            f"""SELECT {self.cell_key} AS key, {", ".join(names)}
            FROM survey_{self.table}_{self.shape} c WHERE {self.cells} AND {self.inside}"""
        ]
        if outside_days:
            parts.append(f"""
                SELECT x.* FROM unnest(%(outside)b::timestamptz[]) AS d(day)
                CROSS JOIN LATERAL (SELECT {self.raw_key}, {one_row} FROM {table} {of_day}) x""")
        if split_days:
            later = self.later_rows.format(a=alias, t=moment)
            signed = ", ".join(f"m.sign * ({e})" for e in _split(one_row))
            parts.append(f"""
                SELECT x.* FROM unnest(%(split)b::timestamptz[]) AS d(day)
                CROSS JOIN LATERAL (
                    SELECT m.key, {signed} FROM {table}
                    CROSS JOIN LATERAL (VALUES ({self.raw_key}, 1), ({self.day_key}, -1))
                        AS m(key, sign)
                    {of_day} AND {later}
                ) x""")
        union = " UNION ALL ".join(parts)
        return f"SELECT key, {sums} FROM ({union}) parts GROUP BY key"

    def later_parts(self) -> str:
        """Per day of %(split)b (inside the range, split between groups) and later group: the
        day's rows in that group and their distinct people (``day, key, rows, people``)."""
        alias, moment, table, of_day = self._rows()
        later = self.later_rows.format(a=alias, t=moment)
        return f"""
            SELECT d.day, x.* FROM unnest(%(split)b::timestamptz[]) AS d(day)
            CROSS JOIN LATERAL (
                SELECT {self.raw_key} AS key, count(*), count(DISTINCT {alias}.customer_id)
                FROM {table} {of_day} AND {later} GROUP BY 1
            ) x
        """

    def floors(self) -> str:
        """Per key, a number of distinct people its group surely holds: the most that one
        slice row inside the range counted (one survey's, one UTC day's: distinct people do
        not add up, but a group holds at least those of any one of its rows); for a day split
        between groups, less the day's rows that belong to later groups (%(later_days)b,
        %(later_rows)b: the people of the rest of the day are at least that many fewer)."""
        people = "respondents" if self.table == "response" else "invitees"
        return f"""
            SELECT {self.cell_key} AS key,
                max(c.{people} - CASE WHEN {self.whole_cell} THEN 0 ELSE coalesce(l.n, 0) END)
            FROM survey_{self.table}_slices c
            LEFT JOIN unnest(%(later_days)b::timestamptz[], %(later_rows)b::bigint[]) AS l(day, n)
                ON l.day = c.day
            WHERE {self.cells} AND {self.inside} GROUP BY 1
        """


def _split(row: str) -> list[str]:
    """The top-level comma-separated expressions of ``row``."""
    items, depth, current = [], 0, ""
    for char in row:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [*items, current.strip()]


def _sum_type(measure: str) -> str:
    return "float8" if measure == "completion_seconds_sum" else "bigint"
