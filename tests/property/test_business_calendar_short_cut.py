"""A calendar around the clock takes a short cut past the day-by-day walk: for any zone, start
and span, its business seconds and due times equal the walk's (to the microsecond a float sum
of days can lose), and it gives up at the same ten-year horizon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ticket.calendar import BusinessCalendar

ZONES = ["UTC", "Europe/Rome", "America/New_York", "Asia/Kolkata", "America/Santiago"]
starts = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
spans = st.floats(min_value=0, max_value=400 * 86_400, allow_nan=False)


def walked_seconds(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    total = 0.0
    for window_start, window_end in calendar._windows(start):
        if window_start >= end:
            break
        total += (min(end, window_end) - max(start, window_start)).total_seconds()
    return total


def walked_due(calendar: BusinessCalendar, start: datetime, seconds: float) -> datetime | None:
    left = seconds
    for window_start, window_end in calendar._windows(start):
        begin = max(start, window_start)
        available = (window_end - begin).total_seconds()
        if left <= available:
            return begin + timedelta(seconds=left)
        left -= available
    return None


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), start=starts, seconds=spans)
def test_the_short_cut_equals_the_walk(zone: str, start: datetime, seconds: float) -> None:
    """Same due time (within a microsecond) and same business seconds."""
    calendar = BusinessCalendar(time_zone=zone)
    assert calendar.always_open
    due = calendar.add_business_seconds(start, seconds)
    walked = walked_due(calendar, start, seconds)
    assert due is not None and walked is not None
    assert abs(due - walked) <= timedelta(microseconds=1)
    end = start + timedelta(seconds=seconds)
    assert abs(calendar.business_seconds(start, end) - walked_seconds(calendar, start, end)) < 1e-5


def test_both_give_up_at_the_same_horizon() -> None:
    """Eleven years out is never reached, by either; the seconds count stops there too."""
    calendar = BusinessCalendar(time_zone="Europe/Rome")
    start = datetime(2026, 12, 5, 10, tzinfo=UTC)
    eleven_years = 11 * 365 * 86_400.0
    assert calendar.add_business_seconds(start, eleven_years) is None
    assert walked_due(calendar, start, eleven_years) is None
    end = start + timedelta(seconds=eleven_years)
    assert calendar.business_seconds(start, end) == walked_seconds(calendar, start, end)


def test_a_calendar_with_hours_or_holidays_walks() -> None:
    """Office hours, a missing weekday or a holiday: no short cut."""
    assert not BusinessCalendar(opens="09:00", closes="17:00").always_open
    assert not BusinessCalendar(weekdays=(0, 1, 2, 3, 4)).always_open
    assert not BusinessCalendar(holidays=("2026-12-25",)).always_open
