"""Whether a batch's rows can go in by binary COPY, each column dumped by its declared type.

psycopg's text ``write_row`` looks up a dumper for each value by its Python type and formats
it as text (about 4 us a customer_history row: uuids in Python, times through ``str()``); with
``set_types`` each column's binary dumper is chosen once and most are C (ints, text, times),
about a fifth of that. Text formatting of our own, a column at a time, was no faster than
psycopg's C text path (a time's ``str()`` alone is over 1 us).

A binary dumper takes the column's type on trust, so a batch goes binary only when each column
holds exactly what the text path would have sent as that type and the server would have taken
the same way: the exact Python class (no enum or other subclass, which psycopg's text path
adapts by its own rules), integers inside the column's range, times with a zone (a naive one is
read in the session's zone as text), text without NUL, floats (the text path's ``repr`` reads
back as the very same double, NaN, infinities and -0.0 included: binary sends its bits).
Anything else (a jsonb document, an array, a Decimal, a mix of types) answers ``None``: the
caller sends the batch as text, as before, with the outcome it had (a refused value is refused
the same way). A column of NULLs only has nothing to dump, so it does not hold the batch back,
also of a type in ``_NULLS_ONLY`` (the directory's address, which a registration leaves empty:
its registrations went as text for that one column, about a quarter of a customer_directory
rebuild's applying).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any
from uuid import UUID

_INT_RANGES = {
    "bigint": (-(2**63), 2**63 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "smallint": (-(2**15), 2**15 - 1),
}


def _no_nul(values: Sequence[Any]) -> bool:
    return "\x00" not in "".join(values)


def _zoned(values: Sequence[Any]) -> bool:
    # A fixed offset (``timezone``, what the log's times decode to) always has one: its
    # times are checked by their few distinct zones, not one ``utcoffset`` call each (0.2 us,
    # a third of a customer_history batch's checks). Any other zone may answer None.
    zones = set(map(_ZONE, values))
    if all(type(zone) is timezone for zone in zones):
        return True
    return None not in map(datetime.utcoffset, values)


_ZONE = attrgetter("tzinfo")


def _any(values: Sequence[Any]) -> bool:
    return True


def _in_range(type_: str) -> Callable[[Sequence[Any]], bool]:
    low, high = _INT_RANGES[type_]
    return lambda values: low <= min(values) and max(values) <= high


_BINARY: dict[str, tuple[type, Callable[[Sequence[Any]], bool]]] = {
    "uuid": (UUID, _any),
    "text": (str, _no_nul),
    "bigint": (int, _in_range("bigint")),
    "integer": (int, _in_range("integer")),
    "smallint": (int, _in_range("smallint")),
    "boolean": (bool, _any),
    "timestamptz": (datetime, _zoned),
    "float8": (float, _any),
    "double precision": (float, _any),
}
"""A column's PostgreSQL type -> the one Python class sent binary as it, and what else its
values must satisfy."""
_NULLS_ONLY = frozenset({"jsonb"})
"""Types whose values go as text, but a column of NULLs only of which may go binary: a NULL is
the same in both formats, and psycopg knows the type's name (``set_types``)."""


def binary_types(types: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str] | None:
    """``types`` when every column of ``rows`` can be dumped binary as its type (see the
    module), else ``None``."""
    if not rows:
        return None
    for type_, column in zip(types, zip(*rows, strict=True), strict=True):
        known = _BINARY.get(type_)
        if known is None and type_ not in _NULLS_ONLY:
            return None
        kinds = set(map(type, column))
        nulls = type(None) in kinds
        kinds.discard(type(None))
        if not kinds:
            continue  # NULLs only: any type sends them the same way
        if known is None:
            return None
        expected, fits = known
        if kinds != {expected}:
            return None
        if not fits([value for value in column if value is not None] if nulls else column):
            return None
    return list(types)
