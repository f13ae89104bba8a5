"""For any responses and invitations (surveys of every kind, customers answering several
times, links reissued on other channels, events applied twice), any filter (survey, channel,
region, product version, tier, since and until at any minute), any time zone (whole-hour,
half-hour and 45-minute offsets, daylight saving of an hour and of half an hour) and any
minimum group size, the dashboard's figures, trends and breakdowns read from the rollups equal
those read from the rows alone; and the rollups kept event by event equal the rollups computed
from the rows."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import AsyncConnection, Connection, sql

from domain.customer.model import Customer
from domain.shared.metadata import EventMetadata
from domain.survey.model import Invitation, Survey
from domain.survey.values import SurveyKind
from infrastructure.database import Database
from projections.base import Positioned
from projections.surveys.projection import SurveyDashboard
from projections.surveys.queries import breakdown, dashboard, trend
from projections.surveys.rollups import ROLLUPS_FROM_ROWS
from projections.surveys.views import DashboardFilter, Dimension, TrendInterval
from tests.support.postgres import fresh_database

START = datetime(2024, 3, 25, tzinfo=UTC)  # the range crosses DST changes both ways
SPAN_MINUTES = 240 * 24 * 60
SYSTEM = EventMetadata.system()
REGIONS = [None, "EU", "US"]
CHANNELS = ["email", "sms", "web"]
VERSIONS = [None, "1.0", "2.0"]
TIERS = [None, "bronze", "gold"]
ZONES = [
    "UTC",
    "Europe/Rome",
    "America/New_York",
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # +10:30, half an hour of daylight saving
]
ROLLUP_TABLES = [
    t for t in SurveyDashboard.tables if t.endswith(("_slices", "_cube", "_days"))
]  # the rollups and the presence rows that keep their distinct people


@dataclasses.dataclass(frozen=True)
class Answer:
    survey: int
    customer: int  # few customers: the same person answers several surveys
    score_share: float
    region: str | None
    channel: str
    reissued_on: str | None  # a later link on this channel
    issued_minute: int
    delay_minutes: int | None  # None: invited, never answered
    tier: str | None


def answer_lists(customers: int, span_minutes: int, delay_minutes: int) -> Any:
    return st.lists(
        st.builds(
            Answer,
            st.integers(0, 2),
            st.integers(0, customers - 1),
            st.floats(0, 1),
            st.sampled_from(REGIONS),
            st.sampled_from(CHANNELS),
            st.none() | st.sampled_from(CHANNELS),
            st.integers(0, span_minutes),
            st.none() | st.integers(0, delay_minutes),
            st.sampled_from(TIERS),
        ),
        max_size=40,
    )


answers = answer_lists(6, SPAN_MINUTES, 3 * 24 * 60)
dense_answers = answer_lists(12, 3 * 24 * 60, 12 * 60)
"""Three days of answers from twelve people: the minimum group size decides on days and on the
parts of a UTC day in a viewer's zone, where the distinct counts of the slices prove a group
large enough or not."""
kinds = st.lists(st.sampled_from(list(SurveyKind)), min_size=3, max_size=3)
moments = st.none() | st.integers(0, SPAN_MINUTES).map(lambda m: START + timedelta(minutes=m))
filters = st.builds(
    DashboardFilter,
    survey_id=st.none() | st.integers(1, 3).map(lambda n: UUID(int=n)),
    since=moments,
    until=moments,
    region=st.none() | st.sampled_from(["EU", "US"]),
    channel=st.none() | st.sampled_from(CHANNELS),
    product_version=st.none() | st.sampled_from(["1.0", "2.0"]),
    tier=st.none() | st.sampled_from(["bronze", "gold"]),
)


def event(event_class: Any, **fields: Any) -> Any:
    """An event built directly, at a chosen time (mypy does not see the events' fields)."""
    return event_class(**fields)


def survey_events(kinds: list[SurveyKind]) -> list[Any]:
    return [
        event(
            Survey.Drafted,
            originator_id=UUID(int=index + 1),
            originator_version=1,
            timestamp=START,
            originator_topic=get_topic(Survey),
            metadata=SYSTEM,
            kind=kind.value,
            title="T",
            question="Q",
            aspects=[],
            product_version=VERSIONS[index],
            channels=CHANNELS,
        )
        for index, kind in enumerate(kinds)
    ]


def answer_events(kinds: list[SurveyKind], number: int, answer: Answer) -> list[Any]:
    survey, customer = UUID(int=answer.survey + 1), UUID(int=1000 + answer.customer)
    # The same customer may be invited to a survey once: other answers are other links.
    invitation = UUID(int=10_000 + number)
    issued_at = START + timedelta(minutes=answer.issued_minute)
    kind = kinds[answer.survey]
    made: list[Any] = [
        event(
            Customer.RegionChanged,
            originator_id=customer,
            originator_version=2 + number,
            timestamp=issued_at,
            metadata=SYSTEM,
            region=answer.region,
        ),
        event(
            Invitation.Issued,
            originator_id=invitation,
            originator_version=1,
            timestamp=issued_at,
            originator_topic=get_topic(Invitation),
            metadata=SYSTEM,
            survey_id=survey,
            customer_id=customer,
            channel=answer.channel,
            token_digest=None,
            expires_at=None,
            token=None,
            recipient=None,
        ),
    ]
    if answer.reissued_on is not None:
        made.append(
            event(
                Invitation.Reissued,
                originator_id=invitation,
                originator_version=2,
                timestamp=issued_at + timedelta(minutes=1),
                metadata=SYSTEM,
                channel=answer.reissued_on,
                token_digest=None,
                expires_at=None,
                token=None,
                recipient=None,
            )
        )
    if answer.delay_minutes is not None:
        low, high = kind.scale
        made.append(
            event(
                Invitation.Responded,
                originator_id=invitation,
                originator_version=3,
                timestamp=issued_at + timedelta(minutes=answer.delay_minutes),
                metadata=SYSTEM,
                survey_id=survey,
                customer_id=customer,
                kind=kind.value,
                score=low + round(answer.score_share * (high - low)),
                aspect_scores={},
                comment=None,
                channel=answer.reissued_on or answer.channel,
                region=answer.region,
                product_version=VERSIONS[answer.survey],
                completion_seconds=answer.delay_minutes * 60.0,
                tier=answer.tier,
                comment_sentiment=None,
            )
        )
    return made


@pytest.fixture(scope="module")
def shared_database(pg_admin: str) -> Iterator[Database]:
    with fresh_database(pg_admin) as database:
        with database.connect() as conn:
            conn.execute(SurveyDashboard.ddl)
            conn.commit()
        yield database


def load(
    database: Database,
    kinds: list[SurveyKind],
    given: list[Answer],
    batch_size: int | None = None,
    *,
    loading: bool = False,
) -> None:
    """The events applied as one batch, then replayed (``batch_size`` None), or in batches of
    ``batch_size`` by one projection, as a rebuild applies them (``loading``: by COPY where a
    rebuild would)."""
    made = survey_events(kinds)
    for number, answer in enumerate(given):
        made.extend(answer_events(kinds, number, answer))
    batch = [Positioned(position, item) for position, item in enumerate(made, start=1)]
    with database.connect() as conn:
        tables = sql.SQL(", ").join(sql.Identifier(t) for t in SurveyDashboard.tables)
        conn.execute(sql.SQL("TRUNCATE {}").format(tables))
        with conn.cursor() as cursor:
            if batch_size is None:
                SurveyDashboard().apply(cursor, batch)
                SurveyDashboard().apply(cursor, batch)  # a replay changes nothing
            else:
                projection = SurveyDashboard()
                projection.loading = loading
                for start in range(0, len(batch), batch_size):
                    projection.apply(cursor, batch[start : start + batch_size])
        conn.commit()


def rollup_rows(conn: Connection[Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(
            (
                row
                for row in conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
                if table.endswith("_days")
                or any(value != 0 for value in row[-10:] if isinstance(value, int | float))
            ),
            key=repr,
        )
        for table in ROLLUP_TABLES
    }


def read(database: Database, f: DashboardFilter, zone: str, smallest: int, rollups: bool) -> Any:
    async def run() -> list[Any]:
        async with await AsyncConnection.connect(database.conninfo) as conn:
            got: list[Any] = [await dashboard(conn, f, min_group_size=smallest, rollups=rollups)]
            for interval in TrendInterval:
                got.append(
                    await trend(conn, f, interval, zone, min_group_size=smallest, rollups=rollups)
                )
            for by in Dimension:
                got.append(await breakdown(conn, f, by, min_group_size=smallest, rollups=rollups))
            return got

    return asyncio.run(run())


def same(a: Any, b: Any) -> bool:
    """Equal, floats to rounding (sums are added up in another order)."""
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9)
    return bool(a == b)


@settings(max_examples=60, deadline=None)
@given(
    kinds=kinds,
    given=answers,
    f=filters,
    zone=st.sampled_from(ZONES),
    smallest=st.sampled_from([1, 1, 2, 3, 5]),
)
def test_figures_from_the_rollups_equal_figures_from_the_rows(
    shared_database: Database,
    kinds: list[SurveyKind],
    given: list[Answer],
    f: DashboardFilter,
    zone: str,
    smallest: int,
) -> None:
    load(shared_database, kinds, given)
    from_rollups = read(shared_database, f, zone, smallest, rollups=True)
    from_rows = read(shared_database, f, zone, smallest, rollups=False)
    assert same(from_rollups, from_rows), (from_rollups, from_rows)


@settings(max_examples=40, deadline=None)
@given(
    kinds=kinds,
    given=dense_answers,
    f=filters,
    zone=st.sampled_from(ZONES),
    smallest=st.sampled_from([2, 3, 4, 5]),
)
def test_suppression_from_the_distinct_counts_equals_suppression_from_the_rows(
    shared_database: Database,
    kinds: list[SurveyKind],
    given: list[Answer],
    f: DashboardFilter,
    zone: str,
    smallest: int,
) -> None:
    """Dense days, every group size that suppresses: which groups are shown, and their
    figures, are the same from the rollups (their distinct people per slice and UTC day) as
    from the rows, in every zone."""
    load(shared_database, kinds, given)
    from_rollups = read(shared_database, f, zone, smallest, rollups=True)
    from_rows = read(shared_database, f, zone, smallest, rollups=False)
    assert same(from_rollups, from_rows), (from_rollups, from_rows)


@settings(max_examples=25, deadline=None)
@given(kinds=kinds, given=answers)
def test_the_rollups_kept_event_by_event_equal_the_rollups_computed_from_the_rows(
    shared_database: Database, kinds: list[SurveyKind], given: list[Answer]
) -> None:
    load(shared_database, kinds, given)
    assert_rollups_equal_those_from_the_rows(shared_database)


@settings(max_examples=25, deadline=None)
@given(
    kinds=kinds,
    given=answers,
    size=st.integers(min_value=1, max_value=8),
    loading=st.booleans(),
)
def test_the_rollups_kept_batch_by_batch_equal_the_rollups_computed_from_the_rows(
    shared_database: Database,
    kinds: list[SurveyKind],
    given: list[Answer],
    size: int,
    loading: bool,
) -> None:
    """Small batches: a person counted by an earlier batch (a presence row from before the
    batch) in one cell of a slice is not new to that slice in another of its cells."""
    load(shared_database, kinds, given, size, loading=loading)
    assert_rollups_equal_those_from_the_rows(shared_database)


def assert_rollups_equal_those_from_the_rows(database: Database) -> None:
    with database.connect() as conn:
        kept = rollup_rows(conn)
        for table in ROLLUP_TABLES:
            conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))
        for statement in ROLLUPS_FROM_ROWS:
            conn.execute(statement)
        assert kept == rollup_rows(conn)
        conn.rollback()


