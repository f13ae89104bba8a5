"""Survey dashboard queries over 1,000,000 responses, against a bare count of the same table.

The read model is filled set-based (``INSERT ... SELECT`` from ``generate_series``: surveys,
invitations and responses spread over a year, in several regions, channels, loyalty tiers and
product versions), then its rollups are computed from those rows with the statements the
projection's tests hold equal to what it keeps event by event
(``projections.surveys.rollups.ROLLUPS_FROM_ROWS``). Then each query runs repeatedly and its
median is printed with its ratio to the median of ``SELECT count(*) FROM survey_responses`` on
the same connection in the same run; with ``--rows`` each also runs from the rows alone (the
read path before the rollups) beside it.

    .venv/bin/python benchmarks/dashboard_query.py [--responses 1000000] [--repeat 15]
        [--rows] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import psycopg

from domain.loyalty.values import Tier
from infrastructure.database import Database, scratch_database, scratch_server
from projections.surveys import queries
from projections.surveys.projection import SurveyDashboard
from projections.surveys.rollups import ROLLUPS_FROM_ROWS
from projections.surveys.small_groups import EVERY_GROUP
from projections.surveys.views import DashboardFilter, Dimension, TrendInterval

ANALYSTS = 5
"""The default CXL_MIN_GROUP_SIZE, which analysts and auditors read under."""
ROME = "Europe/Rome"
REGIONS = ["north", "south", "east", "west", "centre", "islands"]
CHANNELS = ["email", "sms", "web", "app"]
TIERS = [None, *(tier.value for tier in Tier)]
INVITED_PER_RESPONSE = 1.3
START = datetime(2025, 1, 1, tzinfo=UTC)
SURVEYS = [
    ("nps", "2.4.0", 0, 10),
    ("nps", "2.5.0", 0, 10),
    ("csat", None, 1, 5),
    ("ces", None, 1, 7),
]

AsyncConn = psycopg.AsyncConnection[Any]
Query = Callable[[AsyncConn], Awaitable[object]]
Timed = Callable[[AsyncConn, bool], Awaitable[object]]

# One row per invitation: its survey (round robin), segment, first issue time over a year and,
# for the first ``responses`` of them, the response's score and completion time. Rows are
# written in time order, as the projection writes them while the log grows.
_DRAWN = """
    CREATE TEMPORARY TABLE drawn AS
    SELECT n, gen_random_uuid() AS invitation_id, gen_random_uuid() AS customer_id,
        s.survey_id, s.kind, s.product_version, s.low, s.high,
        (%(channels)s::text[])[1 + floor(random() * cardinality(%(channels)s::text[]))::int]
            AS channel,
        (%(regions)s::text[])[1 + floor(random() * cardinality(%(regions)s::text[]))::int]
            AS region,
        (%(tiers)s::text[])[1 + floor(random() * cardinality(%(tiers)s::text[]))::int] AS tier,
        %(start)s::timestamptz + random() * interval '365 days' AS issued_at,
        5 + random() * 3595 AS seconds,
        random() AS share
    FROM generate_series(1, %(invitations)s) AS n
    JOIN unnest(%(ids)s::uuid[], %(kinds)s::text[], %(versions)s::text[], %(lows)s::int[],
        %(highs)s::int[]) WITH ORDINALITY AS s(survey_id, kind, product_version, low, high, o)
        ON s.o = 1 + n %% cardinality(%(ids)s::uuid[])
"""

_CATALOG = """
    INSERT INTO survey_catalog (survey_id, seq, kind, title, question, aspects, product_version,
        channels, status, drafted_at, published_at, version)
    SELECT s.survey_id, s.o, s.kind, 'Benchmark ' || s.kind, 'How likely?', '[]',
        s.product_version, %(channels)s, 'published', %(start)s, %(start)s, 2
    FROM unnest(%(ids)s::uuid[], %(kinds)s::text[], %(versions)s::text[])
        WITH ORDINALITY AS s(survey_id, kind, product_version, o)
"""

_INVITATIONS = """
    INSERT INTO survey_invitations (invitation_id, survey_id, customer_id, channel, region,
        tier, product_version, issued_at, responded_at)
    SELECT invitation_id, survey_id, customer_id, channel, region, tier, product_version,
        issued_at, CASE WHEN n <= %(responses)s
            THEN issued_at + seconds * interval '1 second' END
    FROM drawn ORDER BY issued_at
"""

_RESPONSES = """
    INSERT INTO survey_responses (response_id, seq, survey_id, customer_id, kind, score,
        nps_category, channel, region, product_version, tier, responded_at, completion_seconds)
    SELECT invitation_id, n, survey_id, customer_id, kind, score,
        CASE WHEN kind <> 'nps' THEN NULL WHEN score >= 9 THEN 'promoter'
            WHEN score >= 7 THEN 'passive' ELSE 'detractor' END,
        channel, region, product_version, tier, issued_at + seconds * interval '1 second',
        seconds
    FROM (SELECT *, low + round(share * (high - low))::int AS score FROM drawn) d
    WHERE n <= %(responses)s ORDER BY issued_at
