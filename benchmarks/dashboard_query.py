"""Survey dashboard queries over 100,000 responses, against a bare count of the same table.

The read model is filled through the projection's own ``apply`` with synthetic events
(surveys drafted and published, invitations issued, responses given over a year, in several
regions, channels and product versions), in batches, pipelined: the tables and indexes are
exactly what the projection writes, without the event store in between. Then each query runs
repeatedly and its median is printed with its ratio to the median of
``SELECT count(*) FROM survey_responses`` on the same connection in the same run.

    .venv/bin/python benchmarks/dashboard_query.py [--responses 100000] [--repeat 15]
        [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from domain.loyalty.values import Tier
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.model import Invitation, Survey
from domain.survey.values import SurveyKind
from infrastructure.database import Database, scratch_database, scratch_server
from projections.base import Positioned
from projections.surveys import queries
from projections.surveys.projection import SurveyDashboard
from projections.surveys.small_groups import EVERY_GROUP
from projections.surveys.views import DashboardFilter, Dimension, TrendInterval

BATCH = 2_000
ANALYSTS = 5
"""The default CXL_MIN_GROUP_SIZE, which analysts and auditors read under."""
ROME = "Europe/Rome"
REGIONS = ("north", "south", "east", "west", "centre", "islands")
CHANNELS = ("email", "sms", "web", "app")
TIERS = (None, *(tier.value for tier in Tier))
INVITED_PER_RESPONSE = 1.3
START = datetime(2025, 1, 1, tzinfo=UTC)
METADATA = EventMetadata(actor_id="benchmark", actor_role=Role.AGENT, channel=Channel.API)
SURVEYS = (
    (SurveyKind.NPS, "2.4.0"),
    (SurveyKind.NPS, "2.5.0"),
    (SurveyKind.CSAT, None),
    (SurveyKind.CES, None),
)

AsyncConn = psycopg.AsyncConnection[Any]
Timed = Callable[[AsyncConn], Awaitable[object]]


def event(event_class: Callable[..., Any], **fields: Any) -> Any:
    """An event of ``event_class``, as the aggregate would have triggered it (mypy does not
    see the fields eventsourcing gives event classes)."""
    return event_class(**fields)


def survey_events(survey_id: uuid.UUID, kind: SurveyKind, version: str | None) -> list[Any]:
    drafted = event(
        Survey.Drafted,
        originator_id=survey_id,
        originator_version=1,
        timestamp=START,
        originator_topic="domain.survey.model:Survey",
        metadata=METADATA,
        kind=kind.value,
        title=f"Benchmark {kind.value}",
        question="How likely are you to recommend us?",
        aspects=[],
        product_version=version,
        channels=list(CHANNELS),
    )
    published = event(
        Survey.Published,
        originator_id=survey_id,
        originator_version=2,
        timestamp=START,
        metadata=METADATA,
    )
    return [drafted, published]


def invitation_events(
    rng: random.Random, survey: tuple[uuid.UUID, SurveyKind, str | None], responds: bool
) -> list[Any]:
    survey_id, kind, version = survey
    customer_id = uuid.uuid4()
    invitation_id = Invitation.id_for(survey_id, customer_id)
    issued_at = START + timedelta(seconds=rng.uniform(0, 365 * 86_400))
    channel = rng.choice(CHANNELS)
    events: list[Any] = [
        event(
            Invitation.Issued,
            originator_id=invitation_id,
            originator_version=1,
            timestamp=issued_at,
            originator_topic="domain.survey.model:Invitation",
            metadata=METADATA,
            survey_id=survey_id,
            customer_id=customer_id,
            channel=channel,
            token_digest=None,
            expires_at=None,
            token=None,
            recipient=None,
        )
    ]
    if responds:
        low, high = kind.scale
        seconds = rng.uniform(5, 3_600)
        events.append(
            event(
                Invitation.Responded,
                originator_id=invitation_id,
                originator_version=2,
                timestamp=issued_at + timedelta(seconds=seconds),
                metadata=METADATA,
                survey_id=survey_id,
                customer_id=customer_id,
                kind=kind.value,
                score=rng.randint(low, high),
                aspect_scores={},
                comment=None,
                channel=channel,
                region=rng.choice(REGIONS),
                product_version=version,
                completion_seconds=seconds,
                tier=rng.choice(TIERS),
                comment_sentiment=None,
            )
        )
    return events


def synthetic_events(responses: int, seed: int = 7) -> Iterator[Any]:
    rng = random.Random(seed)
    surveys = [(uuid.uuid4(), kind, version) for kind, version in SURVEYS]
    for survey_id, kind, version in surveys:
        yield from survey_events(survey_id, kind, version)
    invitations = int(responses * INVITED_PER_RESPONSE)
    for index in range(invitations):
        yield from invitation_events(rng, surveys[index % len(surveys)], index < responses)


def fill(database: Database, responses: int) -> float:
    """Apply the synthetic events in batches; the seconds it took."""
    projection = SurveyDashboard()
    started = time.monotonic()
    with database.connect() as conn:
        conn.execute(projection.ddl)
        conn.commit()
        batch: list[Positioned] = []
        for position, event in enumerate(synthetic_events(responses), start=1):
            batch.append(Positioned(position, event))
            if len(batch) == BATCH:
                apply(conn, projection, batch)
                batch = []
        apply(conn, projection, batch)
        conn.execute("ANALYZE")
    return time.monotonic() - started


def apply(conn: psycopg.Connection[Any], projection: SurveyDashboard, batch: list[Any]) -> None:
    with conn.transaction(), conn.pipeline(), conn.cursor() as cursor:
        projection.apply(cursor, batch)


async def median_seconds(conn: AsyncConn, timed: Timed, repeat: int) -> float:
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
    reads them (groups of fewer than 5 people suppressed: people counted, not rows)."""
    everything = DashboardFilter()
    one = DashboardFilter(survey_id=survey_id)
    narrow = DashboardFilter(region="north", since=START + timedelta(days=300))
    month, day, region = TrendInterval.MONTH, TrendInterval.DAY, Dimension.REGION
    k1, k5 = {"min_group_size": EVERY_GROUP}, {"min_group_size": ANALYSTS}
    return [
        ("dashboard, no filter", lambda c: queries.dashboard(c, everything, **k1)),
        ("dashboard, one survey", lambda c: queries.dashboard(c, one, **k1)),
        ("dashboard, region + last 65 days", lambda c: queries.dashboard(c, narrow, **k1)),
        ("trend by month, Europe/Rome", lambda c: queries.trend(c, everything, month, ROME, **k1)),
        ("trend by day, one survey", lambda c: queries.trend(c, one, day, "UTC", **k1)),
        ("breakdown by region", lambda c: queries.breakdown(c, everything, region, **k1)),
        ("breakdown by survey", lambda c: queries.breakdown(c, everything, Dimension.SURVEY, **k1)),
        ("analyst: dashboard, no filter", lambda c: queries.dashboard(c, everything, **k5)),
        ("analyst: dashboard, one survey", lambda c: queries.dashboard(c, one, **k5)),
        ("analyst: trend by month", lambda c: queries.trend(c, everything, month, ROME, **k5)),
        ("analyst: breakdown by region", lambda c: queries.breakdown(c, everything, region, **k5)),
    ]


