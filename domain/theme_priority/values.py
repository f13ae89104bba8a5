"""What a theme is and the bounds of a priority decision's note."""

from __future__ import annotations

from enum import StrEnum

from domain.improvement.values import MAX_THEME
from domain.shared.errors import ValidationError
from domain.survey.values import check_text

MAX_NOTE = 500
"""A note on a decision: a sentence or two (which release, which ticket), not a document."""


class ThemeStatus(StrEnum):
    """Where a theme stands on the product's roadmap: nobody decided yet, planned, done."""

    OPEN = "open"
    PLANNED = "planned"
    DONE = "done"


def check_theme(theme: str) -> str:
    """A theme as the comment themes are written: a word or two-word phrase, compared in lower
    case (the same bound as an improvement's theme, so a done theme can be announced)."""
    return check_text(theme, "theme", MAX_THEME).lower()


def check_note(note: str | None) -> str:
    """An optional note: at most ``MAX_NOTE`` printable characters (blank: no note)."""
    clean = " ".join((note or "").split())
    if len(clean) > MAX_NOTE or any(ord(c) < 32 for c in clean):
        raise ValidationError(f"note is at most {MAX_NOTE} printable characters", field="note")
    return clean
