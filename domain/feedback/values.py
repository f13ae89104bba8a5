"""What a piece of feedback may hold, and the bounds every field is checked against."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.shared.errors import ValidationError

MAX_FEEDBACK_TEXT = 5_000
"""As long as a survey comment may be."""
MAX_TOPIC = 64
_TOPIC = re.compile(r"[a-z0-9][a-z0-9_\-]{0,63}")


class FeedbackKind(StrEnum):
    SUGGESTION = "suggestion"
    COMPLAINT = "complaint"
    COMPLIMENT = "compliment"
    QUESTION = "question"


def check_topic(topic: str) -> str:
    """A topic is a lower-case slug (``billing``, ``mobile-app``), so topics group exactly."""
    if not _TOPIC.fullmatch(topic):
        raise ValidationError(
            f"topic must be a lower-case slug of 1 to {MAX_TOPIC} letters, digits, - and _",
            field="topic",
        )
    return topic


def check_feedback_text(text: str) -> str:
    clean = text.strip()
    if not clean or len(clean) > MAX_FEEDBACK_TEXT or "\x00" in clean:
        raise ValidationError(
            f"text must be 1 to {MAX_FEEDBACK_TEXT} characters, without NUL", field="text"
        )
    return clean
