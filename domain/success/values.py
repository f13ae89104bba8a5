"""The bounds of what a success plan holds, and its status."""

from __future__ import annotations

from enum import StrEnum

from domain.shared.errors import ValidationError
from domain.survey.values import check_text

MAX_TITLE = 120
MAX_GOAL = 200
MAX_GOALS = 20
"""Goals per plan: a plan is a handful of aims, not a task list."""
MAX_MILESTONE = 200
MAX_MILESTONES = 200
"""Milestones per plan, all goals together."""
MAX_NOTE = 2_000
"""A check-in's note: a few paragraphs."""
MAX_CHECK_INS = 500
"""Check-ins per plan: weekly for ten years; keeps the stream bounded."""


class PlanStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PlanOutcome(StrEnum):
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"


def check_title(title: str) -> str:
    return check_text(title, "title", MAX_TITLE)


def check_goal(goal: str, field: str = "goal") -> str:
    return check_text(goal, field, MAX_GOAL)


def check_milestone(milestone: str) -> str:
    return check_text(milestone, "milestone", MAX_MILESTONE)


def check_note(note: str) -> str:
    """Paragraphs kept, spaces collapsed, no control character but newlines, not blank."""
    lines = [" ".join(line.split()) for line in note.strip().splitlines()]
    clean = "\n".join(lines)
    if not clean:
        raise ValidationError("note must not be blank", field="note")
    if len(clean) > MAX_NOTE or any(ord(c) < 32 and c != "\n" for c in clean):
        raise ValidationError(f"note is at most {MAX_NOTE} printable characters", field="note")
    return clean
