"""A binary COPY takes a batch's times only when each has an offset (``copy_types._zoned``):
fixed offsets are checked by their distinct zones, any other zone time by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from projections.copy_types import binary_types


class _NoOffset(tzinfo):
    """A zone that answers no offset: its times are naive to PostgreSQL's text path."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def test_times_with_and_without_an_offset() -> None:
    """Pins the zone check: fixed offsets (any, several in a batch) and named zones go binary;
    a naive time, or a zone that answers no offset, anywhere in the batch sends it as text."""
    at = datetime(2026, 12, 6, 8, 0)
    fixed = [at.replace(tzinfo=UTC), at.replace(tzinfo=timezone(timedelta(hours=-5)))]
    named = at.replace(tzinfo=ZoneInfo("Europe/Berlin"))
    assert binary_types(["timestamptz"], [(t,) for t in fixed]) == ["timestamptz"]
    assert binary_types(["timestamptz"], [(t,) for t in [*fixed, named]]) == ["timestamptz"]
    assert binary_types(["timestamptz"], [(t,) for t in [*fixed, at]]) is None
    assert binary_types(["timestamptz"], [(fixed[0],), (at.replace(tzinfo=_NoOffset()),)]) is None
    assert binary_types(["timestamptz"], [(at.replace(tzinfo=_NoOffset()),)]) is None
