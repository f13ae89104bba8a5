"""For any mix of surveys, invitations and responses (kinds, scores, times across days and
daylight-saving changes, regions, channels, product versions, aspects), the dashboard,
its trend in a time zone, its breakdowns and the margin of error equal an independent
computation in plain Python over the same answers; and for any minimum group size, exactly
the groups of fewer people are suppressed (every answer here is another person's)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.utils import get_topic
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import AsyncConnection, sql

from domain.customer.model import Customer
from domain.loyalty.account import LoyaltyAccount
from domain.shared.metadata import EventMetadata
from domain.survey.model import Invitation, Survey
from domain.survey.values import SurveyKind
from infrastructure.database import Database
from projections.base import Positioned
from projections.surveys.projection import SurveyDashboard
from projections.surveys.queries import aspect_figures, breakdown, dashboard, trend
from projections.surveys.small_groups import EVERY_GROUP, SUPPRESSED_FIGURES
from projections.surveys.views import (
    DashboardFigures,
    DashboardFilter,
    Dimension,
    TrendInterval,
)
from tests.support.postgres import fresh_database

ZONE = "America/New_York"
START = datetime(2024, 2, 20, tzinfo=UTC)  # the range crosses both of 2024's DST changes
SPAN_MINUTES = 280 * 24 * 60
SYSTEM = EventMetadata.system()
REGIONS = [None, "EU", "US"]
CHANNELS = ["email", "sms", "web"]
VERSIONS = [None, "1.0", "2.0"]
TIERS = [None, "bronze", "silver", "gold"]


@dataclass(frozen=True)
class SurveyCase:
    kind: SurveyKind
    version: str | None


@dataclass(frozen=True)
class Answer:
    survey: int
    score_share: float  # where on the survey's scale, 0..1
    region: str | None
    channel: str
    issued_minute: int
    delay_minutes: int | None  # None: invited, never answered
    aspects: dict[str, int]
    tier_at_issue: str | None  # None: not a loyalty member when invited
    tier_at_response: str | None  # what the response event froze

    @property
    def issued_at(self) -> datetime:
        return START + timedelta(minutes=self.issued_minute)

    @property
    def responded_at(self) -> datetime:
        return self.issued_at + timedelta(minutes=self.delay_minutes or 0)


surveys = st.lists(
    st.builds(SurveyCase, st.sampled_from(list(SurveyKind)), st.sampled_from(VERSIONS)),
    min_size=1,
    max_size=3,
)
answers = st.lists(
    st.builds(
        Answer,
        st.integers(0, 2),
        st.floats(0, 1),
        st.sampled_from(REGIONS),
        st.sampled_from(CHANNELS),
        st.integers(0, SPAN_MINUTES),
        st.none() | st.integers(0, 20 * 24 * 60),
        st.dictionaries(st.sampled_from(["pricing", "support"]), st.integers(1, 5)),
        st.sampled_from(TIERS),
        st.sampled_from(TIERS),
    ),
    max_size=40,
)


def score(case: SurveyCase, answer: Answer) -> int:
    low, high = case.kind.scale
    return low + round(answer.score_share * (high - low))


@dataclass(frozen=True)
class Row:
    """One answer as the model sees it: its survey case and score resolved."""

    answer: Answer
    survey_id: UUID
    case: SurveyCase
    score: int


def rows_of(cases: list[SurveyCase], given_answers: list[Answer]) -> list[Row]:
    result = []
    for answer in given_answers:
        index = answer.survey % len(cases)
        case = cases[index]
        result.append(Row(answer, UUID(int=index + 1), case, score(case, answer)))
    return result


def event(event_class: Any, **fields: Any) -> Any:
    """An event built directly, at a chosen time (mypy does not see the events' fields)."""
    return event_class(**fields)


def events(cases: list[SurveyCase], rows: list[Row]) -> list[Positioned]:
    made: list[Any] = []
    for index, case in enumerate(cases):
        made.append(
            event(
                Survey.Drafted,
                originator_id=UUID(int=index + 1),
                originator_version=1,
                timestamp=START,
                originator_topic=get_topic(Survey),
                metadata=SYSTEM,
                kind=case.kind.value,
                title="T",
                question="Q",
                aspects=[],
                product_version=case.version,
                channels=CHANNELS,
            )
        )
    for number, row in enumerate(rows):
        made.extend(row_events(row, UUID(int=1000 + number)))
    return [Positioned(position, item) for position, item in enumerate(made, start=1)]


def row_events(row: Row, customer: UUID) -> list[Any]:
    answer, invitation = row.answer, Invitation.id_for(row.survey_id, customer)
    made: list[Any] = [
        event(
            Customer.RegionChanged,
            originator_id=customer,
            originator_version=2,
            timestamp=START,
            metadata=SYSTEM,
            region=answer.region,
        ),
        *membership_events(customer, answer.tier_at_issue),
        event(
            Invitation.Issued,
            originator_id=invitation,
            originator_version=1,
            timestamp=answer.issued_at,
            originator_topic=get_topic(Invitation),
            metadata=SYSTEM,
            survey_id=row.survey_id,
            customer_id=customer,
            channel=answer.channel,
            token_digest=None,
            expires_at=None,
            token=None,
            recipient=None,
        ),
    ]
    if answer.delay_minutes is not None:
        made.append(
            event(
                Invitation.Responded,
                originator_id=invitation,
                originator_version=2,
                timestamp=answer.responded_at,
                metadata=SYSTEM,
                survey_id=row.survey_id,
                customer_id=customer,
                kind=row.case.kind.value,
                score=row.score,
                aspect_scores=answer.aspects,
                comment=None,
                channel=answer.channel,
                region=answer.region,
                product_version=row.case.version,
                completion_seconds=answer.delay_minutes * 60.0,
                tier=answer.tier_at_response,
                comment_sentiment=None,
            )
        )
    return made


def membership_events(customer: UUID, tier: str | None) -> list[Any]:
    """The customer enrols (bronze) and moves to ``tier`` before the invitation."""
    if tier is None:
        return []
    account = LoyaltyAccount.id_for(customer)
    made = [
        event(
            LoyaltyAccount.Enrolled,
            originator_id=account,
            originator_version=1,
            timestamp=START,
            originator_topic=get_topic(LoyaltyAccount),
            metadata=SYSTEM,
            customer_id=customer,
            at=START,
        )
    ]
    if tier != "bronze":
        made.append(
            event(
                LoyaltyAccount.TierChanged,
                originator_id=account,
                originator_version=2,
                timestamp=START,
                metadata=SYSTEM,
                from_tier="bronze",
                to_tier=tier,
                qualifying_points=5000,
                at=START,
            )
        )
    return made


# The model: plain Python over the rows.


def matches(row: Row, f: DashboardFilter, moment: datetime, tier: str | None) -> bool:
    return (
        (f.tier is None or tier == f.tier)
        and (f.survey_id is None or row.survey_id == f.survey_id)
        and (f.since is None or moment >= f.since)
        and (f.until is None or moment < f.until)
        and (f.region is None or row.answer.region == f.region)
        and (f.channel is None or row.answer.channel == f.channel)
        and (f.product_version is None or row.case.version == f.product_version)
    )


def responded(rows: list[Row], f: DashboardFilter) -> list[Row]:
    return [
        r
        for r in rows
        if r.answer.delay_minutes is not None
        and matches(r, f, r.answer.responded_at, r.answer.tier_at_response)
    ]


def invited(rows: list[Row], f: DashboardFilter) -> list[Row]:
    return [r for r in rows if matches(r, f, r.answer.issued_at, r.answer.tier_at_issue)]


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def check_nps(actual: DashboardFigures, answered: list[Row]) -> None:
    nps_scores = [r.score for r in answered if r.case.kind is SurveyKind.NPS]
    points = [1 if s >= 9 else (0 if s >= 7 else -1) for s in nps_scores]
    n = len(points)
    nps = actual.nps
    assert (nps.responses, nps.promoters, nps.detractors) == (
        n,
        points.count(1),
        points.count(-1),
    )
    if n == 0:
        assert (nps.nps, nps.margin_of_error) == (None, None)
        return
    average = sum(points) / n
    spread = sum(p * p for p in points) / n - average**2  # population variance
    assert nps.nps == pytest.approx(average * 100)
    assert nps.margin_of_error == pytest.approx(
        1.96 * math.sqrt(max(spread, 0) / n) * 100, abs=1e-6
    )


def check(actual: DashboardFigures, answered: list[Row], invitations: list[Row]) -> None:
    assert (actual.responses, actual.invitations) == (len(answered), len(invitations))
    rate = len(answered) * 100 / len(invitations) if invitations else None
    assert actual.response_rate == pytest.approx(rate)
    check_nps(actual, answered)
    csat = [r.score for r in answered if r.case.kind is SurveyKind.CSAT]
    ces = [r.score for r in answered if r.case.kind is SurveyKind.CES]
    satisfied = mean([100.0 if s >= 4 else 0.0 for s in csat])
    assert (actual.csat_responses, actual.ces_responses) == (len(csat), len(ces))
    assert actual.csat == pytest.approx(satisfied)
    assert actual.ces_average == pytest.approx(mean([float(s) for s in ces]))
    seconds = mean([(r.answer.delay_minutes or 0) * 60.0 for r in answered])
    assert actual.average_completion_seconds == pytest.approx(seconds)


def period_start(moment: datetime, interval: TrendInterval) -> datetime:
    local = moment.astimezone(ZoneInfo(ZONE))
    day = local.date()
    if interval is TrendInterval.WEEK:
        day -= timedelta(days=day.weekday())
    elif interval is TrendInterval.MONTH:
        day = day.replace(day=1)
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(ZONE))


