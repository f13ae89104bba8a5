"""The shapes the survey read model answers with.

Shared by the projection's queries and the GraphQL types. Percentages are 0-100 floats; NPS is
-100..100; a figure over no responses is None, never 0. Comments are None once the respondent
is erased.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class TrendInterval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Dimension(StrEnum):
    """What the dashboard can be grouped by; values are frozen at response time."""

    REGION = "region"
    CHANNEL = "channel"
    PRODUCT_VERSION = "product_version"
    TIER = "tier"
    SURVEY = "survey"


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    """Which responses and invitations count. ``since`` is inclusive, ``until`` exclusive;
    responses by their response time, invitations by the time they were first issued."""

    survey_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    region: str | None = None
    channel: str | None = None
    product_version: str | None = None
    tier: str | None = None


@dataclass(frozen=True, slots=True)
class NpsFigures:
    """NPS of the NPS-kind responses, with its 95% margin of error (in NPS points)."""

    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    margin_of_error: float | None
    suppressed: bool = False
    """True: too few people to show (see :mod:`projections.surveys.small_groups`)."""


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    invitations: int
    responses: int
    response_rate: float | None
    """Responses per invitation, as a percentage (responses and invitations under the filter)."""
    nps: NpsFigures
    csat_responses: int
    csat: float | None
    """Share of CSAT scores that are 4 or 5, as a percentage."""
    ces_responses: int
    ces_average: float | None
    average_completion_seconds: float | None
    suppressed: bool = False
    """True: too few people to show (see :mod:`projections.surveys.small_groups`)."""


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period_start: datetime
    """The start of the day, week (Monday) or month, in the requested time zone."""
    figures: DashboardFigures


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """The figures of one value of a dimension (``value`` None: responses without one)."""

    value: str | None
    figures: DashboardFigures


@dataclass(frozen=True, slots=True)
class AspectFigures:
    """Scores (1-5) given to one aspect question."""

    aspect: str
    responses: int
    average: float
    low_share: float
    """Percentage of scores of 1 or 2."""


@dataclass(frozen=True, slots=True)
class VersionComparison:
    """NPS of two product versions and whether their difference is significant (two-sided
    z-test at 95% on the +1/0/-1 scores)."""

    version_a: str
    version_b: str
    a: NpsFigures
    b: NpsFigures
    difference: float | None
    """NPS of a minus NPS of b."""
    margin_of_error: float | None
    """95% margin of error of the difference."""
    p_value: float | None
    significant: bool


@dataclass(frozen=True, slots=True)
class Theme:
    """A recurring word or phrase in comments, counted once per comment."""

    term: str
    mentions: int
    detractor_mentions: int
    promoter_mentions: int
    average_sentiment: float


@dataclass(frozen=True, slots=True)
class FeedbackInsight:
    """The data behind "what should we improve first"; no identities."""

    comments: int
    average_sentiment: float | None
    """VADER compound score, -1 (negative) .. 1 (positive)."""
    positive: int
    neutral: int
    negative: int
    detractor_themes: list[Theme] = field(default_factory=list)
    """Terms ranked by how much more often detractors use them than promoters."""
    promoter_themes: list[Theme] = field(default_factory=list)
    weakest_aspects: list[AspectFigures] = field(default_factory=list)
    suppressed: bool = False
    """True: too few commenters to show their counts and themes."""


@dataclass(frozen=True, slots=True)
class SurveyView:
    survey_id: UUID
    seq: int
    kind: str
    title: str
    question: str
    aspects: list[tuple[str, str]]
    """(key, question) pairs, in order."""
    product_version: str | None
    channels: list[str]
    status: str
    drafted_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    version: int


@dataclass(frozen=True, slots=True)
class SurveyPage:
    items: list[SurveyView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class ResponseView:
    """One response, as Customer 360 shows it."""

    response_id: UUID
    """The invitation's id: one response per invitation."""
    seq: int
    survey_id: UUID
    survey_title: str
    kind: str
    score: int
    nps_category: str | None
    comment: str | None
    sentiment: float | None
    aspect_scores: dict[str, int]
    channel: str
    region: str | None
    product_version: str | None
    tier: str | None
    responded_at: datetime
    completion_seconds: float


@dataclass(frozen=True, slots=True)
class ResponsePage:
    items: list[ResponseView]
    has_next_page: bool
