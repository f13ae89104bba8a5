"""Moments a client gives: each must say its time zone (a local time is ambiguous)."""

from __future__ import annotations

from datetime import datetime
from typing import overload

from graphql_api.errors import PublicError


@overload
def moment(value: datetime, name: str) -> datetime: ...


@overload
def moment(value: datetime | None, name: str) -> datetime | None: ...


def moment(value: datetime | None, name: str) -> datetime | None:
    """``value`` if it has a time zone (or is left out); INVALID_INPUT naming ``name`` if not."""
    if value is not None and value.tzinfo is None:
        raise PublicError(f"`{name}` needs a time zone, e.g. 2026-01-31T23:59:59Z", "INVALID_INPUT")
    return value