def dimension_value(row: Row, by: Dimension, *, invitation: bool = False) -> str | None:
    """The row's value of ``by``: frozen at response time, or at issue for its invitation."""
    return {
        Dimension.REGION: row.answer.region,
        Dimension.CHANNEL: row.answer.channel,
        Dimension.PRODUCT_VERSION: row.case.version,
        Dimension.TIER: row.answer.tier_at_issue if invitation else row.answer.tier_at_response,
        Dimension.SURVEY: str(row.survey_id),
    }[by]


# The database: one for the whole module, emptied between examples.


@pytest.fixture(scope="module")
def shared_database(pg_admin: str) -> Iterator[Database]:
    with fresh_database(pg_admin) as database:
        with database.connect() as conn:
            conn.execute(SurveyDashboard.ddl)
            conn.commit()
        yield database


def load(database: Database, batch: list[Positioned]) -> None:
    with database.connect() as conn:
        tables = sql.SQL(", ").join(sql.Identifier(t) for t in SurveyDashboard.tables)
        conn.execute(sql.SQL("TRUNCATE {}").format(tables))
        with conn.cursor() as cursor:
            SurveyDashboard().apply(cursor, batch)
        conn.commit()


Read = Callable[[AsyncConnection[Any]], Any]


def read_all(database: Database, reads: dict[str, Read]) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with await AsyncConnection.connect(database.conninfo) as conn:
            return {name: await read(conn) for name, read in reads.items()}

    return asyncio.run(run())