"""


def fill(database: Database, responses: int) -> float:
    """Load the rows and their rollups set-based; the seconds it took."""
    started = time.monotonic()
    ids = [uuid.uuid4() for _ in SURVEYS]
    params = {
        "channels": CHANNELS,
        "regions": REGIONS,
        "tiers": TIERS,
        "start": START,
        "invitations": int(responses * INVITED_PER_RESPONSE),
        "responses": responses,
        "ids": ids,
        "kinds": [kind for kind, _, _, _ in SURVEYS],
        "versions": [version for _, version, _, _ in SURVEYS],
        "lows": [low for _, _, low, _ in SURVEYS],
        "highs": [high for _, _, _, high in SURVEYS],
    }
    with database.connect() as conn:
        conn.execute(SurveyDashboard.ddl)
        conn.execute("SELECT setseed(0.7)")
        for statement in (_DRAWN, _CATALOG, _INVITATIONS, _RESPONSES):
            conn.execute(statement, params)
        for statement in ROLLUPS_FROM_ROWS:
            conn.execute(statement)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return time.monotonic() - started


async def median_seconds(conn: AsyncConn, timed: Query, repeat: int) -> float:
    await timed(conn)  # warm: plans and caches, as a dashboard that is in use has them
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await timed(conn)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def bare_count(conn: AsyncConn) -> object:
    cursor = await conn.execute("SELECT count(*) FROM survey_responses")
    return await cursor.fetchone()


async def a_survey(conn: AsyncConn) -> uuid.UUID:
    cursor = await conn.execute("SELECT survey_id FROM survey_catalog ORDER BY seq LIMIT 1")
    row = await cursor.fetchone()
    assert row is not None
    return uuid.UUID(str(row[0]))


def cases(survey_id: uuid.UUID) -> list[tuple[str, Timed]]:
    """Each query as an agent reads it (every group shown), and the widest ones as an analyst
    reads them (groups of fewer than 5 people suppressed: people counted, not rows); the
    second argument of each says whether to read the rollups."""
    everything = DashboardFilter()
    one = DashboardFilter(survey_id=survey_id)
    narrow = DashboardFilter(region="north", since=START + timedelta(days=300))
    month, day, region = TrendInterval.MONTH, TrendInterval.DAY, Dimension.REGION
    k1, k5 = EVERY_GROUP, ANALYSTS
    return [
        (
            "dashboard, no filter",
            lambda c, r: queries.dashboard(c, everything, min_group_size=k1, rollups=r),
        ),
        (
            "dashboard, one survey",
            lambda c, r: queries.dashboard(c, one, min_group_size=k1, rollups=r),
        ),
        (
            "dashboard, region + last 65 days",
            lambda c, r: queries.dashboard(c, narrow, min_group_size=k1, rollups=r),
        ),
        (
            "trend by month, Europe/Rome",
            lambda c, r: queries.trend(c, everything, month, ROME, min_group_size=k1, rollups=r),
        ),
        (
            "trend by day, one survey",
            lambda c, r: queries.trend(c, one, day, "UTC", min_group_size=k1, rollups=r),
        ),
        (
            "breakdown by region",
            lambda c, r: queries.breakdown(c, everything, region, min_group_size=k1, rollups=r),
        ),
        (
            "breakdown by survey",
            lambda c, r: queries.breakdown(
                c, everything, Dimension.SURVEY, min_group_size=k1, rollups=r
            ),
        ),
        (
            "analyst: dashboard, no filter",
            lambda c, r: queries.dashboard(c, everything, min_group_size=k5, rollups=r),
        ),
        (
            "analyst: dashboard, one survey",
            lambda c, r: queries.dashboard(c, one, min_group_size=k5, rollups=r),
        ),
        (
            "analyst: trend by month",
            lambda c, r: queries.trend(c, everything, month, ROME, min_group_size=k5, rollups=r),
        ),
        (
            "analyst: breakdown by region",
            lambda c, r: queries.breakdown(c, everything, region, min_group_size=k5, rollups=r),
        ),
    ]


Row = tuple[str, float, float | None]


async def _reading(timed: Timed, rollups: bool, conn: AsyncConn) -> object:
    return await timed(conn, rollups)


async def measure(database: Database, repeat: int, rows_too: bool) -> tuple[float, list[Row]]:
    async with await psycopg.AsyncConnection.connect(database.conninfo, autocommit=True) as conn:
        baseline = await median_seconds(conn, bare_count, repeat)
        survey_id = await a_survey(conn)
        measured: list[Row] = []
        for name, timed in cases(survey_id):
            rollups = await median_seconds(conn, partial(_reading, timed, True), repeat)
            rows = (
                await median_seconds(conn, partial(_reading, timed, False), repeat)
                if rows_too
                else None
            )
            measured.append((name, rollups, rows))
    return baseline, measured


def version_of(database: Database) -> str:
    with database.connect() as conn:
        return str(conn.execute("SELECT current_setting('server_version')").fetchall()[0][0])


def run(admin_conninfo: str, responses: int, repeat: int, rows_too: bool) -> None:
    with scratch_database(admin_conninfo, "cxl_bench") as database:
        loaded = fill(database, responses)
        baseline, measured = asyncio.run(measure(database, repeat, rows_too))
        version = version_of(database)
    print(
        f"PostgreSQL {version}; {responses:,} responses and "
        f"{int(responses * INVITED_PER_RESPONSE):,} invitations loaded with their rollups in "
        f"{loaded:.1f} s; median of {repeat} runs"
    )
    rows_heading = "  rows ms  ratio" if rows_too else ""
    print(f"{'query':<34}  {'median ms':>9}  ratio to count(*){rows_heading}")
    print(f"{'SELECT count(*) (baseline)':<34}  {baseline * 1000:>9.2f}  {1.0:>17.2f}")
    for name, seconds, rows in measured:
        line = f"{name:<34}  {seconds * 1000:>9.2f}  {seconds / baseline:>17.2f}"
        if rows is not None:
            line += f"  {rows * 1000:>7.2f}  {rows / baseline:>5.1f}"
        print(line)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="responses to load")
    parser.add_argument("--repeat", type=int, default=15, help="runs per query (median)")
    parser.add_argument(
        "--rows", action="store_true", help="also time each query from the rows alone (before)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.responses, args.repeat, args.rows)


if __name__ == "__main__":
    main()
