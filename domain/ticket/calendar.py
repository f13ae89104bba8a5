"""Business hours and holidays: how much of a span of wall-clock time an SLA clock counts.

A calendar is working weekdays with one daily window in an IANA time zone, minus holidays
(local dates). The default is around the clock, every day, which counts every second. Both
operations walk day by day, so their cost grows with the days spanned, not the seconds; a
calendar around the clock takes a short cut (its windows join into one), with the same
horizon.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.shared.errors import ValidationError

MAX_HOLIDAYS = 1_000
_HORIZON_DAYS = 3_660  # a due time further than ten years out is never reached
_BEFORE_ANY_HORIZON = timedelta(days=_HORIZON_DAYS - 10)
"""A span from ``start`` shorter than this ends before its horizon (the local midnight 3,659
days after ``start``'s local date: over 3,657 days later, even across a change of UTC offset of a
day), so the short cut skips computing the horizon: the SLA clocks ask for every ticket step."""


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    time_zone: str = "UTC"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    """Monday is 0."""
    opens: str = "00:00"
    closes: str = "24:00"
    holidays: tuple[str, ...] = field(default_factory=tuple)
    """Local dates, ISO format."""

    def checked(self) -> BusinessCalendar:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
            raise ValidationError(
                f"unknown time zone {self.time_zone[:40]!r}", field="timeZone"
            ) from None
        if not self.weekdays or not set(self.weekdays) <= set(range(7)):
            raise ValidationError("weekdays are 0 (Monday) to 6 (Sunday)", field="weekdays")
        if _minutes(self.opens, "opens") >= _minutes(self.closes, "closes"):
            raise ValidationError("the day must open before it closes", field="closes")
        if len(self.holidays) > MAX_HOLIDAYS:
            raise ValidationError(f"at most {MAX_HOLIDAYS} holidays", field="holidays")
        for holiday in self.holidays:
            _date(holiday)
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BusinessCalendar:
        return cls(
            time_zone=data["time_zone"],
            weekdays=tuple(data["weekdays"]),
            opens=data["opens"],
            closes=data["closes"],
            holidays=tuple(data["holidays"]),
        )

    @property
    def always_open(self) -> bool:
        """Every day, all day, no holiday: business time is wall-clock time (in any zone, as
        each local day's window ends where the next one begins)."""
        return not self.holidays and _around_the_clock(self.weekdays, self.opens, self.closes)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds of business time in [start, end)."""
        if end <= start:
            return 0.0
        if self.always_open:
            if end - start < _BEFORE_ANY_HORIZON:
                return (end - start).total_seconds()
            return max(0.0, (min(end, self._horizon(start)) - start).total_seconds())
        total = 0.0
        for window_start, window_end in self._windows(start):
            if window_start >= end:
                break
            total += (min(end, window_end) - max(start, window_start)).total_seconds()
        return total

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime | None:
        """When ``seconds`` of business time after ``start`` will have passed (None: never)."""
        if self.always_open:
            due = start + timedelta(seconds=seconds)
            if due - start < _BEFORE_ANY_HORIZON:
                return due
            return due if due <= self._horizon(start) else None
        left = seconds
        for window_start, window_end in self._windows(start):
            begin = max(start, window_start)
            available = (window_end - begin).total_seconds()
            if left <= available:
                return begin + timedelta(seconds=left)
            left -= available
        return None

    def _horizon(self, start: datetime) -> datetime:
        """The end of the last window :meth:`_windows` looks at from ``start``."""
        zone = ZoneInfo(self.time_zone)
        first = start.astimezone(zone).date() - timedelta(days=1)
        return _local(first + timedelta(days=_HORIZON_DAYS), 0, zone)

    def _windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Business windows (UTC-aware) that end after ``start``, in order."""
        zone = ZoneInfo(self.time_zone)
        holidays = {_date(h) for h in self.holidays}
        opens, closes = _minutes(self.opens, "opens"), _minutes(self.closes, "closes")
        day = start.astimezone(zone).date() - timedelta(days=1)
        for _ in range(_HORIZON_DAYS):
            if day.weekday() in self.weekdays and day not in holidays:
                window_start = _local(day, opens, zone)
                window_end = _local(day, closes, zone)
                if window_end > start:
                    yield window_start, window_end
            day += timedelta(days=1)


@lru_cache(maxsize=64)
def _around_the_clock(weekdays: tuple[int, ...], opens: str, closes: str) -> bool:
    # Cached: a ticket's clocks ask it for every step, and the answer only parses the fields.
    return (
        len(set(weekdays)) == 7
        and _minutes(opens, "opens") == 0
        and _minutes(closes, "closes") == 24 * 60
    )


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    # 24:00 is the next midnight; the zone resolves local times (DST-aware). The result is in
    # UTC because arithmetic between two datetimes of one zone ignores their offsets.
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _minutes(clock: str, field: str) -> int:
    try:
        hours, minutes = (int(part) for part in clock.split(":"))
    except ValueError:
        raise ValidationError(f"{field} must look like 09:00", field=field) from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise ValidationError(f"{field} must be between 00:00 and 24:00", field=field)
    return hours * 60 + minutes


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"holiday {text[:20]!r} is not a date", field="holidays") from None
