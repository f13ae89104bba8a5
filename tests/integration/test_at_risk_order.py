"""The at-risk list's SQL (recency computed when read, a widening bound on the stored
points) gives exactly what the domain's score gives in Python, over random rows: the same
customers, in the same order, with the same scores, page after page."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from uuid import uuid4

from domain.success.health import Band, HealthInputs, health_of, static_points
from infrastructure.database import Database
from projections.success.projection import CustomerHealth
from projections.success.queries import at_risk_page
from tests.support.read_models import query

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def random_rows(database: Database, count: int, seed: int) -> list[tuple[object, int, int]]:
    """Rows as the projection writes them; returns (customer, seq, expected score) of those
    at risk."""
    rng = random.Random(seed)
    expected = []
    with database.connect() as conn:
        conn.execute(CustomerHealth.ddl)
        for seq in range(1, count + 1):
            last = None if rng.random() < 0.1 else NOW - timedelta(hours=rng.randint(0, 24 * 800))
            latest = rng.choice([None, *range(11)])
            inputs = HealthInputs(
                days_since_purchase=None,
                latest_nps=latest,
                previous_nps=None if latest is None else rng.choice([None, *range(11)]),
                open_tickets=rng.randint(0, 4),
                breached_tickets=rng.randint(0, 2),
                complaints=rng.randint(0, 4),
                survey_answers=rng.randint(0, 5),
                reviews=rng.randint(0, 2),
                feedback=rng.randint(0, 2),
                friends_invited=rng.randint(0, 2),
                redemptions=rng.randint(0, 2),
            )
            customer_id = uuid4()
            conn.execute(
                "INSERT INTO health_customers (customer_id, seq, last_purchase_at, latest_nps,"
                " previous_nps, open_tickets, breached_tickets, complaints, survey_answers,"
                " reviews, feedback, friends_invited, redemptions, static_points)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    customer_id,
                    seq,
                    last,
                    inputs.latest_nps,
                    inputs.previous_nps,
                    inputs.open_tickets,
                    inputs.breached_tickets,
                    inputs.complaints,
                    inputs.survey_answers,
                    inputs.reviews,
                    inputs.feedback,
                    inputs.friends_invited,
                    inputs.redemptions,
                    static_points(inputs),
                ),
            )
            days = None if last is None else (NOW - last).days
            health = health_of(replace(inputs, days_since_purchase=days))
            if health.band is Band.AT_RISK:
                expected.append((customer_id, seq, health.score))
        conn.commit()
    return sorted(expected, key=lambda row: (row[2], row[1]))


def test_pages_of_the_at_risk_list_equal_the_python_order(database: Database) -> None:
    """Every page of 7, followed by cursor, lists the at-risk customers of a Python sort by
    (score, place), with the scores Python computes."""
    expected = random_rows(database, 400, seed=19)
    assert len(expected) > 20  # several pages, so the bound must widen
    seen: list[tuple[object, int, int]] = []
    cursor = 0
    while True:
        page = query(database, partial(at_risk_page, first=7, after=cursor, now=NOW))
        seen += [(i.customer_id, i.cursor % 10**15, i.health.score) for i in page.items]
        if not page.has_next_page:
            break
        cursor = page.items[-1].cursor
    assert seen == expected
