"""For any mix of survey answers (NPS and CSAT, scores, comments, product versions, the same
person answering several times) and feedback, the enhancement priorities equal a plain Python
computation over the same answers: the people raising each theme, the mean scores with and
without it, the impact and its Welch interval, the ranking, and for any minimum group size
exactly the themes and sides of fewer people are hidden."""

from __future__ import annotations

import asyncio
import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import AsyncConnection, sql

from domain.feedback.model import Feedback
from domain.shared.metadata import EventMetadata
from domain.shared.personal_data import PersonalData
from domain.survey.model import Invitation
from infrastructure.database import Database
from projections.base import Positioned
from projections.surveys.text import terms
from projections.theme_priorities.projection import ThemePriorities
from projections.theme_priorities.queries import ThemePriorityView, theme_priorities_page
from tests.support.postgres import fresh_database

SYSTEM = EventMetadata.system()
AT = datetime(2026, 6, 1, tzinfo=UTC)
VERSIONS = [None, "1.0", "2.0"]
TEXTS = [
    None,
    "slow checkout",
    "checkout crashed again",
    "great support",
    "support was slow",
    "love the app",
]


@dataclass(frozen=True)
class Given:
    """An answer (``score`` set) or a piece of feedback (``score`` None)."""

    person: int
    version: str | None
    nps: bool
    score: int | None
    text: str | None


answers = st.builds(
    Given,
    person=st.integers(0, 7),
    version=st.sampled_from(VERSIONS),
    nps=st.booleans(),
    score=st.integers(0, 10),
    text=st.sampled_from(TEXTS),
)
feedback = st.builds(
    Given,
    person=st.integers(0, 9),
    version=st.sampled_from(VERSIONS),
    nps=st.just(False),
    score=st.none(),
    text=st.sampled_from(TEXTS[1:]),
)


def person(index: int) -> UUID:
    return UUID(int=10_000 + index)


def event_of(number: int, item: Given) -> Any:
    source = UUID(int=number + 1)
    text = None if item.text is None else PersonalData(person(item.person), item.text)
    if item.score is None:
        assert text is not None
        return Feedback.Submitted(  # type: ignore[call-arg]
            originator_id=source, originator_version=1, timestamp=AT, originator_topic="x",
            metadata=SYSTEM, kind="suggestion", topic="app", text=text, email=None,
            customer_id=person(item.person), subject_id=person(item.person),
            product_version=item.version, sentiment=0.0, ticket_id=None, at=AT,
        )  # fmt: skip
    return Invitation.Responded(  # type: ignore[call-arg]
        originator_id=source, originator_version=2, timestamp=AT, metadata=SYSTEM,
        survey_id=UUID(int=1), customer_id=person(item.person),
        kind="nps" if item.nps else "csat", score=item.score if item.nps else min(item.score, 5),
        aspect_scores={}, comment=text, channel="web", region=None,
        product_version=item.version, completion_seconds=1.0, tier=None, comment_sentiment=0.0,
    )  # fmt: skip


# The model: plain Python over what was given.


@dataclass(frozen=True)
class Expected:
    theme: str
    customers: int
    mean_with: float | None
    mean_without: float | None
    impact: float | None
    interval: tuple[float, float] | None


def welch(a: list[int], b: list[int]) -> tuple[float, float] | None:
    if len(a) < 2 or len(b) < 2:
        return None
    d = statistics.mean(a) - statistics.mean(b)
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    if va + vb == 0:
        return (d, d)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    t = t_by_integration(df)
    return (d - t * math.sqrt(va + vb), d + t * math.sqrt(va + vb))


def t_by_integration(df: float) -> float:
    """t(0.975, df) by integrating the density (Simpson's rule) and bisection: a route
    independent of the read model's incomplete beta function."""

    def density(x: float) -> float:
        front = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
        return math.exp(front - (df + 1) / 2 * math.log1p(x * x / df))

    def cdf(t: float, steps: int = 2000) -> float:
        h = t / steps
        inner = sum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
        return 0.5 + h / 3 * (density(0) + inner + density(t))

    low, high = 0.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if cdf(middle) < 0.975 else (low, middle)
    return (low + high) / 2