filters = st.sampled_from(
    [
        DashboardFilter(),
        DashboardFilter(survey_id=UUID(int=1)),
        DashboardFilter(region="EU"),
        DashboardFilter(channel="web"),
        DashboardFilter(product_version="2.0"),
        DashboardFilter(tier="silver"),
        DashboardFilter(since=datetime(2024, 3, 10, 7, tzinfo=UTC)),  # 3am in New York
        DashboardFilter(until=datetime(2024, 11, 3, 6, tzinfo=UTC), region="US"),
    ]
)


@settings(max_examples=40, deadline=None)
@given(cases=surveys, given_answers=answers, f=filters)
def test_the_dashboard_trend_and_breakdowns_equal_a_plain_python_computation(
    shared_database: Database,
    cases: list[SurveyCase],
    given_answers: list[Answer],
    f: DashboardFilter,
) -> None:
    rows = rows_of(cases, given_answers)
    load(shared_database, events(cases, rows))
    reads: dict[str, Read] = {"dashboard": lambda c: dashboard(c, f, min_group_size=EVERY_GROUP)}
    for interval in TrendInterval:
        reads[interval.value] = partial(
            trend, f=f, interval=interval, time_zone=ZONE, min_group_size=EVERY_GROUP
        )
    for by in Dimension:
        reads[by.value] = partial(breakdown, f=f, by=by, min_group_size=EVERY_GROUP)
    reads["aspects"] = lambda c: aspect_figures(c, f, min_group_size=EVERY_GROUP)
    got = read_all(shared_database, reads)

    answered, invitations = responded(rows, f), invited(rows, f)
    check(got["dashboard"], answered, invitations)
    for interval in TrendInterval:
        check_trend(got[interval.value], interval, answered, invitations)
    for by in Dimension:
        check_breakdown(got[by.value], by, answered, invitations)
    check_aspects(got["aspects"], answered)


