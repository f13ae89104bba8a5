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


def test_engagement_counts_every_kind_of_interaction_and_names_each_count() -> None:
    """25 points per interaction, whatever its kind; the why names the non-zero counts by
    kind, singular or plural."""
    inputs = HealthInputs(survey_answers=1, reviews=1, friends_invited=1)
    [engagement] = [c for c in health_of(inputs).components if c.name == "engagement"]
    assert engagement.score == 75
    assert engagement.why == "1 survey answer, 1 review, 1 friend invited"
    more = HealthInputs(survey_answers=2, feedback=2, redemptions=3)
    [engagement] = [c for c in health_of(more).components if c.name == "engagement"]
    assert engagement.why == "2 survey answers, 2 pieces of feedback, 3 points redemptions"


def test_engagement_stops_at_full_marks_after_four_interactions() -> None:
    """Four interactions of mixed kinds score 100; more add nothing."""
    four = HealthInputs(reviews=1, feedback=1, friends_invited=1, redemptions=1)
    many = HealthInputs(reviews=3, feedback=5, friends_invited=2, redemptions=4)
    assert health_of(four).components[-1].score == 100
    assert health_of(many).components[-1].score == 100
    assert health_of(many).score == health_of(four).score


def test_no_interaction_scores_no_engagement_and_says_so() -> None:
    """Nothing done yet: zero, and the why lists the kinds that would count."""
    engagement = health_of(HealthInputs()).components[-1]
    assert (engagement.name, engagement.score) == ("engagement", 0)
    assert engagement.why == "no survey answers, reviews, feedback, invitations or redemptions"