async def measure(database: Database, repeat: int) -> tuple[float, list[tuple[str, float]]]:
    async with await psycopg.AsyncConnection.connect(database.conninfo, autocommit=True) as conn:
        baseline = await median_seconds(conn, bare_count, repeat)
        survey_id = await a_survey(conn)
        rows = [
            (name, await median_seconds(conn, timed, repeat)) for name, timed in cases(survey_id)
        ]
    return baseline, rows


def version_of(database: Database) -> str:
    with database.connect() as conn:
        return str(conn.execute("SELECT current_setting('server_version')").fetchall()[0][0])


def run(admin_conninfo: str, responses: int, repeat: int) -> None:
    with scratch_database(admin_conninfo, "cxl_bench") as database:
        loaded = fill(database, responses)
        baseline, rows = asyncio.run(measure(database, repeat))
        version = version_of(database)
    events = int(responses * INVITED_PER_RESPONSE) + responses
    print(
        f"PostgreSQL {version}; {responses:,} responses, {events:,} events applied in "
        f"{loaded:.1f} s ({events / loaded:,.0f} events/s); median of {repeat} runs"
    )
    print(f"{'query':<34}  {'median ms':>9}  ratio to count(*)")
    print(f"{'SELECT count(*) (baseline)':<34}  {baseline * 1000:>9.2f}  {1.0:>8.1f}")
    for name, seconds in rows:
        print(f"{name:<34}  {seconds * 1000:>9.2f}  {seconds / baseline:>8.1f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000, help="responses to load")
    parser.add_argument("--repeat", type=int, default=15, help="runs per query (median)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.responses, args.repeat)


if __name__ == "__main__":
    main()
