"""The health score: five components, each 0-100, weighted into a total 0-100 and a band.

Everything is integer arithmetic, so that the read model's SQL (which orders the at-risk list)
and this module give the same numbers to the point. Recency depends on the day it is read, so
it is computed from the stored date of the last purchase at read time (``days_since_purchase``),
never stored: no row needs rewriting as days pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

RECENCY_WEIGHT = 30
NPS_WEIGHT = 25
SERVICE_WEIGHT = 25
COMPLAINTS_WEIGHT = 10
ENGAGEMENT_WEIGHT = 10
WEIGHT_TOTAL = 100

FRESH_DAYS = 30
"""A purchase this recent (or more) scores full recency."""
STALE_DAYS = 365
"""A purchase this old (or older) scores no recency."""
NO_PURCHASE_RECENCY = 50
"""A customer who never bought: unknown, neither fresh nor lapsed."""
NO_NPS_SCORE = 50
"""A customer who never answered an NPS survey: neutral."""
OPEN_TICKET_PENALTY = 15
BREACHED_TICKET_PENALTY = 30
"""On top of the open ticket's own penalty: an open ticket past an SLA target."""
COMPLAINT_PENALTY = 25
INTERACTION_ENGAGEMENT = 25
"""Engagement per interaction of any kind, up to 100 (four interactions). One weight for every
kind, on purpose: each is one thing the customer chose to do with us (answer a survey, write a
review, send feedback, invite a friend, redeem points), we have no measure yet that one says
more about their loyalty than another, and a flat rate keeps the "why" a plain count that an
agent can check by hand. A per-kind table can replace it once the data says otherwise."""
HEALTHY_FROM = 70
AT_RISK_BELOW = 40


class Band(StrEnum):
    HEALTHY = "healthy"
    WATCH = "watch"
    AT_RISK = "at_risk"


@dataclass(frozen=True, slots=True)
class HealthInputs:
    """What the score is made of, as the read model keeps it."""

    days_since_purchase: int | None = None
    latest_nps: int | None = None
    previous_nps: int | None = None
    open_tickets: int = 0
    breached_tickets: int = 0
    complaints: int = 0
    survey_answers: int = 0
    reviews: int = 0
    feedback: int = 0
    friends_invited: int = 0
    redemptions: int = 0

    @property
    def interactions(self) -> int:
        """The customer's own interactions of every kind, each counted once."""
        return (
            self.survey_answers
            + self.reviews
            + self.feedback
            + self.friends_invited
            + self.redemptions
        )


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    score: int
    weight: int
    why: str


@dataclass(frozen=True, slots=True)
class Health:
    score: int
    band: Band
    components: tuple[Component, ...]


def _clamp(value: int) -> int:
    return max(0, min(100, value))


def days_between(last_purchase_at: datetime | None, now: datetime) -> int | None:
    """Whole days from the last purchase to ``now`` (a purchase dated later counts as today)."""
    if last_purchase_at is None:
        return None
    return max(0, int((now - last_purchase_at).total_seconds()) // 86_400)


def recency_score(days: int | None) -> int:
    if days is None:
        return NO_PURCHASE_RECENCY
    if days <= FRESH_DAYS:
        return 100
    if days >= STALE_DAYS:
        return 0
    return 100 * (STALE_DAYS - days) // (STALE_DAYS - FRESH_DAYS)


def nps_score(latest: int | None, previous: int | None) -> int:
    """The latest answer (0-10) times ten, moved by half the trend since the previous one."""
    if latest is None:
        return NO_NPS_SCORE
    trend = 0 if previous is None else (latest - previous) * 5
    return _clamp(latest * 10 + trend)


def service_score(open_tickets: int, breached_tickets: int) -> int:
    return _clamp(
        100 - OPEN_TICKET_PENALTY * open_tickets - BREACHED_TICKET_PENALTY * breached_tickets
    )


def complaints_score(complaints: int) -> int:
    return _clamp(100 - COMPLAINT_PENALTY * complaints)


def engagement_score(interactions: int) -> int:
    return _clamp(INTERACTION_ENGAGEMENT * interactions)


def static_points(inputs: HealthInputs) -> int:
    """The weighted points (0-7000) of every component but recency: what the read model
    stores, so that the at-risk list can add recency in SQL when it is read."""
    return (
        NPS_WEIGHT * nps_score(inputs.latest_nps, inputs.previous_nps)
        + SERVICE_WEIGHT * service_score(inputs.open_tickets, inputs.breached_tickets)
        + COMPLAINTS_WEIGHT * complaints_score(inputs.complaints)
        + ENGAGEMENT_WEIGHT * engagement_score(inputs.interactions)
    )


def total_score(points: int) -> int:
    """Weighted points (0-10000) to the total 0-100, rounded half up."""
    return (points + WEIGHT_TOTAL // 2) // WEIGHT_TOTAL


def band_of(score: int) -> Band:
    if score >= HEALTHY_FROM:
        return Band.HEALTHY
    if score >= AT_RISK_BELOW:
        return Band.WATCH
    return Band.AT_RISK


def health_of(inputs: HealthInputs) -> Health:
    """The score, its band and each component with why it scored so."""
    days = inputs.days_since_purchase
    components = (
        Component(
            "recency",
            recency_score(days),
            RECENCY_WEIGHT,
            "no purchase yet" if days is None else f"last purchase {days} days ago",
        ),
        Component(
            "nps_trend",
            nps_score(inputs.latest_nps, inputs.previous_nps),
            NPS_WEIGHT,
            _nps_why(inputs.latest_nps, inputs.previous_nps),
        ),
        Component(
            "service",
            service_score(inputs.open_tickets, inputs.breached_tickets),
            SERVICE_WEIGHT,
            f"{inputs.open_tickets} open tickets, {inputs.breached_tickets} past an SLA target",
        ),
        Component(
            "complaints",
            complaints_score(inputs.complaints),
            COMPLAINTS_WEIGHT,
            f"{inputs.complaints} detractor answers",
        ),
        Component(
            "engagement",
            engagement_score(inputs.interactions),
            ENGAGEMENT_WEIGHT,
            engagement_why(inputs),
        ),
    )
    points = sum(c.score * c.weight for c in components)
    score = total_score(points)
    return Health(score, band_of(score), components)


def _nps_why(latest: int | None, previous: int | None) -> str:
    if latest is None:
        return "no NPS answer yet"
    if previous is None:
        return f"latest NPS answer {latest}"
    return f"latest NPS answer {latest}, previous {previous}"


_ENGAGEMENT_KINDS = (
    ("survey_answers", "survey answer", "survey answers"),
    ("reviews", "review", "reviews"),
    ("feedback", "piece of feedback", "pieces of feedback"),
    ("friends_invited", "friend invited", "friends invited"),
    ("redemptions", "points redemption", "points redemptions"),
)


def engagement_why(inputs: HealthInputs) -> str:
    """The interactions by kind, e.g. "2 survey answers, 1 review, 3 friends invited"."""
    counts = [(getattr(inputs, field), one, many) for field, one, many in _ENGAGEMENT_KINDS]
    named = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return ", ".join(named) or "no survey answers, reviews, feedback, invitations or redemptions"


def reasons(health: Health) -> list[str]:
    """Why a customer is at risk: the components below half marks, weakest first."""
    weak = sorted((c for c in health.components if c.score < 50), key=lambda c: c.score)
    return [f"{c.name}: {c.why}" for c in weak]
