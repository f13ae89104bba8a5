"""The health score equals a plain Python computation over random component inputs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.success.health import Band, HealthInputs, health_of

counts = st.integers(min_value=0, max_value=50)


def plain_score(i: HealthInputs) -> float:
    """The README's definition, written out with floats and min/max."""
    d = i.days_since_purchase
    if d is None:
        recency = 50.0
    else:
        recency = max(0.0, min(100.0, 100 * (365 - d) / 335)) if d > 30 else 100.0
    if i.latest_nps is None:
        nps = 50.0
    else:
        trend = 0 if i.previous_nps is None else (i.latest_nps - i.previous_nps) * 5
        nps = max(0, min(100, i.latest_nps * 10 + trend))
    service = max(0, 100 - 15 * i.open_tickets - 30 * i.breached_tickets)
    complaints = max(0, 100 - 25 * i.complaints)
    done = i.survey_answers + i.reviews + i.feedback + i.friends_invited + i.redemptions
    engagement = min(100, 25 * done)
    return 0.30 * int(recency) + 0.25 * nps + 0.25 * service + 0.10 * complaints + 0.10 * engagement


@given(
    days=st.none() | st.integers(min_value=0, max_value=5000),
    latest=st.none() | st.integers(min_value=0, max_value=10),
    previous=st.none() | st.integers(min_value=0, max_value=10),
    open_tickets=counts,
    breached=counts,
    complaints=counts,
    answers=counts,
    interactions=st.tuples(counts, counts, counts, counts),
)
def test_score_and_band_equal_the_plain_computation(
    days: int | None,
    latest: int | None,
    previous: int | None,
    open_tickets: int,
    breached: int,
    complaints: int,
    answers: int,
    interactions: tuple[int, int, int, int],
) -> None:
    """Total = weighted components rounded half up, and its band, for any inputs."""
    inputs = HealthInputs(
        days,
        latest,
        previous if latest is not None else None,
        open_tickets,
        min(breached, open_tickets),
        complaints,
        answers,
        *interactions,
    )
    health = health_of(inputs)
    expected = int(plain_score(inputs) + 0.5 + 1e-9)
    assert health.score == expected
    assert 0 <= health.score <= 100
    band = Band.HEALTHY if expected >= 70 else Band.WATCH if expected >= 40 else Band.AT_RISK
    assert health.band is band
