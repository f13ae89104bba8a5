"""What the feedback inbox answers: rows and the filter they are asked with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

PROJECTION_NAME = "feedback_inbox"
FEEDBACK_NOTICE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/feedback-received")
"""What the inbox announces on the dashboard's notification channel when feedback arrives (a
survey id never equals it): the live layer's one LISTEN serves both."""


class SentimentBucket(StrEnum):
    """A text's sentiment by VADER's customary thresholds (``projections.surveys.text``)."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


@dataclass(frozen=True, slots=True)
class FeedbackFilter:
    kind: str | None = None
    topic: str | None = None
    sentiment: str | None = None
    """positive, neutral or negative (VADER's customary thresholds)."""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    seq: int
    feedback_id: UUID
    kind: str
    topic: str
    text: str | None
    """None once erased."""
    email: str | None
    """An anonymous sender's email; None for a customer, or once erased."""
    customer_id: UUID | None
    product_version: str | None
    sentiment: float
    sentiment_bucket: str
    themes: list[str]
    ticket_id: UUID | None
    submitted_at: datetime
