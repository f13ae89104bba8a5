"""The bounds of a review: its rating, title, text, and a moderator's reason."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.shared.errors import ValidationError

MIN_RATING = 1
MAX_RATING = 5
MAX_TITLE = 120
"""A headline, shown above the text in one line."""
MAX_TEXT = 5_000
"""A few paragraphs; longer is an essay no shopper reads, and a cheap way to fill the log."""
MAX_REASON = 500
"""Why a moderator rejected a review: a sentence or two, shown to its author."""
MAX_VERIFYING_ORDERS = 20
"""Orders of the product the read side offers as proof of purchase; the handler reads each from
the log, so their number is bounded whatever the customer bought."""

_SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}")  # as an order line's sku


class ReviewStatus(StrEnum):
    """Where a review stands with the moderators: only published reviews are shown."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


class ReviewDecision(StrEnum):
    """What a moderator decides."""

    PUBLISH = "publish"
    REJECT = "reject"

    @property
    def status(self) -> ReviewStatus:
        return ReviewStatus.PUBLISHED if self is ReviewDecision.PUBLISH else ReviewStatus.REJECTED


def check_sku(sku: str) -> str:
    if not _SKU.fullmatch(sku):
        raise ValidationError("sku must be 1-64 letters, digits or ._-", field="sku")
    return sku


def check_rating(rating: int) -> int:
    if not MIN_RATING <= rating <= MAX_RATING:
        raise ValidationError(
            f"rating must be a whole number from {MIN_RATING} to {MAX_RATING}", field="rating"
        )
    return rating


def check_title(title: str) -> str:
    """One line: spaces collapsed, no control character, not blank."""
    clean = " ".join(title.split())
    if not clean:
        raise ValidationError("title must not be blank", field="title")
    if len(clean) > MAX_TITLE or not clean.isprintable():
        raise ValidationError(f"title is at most {MAX_TITLE} printable characters", field="title")
    return clean


def check_paragraphs(text: str, field: str, limit: int) -> str:
    """Paragraphs kept (newlines), spaces within a line collapsed, no other control character
    (nor a Unicode format character, which can hide text), not blank."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    clean = "\n".join(lines)
    if not clean:
        raise ValidationError(f"{field} must not be blank", field=field)
    if len(clean) > limit or not all(line.isprintable() for line in lines):
        raise ValidationError(f"{field} is at most {limit} printable characters", field=field)
    return clean


def shown_name(full_name: str) -> str:
    """How a reviewer is named beside their review: the first name and the initial of the
    last ("Ada L."), never the whole name."""
    parts = full_name.split()
    if not parts:
        return "A customer"
    if len(parts) == 1:
        return parts[0][:40]
    return f"{parts[0][:40]} {parts[-1][0]}."
