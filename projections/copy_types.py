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
A ``jsonb`` column of JSON text (``str``: what the ticket timeline's steps and tickets hold,
made by orjson) goes in jsonb's binary format, a version byte (1) then the very text, which the
server parses as it parses the text COPY's field (``JsonTextBinaryDumper``, on the COPY's own
cursor: psycopg's binary jsonb dumper would write a ``str`` as a JSON string); the timeline's
steps went as text for their two jsonb columns alone. A jsonb document given as a Python value
(``Jsonb``) still goes as text. Anything else (an array, a Decimal, a mix of types) answers
``None``: the caller sends the batch as text, as before, with the outcome it had (a refused
value is refused the same way). A column of NULLs only has nothing to dump, so it does not hold
the batch back (the directory's address, which a registration leaves empty).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any
from uuid import UUID

from psycopg import adapt, pq
from psycopg.adapt import AdaptersMap

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
    "jsonb": (str, _no_nul),
}
"""A column's PostgreSQL type -> the one Python class sent binary as it, and what else its
values must satisfy."""
_JSONB_VERSION = b"\x01"
"""The only version of jsonb's binary format (PostgreSQL's ``jsonb_recv``)."""


class JsonTextBinaryDumper(adapt.Dumper):
    """JSON text (a ``str``) as a ``jsonb`` value in binary: the version byte, then the text
    itself, parsed by the server as the text format's field would be."""

    format = pq.Format.BINARY

    def dump(self, obj: str) -> bytes:
        return _JSONB_VERSION + obj.encode()


def register_copy_dumpers(adapters: AdaptersMap) -> None:
    """Make a binary COPY's ``jsonb`` columns (``set_types``) take JSON text as
    :func:`binary_types` allows it. Only by the type's oid: a value adapted by its Python class
    (a ``Jsonb`` document, a ``str`` parameter) is dumped as before."""
    oid = adapters.types["jsonb"].oid
    dumper = _DUMPERS.get(oid)
    if dumper is None:
        dumper = _DUMPERS[oid] = type(
            "JsonbTextBinaryDumper", (JsonTextBinaryDumper,), {"oid": oid}
        )
    adapters.register_dumper(None, dumper)


_DUMPERS: dict[int, type[JsonTextBinaryDumper]] = {}
"""The dumper class made for jsonb's oid (the same on every server: made once)."""


def binary_types(types: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str] | None:
    """``types`` when every column of ``rows`` can be dumped binary as its type (see the
    module), else ``None``."""
    if not rows:
        return None
    for type_, column in zip(types, zip(*rows, strict=True), strict=True):
        known = _BINARY.get(type_)
        if known is None:
            return None
        kinds = set(map(type, column))
        nulls = type(None) in kinds
        kinds.discard(type(None))
        if not kinds:
            continue  # NULLs only: any type sends them the same way
        expected, fits = known
        if kinds != {expected}:
            return None
        if not fits([value for value in column if value is not None] if nulls else column):
            return None
    return list(types)
