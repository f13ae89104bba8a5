"""The health score's components, total and band (domain.success.health)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.success.health import Band, HealthInputs, days_between, health_of, reasons


def test_a_customer_nothing_happened_to_is_watched_not_at_risk() -> None:
    """Default inputs: unknown recency and NPS score half marks, no tickets full, no answers
    zero engagement; 63 in all, the watch band."""
    health = health_of(HealthInputs())
    assert (health.score, health.band) == (63, Band.WATCH)


def test_a_lapsed_unhappy_customer_with_breached_tickets_is_at_risk_with_reasons() -> None:
    """A year without buying, a falling NPS of detractors and two breached tickets: at risk,
    and the reasons name the weak components, weakest first."""
    inputs = HealthInputs(
        days_since_purchase=400,
        latest_nps=2,
        previous_nps=6,
        open_tickets=2,
        breached_tickets=2,
        complaints=2,
        survey_answers=2,
    )
    health = health_of(inputs)
    assert health.band is Band.AT_RISK
    scores = {c.name: c.score for c in health.components}
    assert scores == {
        "recency": 0,
        "nps_trend": 0,
        "service": 10,
        "complaints": 50,
        "engagement": 50,
    }
    assert health.score == 13  # (30*0 + 25*0 + 25*10 + 10*50 + 10*50 + 50) // 100
    assert [r.split(":")[0] for r in reasons(health)] == ["recency", "nps_trend", "service"]


def test_a_fresh_promoter_is_healthy() -> None:
    """A purchase this week and a rising promoter's NPS: healthy."""
    health = health_of(HealthInputs(days_since_purchase=3, latest_nps=10, previous_nps=8))
    assert health.band is Band.HEALTHY


def test_weights_sum_to_one_hundred() -> None:
    """The README's weights add up to the whole score."""
    assert sum(c.weight for c in health_of(HealthInputs()).components) == 100


def test_days_since_a_purchase_are_whole_days_and_never_negative() -> None:
    """Recency counts whole days; a purchase dated after now counts as today."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert days_between(now - timedelta(days=2, hours=23), now) == 2
    assert days_between(now + timedelta(days=1), now) == 0
    assert days_between(None, now) is None