@pytest.mark.parametrize(
    ("zone", "twice_at", "once_at"),
    [
        # New York's day starts at 04:00 UTC: the UTC day's row counts under the day it ends
        # in, where one person answered twice; the other answered the evening before.
        ("America/New_York", (720, 780), 60),
        # Rome's starts at 23:00 UTC: the row counts under the day it starts in, where one
        # person answered twice; the other answered after 23:00, on Rome's next day.
        ("Europe/Rome", (60, 120), 1410),
    ],
)
def test_a_local_day_of_one_person_stays_suppressed_when_its_utc_day_holds_more(
    shared_database: Database, zone: str, twice_at: tuple[int, int], once_at: int
) -> None:
    """A UTC day's slice counts two people, but the local day its row counts under holds
    two answers of one person: with a minimum of two, that day is suppressed from the rollups
    as from the rows (the day's rows of the other local day are taken off what the slice
    proves), and so is the other local day (one answer)."""
    kinds = [SurveyKind.NPS, SurveyKind.NPS, SurveyKind.NPS]

    def answer(customer: int, minute: int) -> Answer:
        return Answer(0, customer, 1.0, "EU", "email", None, minute, 0, None)

    answered = [answer(0, twice_at[0]), answer(0, twice_at[1]), answer(1, once_at)]
    load(shared_database, kinds, answered)

    async def day_trend(rollups: bool) -> list[Any]:
        async with await AsyncConnection.connect(shared_database.conninfo) as conn:
            return await trend(
                conn, DashboardFilter(), TrendInterval.DAY, zone, min_group_size=2, rollups=rollups
            )

    from_rollups = asyncio.run(day_trend(True))
    assert [p.figures.suppressed for p in from_rollups] == [True, True]
    assert same(from_rollups, asyncio.run(day_trend(False)))
