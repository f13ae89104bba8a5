"""Value types of surveys: kinds and their score scales, channels, aspects, text limits."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.customer.profile import ContactChannel
from domain.shared.errors import ValidationError

MAX_TITLE = 200
MAX_QUESTION = 500
MAX_COMMENT = 5_000
MAX_ASPECTS = 12
MAX_PRODUCT_VERSION = 64
ASPECT_SCALE = (1, 5)
"""Aspect questions are rated 1-5 whatever the survey's kind, so aspects compare across kinds."""

STANDARD_ASPECTS = ("customer_support", "product_quality", "pricing", "delivery")

_ASPECT_KEY = re.compile(r"[a-z][a-z0-9_]{0,47}")
_PRODUCT_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+\-]{0,63}")


class SurveyKind(StrEnum):
    """What the main question measures, and so its scale."""

    NPS = "nps"
    CSAT = "csat"
    CES = "ces"

    @property
    def scale(self) -> tuple[int, int]:
        return {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}[self.value]


class SurveyChannel(StrEnum):
    """Where a survey runs: a contact channel for its link, or in the web site or app."""

    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    WEB = "web"
    APP = "app"

    @property
    def contact_channel(self) -> ContactChannel | None:
        """The contact preference a link on this channel needs; None when shown in-product."""
        try:
            return ContactChannel(self.value)
        except ValueError:
            return None


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


def nps_category(score: int) -> str:
    """Promoter (9-10), passive (7-8) or detractor (0-6)."""
    if score >= 9:
        return "promoter"
    return "passive" if score >= 7 else "detractor"


@dataclass(frozen=True, slots=True)
class AspectQuestion:
    """An extra question rated 1-5, e.g. ``pricing`` or a custom key."""

    key: str
    question: str

    @classmethod
    def checked(cls, key: str, question: str) -> AspectQuestion:
        if not _ASPECT_KEY.fullmatch(key):
            raise ValidationError("an aspect key is a snake_case name", field="aspects.key")
        return cls(key=key, question=check_text(question, "aspects.question", MAX_QUESTION))

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "question": self.question}


def check_text(text: str, field: str, limit: int) -> str:
    clean = " ".join(text.split())
    if not clean:
        raise ValidationError(f"{field} must not be blank", field=field)
    if len(clean) > limit or any(ord(c) < 32 for c in clean):
        raise ValidationError(f"{field} is at most {limit} printable characters", field=field)
    return clean


def check_aspects(aspects: list[AspectQuestion]) -> list[AspectQuestion]:
    if len(aspects) > MAX_ASPECTS:
        raise ValidationError(f"a survey has at most {MAX_ASPECTS} aspects", field="aspects")
    if len({a.key for a in aspects}) != len(aspects):
        raise ValidationError("aspect keys must be distinct", field="aspects")
    return aspects


def check_product_version(version: str | None) -> str | None:
    if version is None:
        return None
    if not _PRODUCT_VERSION.fullmatch(version):
        raise ValidationError(
            "a product version is letters, digits and . _ + - (at most 64)",
            field="productVersion",
        )
    return version


def check_channels(channels: list[SurveyChannel]) -> list[str]:
    if not channels:
        raise ValidationError("a survey runs on at least one channel", field="channels")
    return sorted({c.value for c in channels})


AspectScores = Mapping[str, int] | Sequence[tuple[str, int]]
"""Aspect scores as a respondent gives them: by aspect key, or as (key, score) pairs."""


def check_aspect_scores(given: AspectScores) -> dict[str, int]:
    """The scores by aspect. An aspect scored twice is refused rather than one score kept, so
    that an answer never depends on the order its scores came in."""
    pairs = list(given.items()) if isinstance(given, Mapping) else list(given)
    scores = dict(pairs)
    if len(scores) != len(pairs):
        raise ValidationError("score each aspect once", field="aspectScores")
    return scores


def check_score(score: int, scale: tuple[int, int], field: str) -> int:
    low, high = scale
    if not low <= score <= high:
        raise ValidationError(f"{field} must be between {low} and {high}", field=field)
    return score


def check_comment(comment: str | None) -> str | None:
    if comment is None or not comment.strip():
        return None
    clean = comment.strip()
    if len(clean) > MAX_COMMENT or "\x00" in clean:
        raise ValidationError(
            f"a comment is at most {MAX_COMMENT} characters, without NUL", field="comment"
        )
    return clean