def expected(given_items: list[Given], version: str | None, k: int) -> list[Expected]:
    scoped = [g for g in given_items if version is None or g.version == version]
    nps = [g for g in scoped if g.nps and g.score is not None]
    raisers: dict[str, set[int]] = {}
    for g in scoped:
        for theme in terms(g.text) if g.text else ():
            raisers.setdefault(theme, set()).add(g.person)
    result = []
    for theme, people in raisers.items():
        if len(people) < k:
            continue
        mentions = [g for g in nps if g.text and theme in terms(g.text)]
        others = [g for g in nps if not (g.text and theme in terms(g.text))]
        people_with = {g.person for g in mentions}
        people_all = {g.person for g in nps}
        shown = (
            bool(mentions)
            and bool(others)
            and len(people_with) >= k
            and max(len(people_all) - len(people_with), 1) >= k
        )
        with_scores = [g.score or 0 for g in mentions]
        without_scores = [g.score or 0 for g in others]
        mean_with = statistics.mean(with_scores) if shown else None
        mean_without = statistics.mean(without_scores) if shown else None
        result.append(
            Expected(
                theme,
                len(people),
                mean_with,
                mean_without,
                None if mean_with is None or mean_without is None else mean_with - mean_without,
                welch(with_scores, without_scores) if shown else None,
            )
        )
    result.sort(key=lambda e: (-e.customers, e.impact is None, e.impact or 0.0, e.theme))
    return result


@pytest.fixture(scope="module")
def shared_database(pg_admin: str) -> Iterator[Database]:
    with fresh_database(pg_admin) as database:
        with database.connect() as conn:
            conn.execute(ThemePriorities.ddl)
            conn.commit()
        yield database


def load(database: Database, batch: list[Positioned]) -> None:
    with database.connect() as conn:
        tables = sql.SQL(", ").join(sql.Identifier(t) for t in ThemePriorities.tables)
        conn.execute(sql.SQL("TRUNCATE {}").format(tables))
        with conn.cursor() as cursor:
            ThemePriorities().apply(cursor, batch)
        conn.commit()


def read(database: Database, version: str | None, k: int) -> list[ThemePriorityView]:
    async def run() -> list[ThemePriorityView]:
        async with await AsyncConnection.connect(database.conninfo) as conn:
            page = await theme_priorities_page(conn, version, 100, 0, min_group_size=k)
            return page.items

    return asyncio.run(run())


@settings(max_examples=60, deadline=None)
@given(
    given_answers=st.lists(answers, max_size=30),
    given_feedback=st.lists(feedback, max_size=8),
    version=st.sampled_from(VERSIONS),
    k=st.integers(1, 3),
)
def test_the_priorities_equal_a_plain_python_computation(
    shared_database: Database,
    given_answers: list[Given],
    given_feedback: list[Given],
    version: str | None,
    k: int,
) -> None:
    items = given_answers + given_feedback
    load(shared_database, [Positioned(n + 1, event_of(n, g)) for n, g in enumerate(items)])

    actual = read(shared_database, version, k)

    want = expected(items, version, k)
    assert [(a.theme, a.customers) for a in actual] == [(e.theme, e.customers) for e in want]
    for got, model in zip(actual, want, strict=True):
        assert got.suppressed is (model.mean_with is None)
        assert got.mean_with == pytest.approx(model.mean_with)
        assert got.mean_without == pytest.approx(model.mean_without)
        assert got.impact == pytest.approx(model.impact)
        interval = got.confidence_interval
        actual_interval = None if interval is None else (interval.low, interval.high)
        assert actual_interval == pytest.approx(model.interval, abs=1e-6)