def check_trend(
    points: list[Any], interval: TrendInterval, answered: list[Row], invitations: list[Row]
) -> None:
    expected = sorted(
        {period_start(r.answer.responded_at, interval) for r in answered}
        | {period_start(r.answer.issued_at, interval) for r in invitations}
    )
    assert [p.period_start for p in points] == expected
    for point in points:
        assert str(point.period_start.tzinfo) == ZONE
        assert (point.period_start.hour, point.period_start.minute) == (0, 0)
        start = point.period_start
        check(
            point.figures,
            [r for r in answered if period_start(r.answer.responded_at, interval) == start],
            [r for r in invitations if period_start(r.answer.issued_at, interval) == start],
        )


def check_breakdown(
    groups: list[Any], by: Dimension, answered: list[Row], invitations: list[Row]
) -> None:
    values = {dimension_value(r, by) for r in answered}
    values |= {dimension_value(r, by, invitation=True) for r in invitations}
    assert [g.value for g in groups] == sorted(values, key=lambda v: (v is None, v or ""))
    for group in groups:
        check(
            group.figures,
            [r for r in answered if dimension_value(r, by) == group.value],
            [r for r in invitations if dimension_value(r, by, invitation=True) == group.value],
        )


def check_aspects(got: list[Any], answered: list[Row]) -> None:
    scores: dict[str, list[int]] = {}
    for row in answered:
        for aspect, value in row.answer.aspects.items():
            scores.setdefault(aspect, []).append(value)
    expected = sorted(scores, key=lambda a: (sum(scores[a]) / len(scores[a]), a))
    assert [a.aspect for a in got] == expected
    for figures in got:
        values = scores[figures.aspect]
        assert figures.responses == len(values)
        assert figures.average == pytest.approx(sum(values) / len(values))
        low = sum(1 for v in values if v <= 2) * 100 / len(values)
        assert figures.low_share == pytest.approx(low)


def check_small(
    actual: DashboardFigures, answered: list[Row], invitations: list[Row], smallest: int
) -> None:
    """Suppressed if the respondents or the invitees are fewer than ``smallest`` (and not
    none); else exactly the figures of everyone."""
    if 0 < len(answered) < smallest or 0 < len(invitations) < smallest:
        assert actual == SUPPRESSED_FIGURES
    else:
        check(actual, answered, invitations)


@settings(max_examples=30, deadline=None)
@given(cases=surveys, given_answers=answers, f=filters, smallest=st.integers(2, 8))
def test_exactly_the_groups_of_fewer_people_than_the_minimum_are_suppressed(
    shared_database: Database,
    cases: list[SurveyCase],
    given_answers: list[Answer],
    f: DashboardFilter,
    smallest: int,
) -> None:
    rows = rows_of(cases, given_answers)
    load(shared_database, events(cases, rows))
    reads: dict[str, Read] = {"dashboard": lambda c: dashboard(c, f, min_group_size=smallest)}
    for by in Dimension:
        reads[by.value] = partial(breakdown, f=f, by=by, min_group_size=smallest)
    reads["aspects"] = lambda c: aspect_figures(c, f, min_group_size=smallest)
    got = read_all(shared_database, reads)

    answered, invitations = responded(rows, f), invited(rows, f)
    check_small(got["dashboard"], answered, invitations, smallest)
    for by in Dimension:
        for group in got[by.value]:
            check_small(
                group.figures,
                [r for r in answered if dimension_value(r, by) == group.value],
                [r for r in invitations if dimension_value(r, by, invitation=True) == group.value],
                smallest,
            )
    scorers: dict[str, int] = {}
    for row in answered:
        for aspect in row.answer.aspects:
            scorers[aspect] = scorers.get(aspect, 0) + 1
    assert {a.aspect for a in got["aspects"]} == {a for a, n in scorers.items() if n >= smallest}
