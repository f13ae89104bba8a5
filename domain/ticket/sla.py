"""SLA terms and clocks: pure functions of a ticket's events, so every figure can be explained.

A clock is the list of periods in which it ran (open/closed intervals of wall-clock time). The
resolution clock runs while the ticket is new or open: it pauses on hold, stops at resolution
and resumes at a reopen. The first-response clock runs the same way until the first public
reply by an agent, and then stops for good (a reopen does not restart it). Elapsed time is
business time under the calendar the ticket was opened with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.shared.errors import ValidationError
from domain.ticket.calendar import BusinessCalendar
from domain.ticket.values import Priority, SlaClock

Period = tuple[datetime, datetime | None]
MAX_TARGET_MINUTES = 60 * 24 * 365

DEFAULT_TARGETS: dict[Priority, tuple[int, int]] = {
    Priority.URGENT: (60, 240),
    Priority.HIGH: (120, 480),
    Priority.NORMAL: (240, 1_440),
    Priority.LOW: (480, 4_320),
}
"""(first response, resolution) in business minutes."""


@dataclass(frozen=True, slots=True)
class SlaTerms:
    """The SLA policy as a ticket was opened under it (a later policy change leaves it be)."""

    targets: dict[Priority, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    reopen_window_days: int = 7

    def target_seconds(self, clock: SlaClock, priority: Priority) -> float:
        first, resolution = self.targets[priority]
        return 60.0 * (first if clock is SlaClock.FIRST_RESPONSE else resolution)

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": {p.value: list(t) for p, t in self.targets.items()},
            "calendar": self.calendar.as_dict(),
            "reopen_window_days": self.reopen_window_days,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SlaTerms:
        return cls(
            targets={Priority(p): (int(t[0]), int(t[1])) for p, t in data["targets"].items()},
            calendar=BusinessCalendar.from_dict(data["calendar"]),
            reopen_window_days=int(data["reopen_window_days"]),
        )


def check_targets(first_response_minutes: int, resolution_minutes: int) -> tuple[int, int]:
    for name, minutes in (
        ("firstResponseMinutes", first_response_minutes),
        ("resolutionMinutes", resolution_minutes),
    ):
        if not 1 <= minutes <= MAX_TARGET_MINUTES:
            raise ValidationError(f"{name} must be 1 to {MAX_TARGET_MINUTES}", field=name)
    if first_response_minutes > resolution_minutes:
        raise ValidationError(
            "the first response cannot be due after the resolution", field="firstResponseMinutes"
        )
    return first_response_minutes, resolution_minutes


@dataclass(frozen=True, slots=True)
class ClockState:
    """One clock at one instant."""

    clock: SlaClock
    target_seconds: float
    elapsed_seconds: float
    running: bool
    due_at: datetime | None
    """When the target is (or was) reached at this pace; None if it stopped in time."""
    breached: bool

    @property
    def remaining_seconds(self) -> float:
        return self.target_seconds - self.elapsed_seconds


def clock_state(
    clock: SlaClock,
    periods: Sequence[Period],
    target_seconds: float,
    calendar: BusinessCalendar,
    at: datetime,
) -> ClockState:
    """The clock as of ``at``: periods after ``at`` are ignored, an open one is cut at ``at``."""
    elapsed, due_at = 0.0, None
    for start, end in periods:
        if start >= at:
            break
        stop = at if end is None or end > at else end
        seconds = calendar.business_seconds(start, stop)  # once: each ticket step asks
        if due_at is None and seconds > target_seconds - elapsed:  # it crossed in this period
            due_at = calendar.add_business_seconds(start, target_seconds - elapsed)
        elapsed += seconds
    running = bool(periods) and _runs_at(periods[-1], at)
    if due_at is None and running:
        due_at = calendar.add_business_seconds(at, target_seconds - elapsed)
    return ClockState(clock, target_seconds, elapsed, running, due_at, elapsed > target_seconds)


def _runs_at(period: Period, at: datetime) -> bool:
    start, end = period
    return start <= at and (end is None or end > at)
