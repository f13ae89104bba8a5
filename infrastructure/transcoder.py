"""The ledger's JSON transcoder: the library's ``JSONTranscoder`` format, faster both ways.

Decoding was over half of a rebuild's time (benchmarks/rebuild.py --profile): the standard
library's parser, then an object hook called on every JSON object, tagged or not. Here orjson
parses the stored bytes (about twice as fast as ``json``) and one walk over the result turns
each tagged object (``{"_type_": name, "_data_": data}``) into its value, innermost first, as
the object hook did (a transcoding marked ``flat``, whose ``encode`` makes its data of strings
only, gets them as parsed: there is nothing inside to decode). The same stored bytes give the
same objects.

Encoding (the standard library's ``iterencode`` and a Python ``default`` call per tagged value
were a sixth of a registration's CPU) turns the value into plain JSON types in one walk, each
registered type as the tagged object the library's ``default`` makes, and has orjson write it
(a UTC datetime's data included, which orjson writes as the text ``isoformat()`` gives).
orjson cannot be left to meet the registered types itself: it writes a ``UUID`` or a plain
``Enum`` natively, untagged, and never asks ``default``. The stored bytes may differ from the
library's (a float's spelling: ``1e+16`` there, ``1e16`` here; escapes), the value they decode to
does not: the decoder below and the library's read both alike. What the walk or orjson would
write differently or refuses (a non-finite float, which ``json`` writes as ``NaN`` and orjson as
``null``; a key that is not a string; an integer past 64 bits; a lone surrogate, which the
library refuses too; nesting past orjson's depth) is encoded by the library, as before. The
audit chain hashes each row's stored bytes as written, so new rows chain as old ones did.

What orjson refuses and ``json`` reads (``NaN`` and ``Infinity``, which ``json`` writes for such
floats; lone surrogates), and integers past 64 bits, which orjson reads as floats, fall back to
the library's decoder, so every event already stored decodes as before. Such an integer is
found by the walk, which meets every number outside a flat transcoding's data (text only): it
reads as a float at least 2**63 in size, and any float that large sends the event to the
library's decoder (an honest float that large too: rare, and decoded alike). Looking for it in
the stored bytes instead (nineteen digits in a row, after translating each digit to a zero) was
about 0.6 us an event, a twentieth of a rebuild's CPU, and the walk visits each value anyway.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Transcoding,
    TranscodingNotRegisteredError,
)

_TYPE = "_type_"
_Decoder = tuple[Callable[[Any], Any], bool]
"""A transcoding's ``decode``, and whether it is ``flat``."""
_DATA = "_data_"


class LedgerTranscoder(JSONTranscoder):
    """``JSONTranscoder`` with orjson and one walk instead of an object hook per object."""

    def __init__(self) -> None:
        super().__init__()
        self._decoders: dict[str, _Decoder] = {}
        self._tagged_kinds: dict[type, _Encoder] = {}
        """Each type met so far that is written as a tagged value (a registered type that
        subclasses no JSON type), its transcoding's name, how its data are made and whether
        they need no walk: the five questions ``_other`` asks before its look-up, about a
        third of the walk, are answered once per type."""

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self._plain(obj, 0))
        except (_NotPlainError, orjson.JSONEncodeError):
            return super().encode(obj)  # the library's bytes, or its error

    def _plain(self, value: Any, depth: int) -> Any:
        """``value`` as the library's encoder sees it, of plain JSON types only: tuples as
        lists, str, int and float subclasses (a ``StrEnum``) as their base type, as ``json``
        writes them, each registered type as its tagged object, encoded in turn."""
        kind = type(value)
        if kind in _SCALARS:
            if kind is float and not math.isfinite(value):
                raise _NotPlainError  # json writes NaN, orjson null
            return value
        if depth > _MAX_DEPTH:
            raise _NotPlainError  # perhaps a cycle: the library says which error
        if kind is dict:
            plain: dict[str, Any] = {}
            tagged_kinds = self._tagged_kinds
            for name, item in value.items():
                if type(name) is not str:
                    raise _NotPlainError  # json turns some keys into strings, orjson none
                # Most values are text, None or whole numbers: kept without a call; most of
                # the rest (an event's timestamp, metadata, personal data) are of a tagged
                # type met before: tagged here as below, without a call (four an event).
                item_kind = type(item)
                if item_kind in _KEPT:
                    plain[name] = item
                elif depth < _MAX_DEPTH and (tagged := tagged_kinds.get(item_kind)) is not None:
                    tag, encode, flat = tagged
                    data = encode(item)
                    if not flat and type(data) is not str:
                        data = self._plain(data, depth + 2)
                    plain[name] = {_TYPE: tag, _DATA: data}
                else:
                    plain[name] = self._plain(item, depth + 1)
            return plain
        if kind is list or kind is tuple:
            return [item if type(item) in _KEPT else self._plain(item, depth + 1) for item in value]
        tagged = self._tagged_kinds.get(kind)
        if tagged is not None:
            tag, encode, flat = tagged
            data = encode(value)
            # A flat transcoding's data are text only (its promise), and any transcoding's
            # data may be plain text (a UUID's, a datetime's): nothing to walk, no call.
            if not flat and type(data) is not str:
                data = self._plain(data, depth + 1)
            return {_TYPE: tag, _DATA: data}
        return self._other(value, kind, depth)

    def _other(self, value: Any, kind: type, depth: int) -> Any:
        """A value of a registered type as its tagged object, checked in json's own order so
        that a subclass of a JSON type is written as json does (a ``StrEnum`` as its text),
        never by a transcoding registered for it."""
        if isinstance(value, str):
            return str.__str__(value)
        if isinstance(value, int):
            return int.__int__(value)  # bool is exact, above: only int's subclasses here
        if isinstance(value, float):
            return self._plain(float.__float__(value), depth)
        if isinstance(value, (list, tuple, dict)):
            raise _NotPlainError  # a container subclass: json's rules for it are its own
        transcoding = self.types.get(kind)
        if transcoding is None:
            raise _NotPlainError  # the library raises its TranscodingNotRegisteredError
        if kind is datetime and type(transcoding) is DatetimeAsISO:
            self._tagged_kinds[kind] = (transcoding.name, _iso_unless_utc, True)
        else:
            flat = getattr(transcoding, "flat", False)
            self._tagged_kinds[kind] = (transcoding.name, transcoding.encode, flat)
        return {
            _TYPE: transcoding.name,
            _DATA: self._plain(transcoding.encode(value), depth + 1),
        }

    def decode(self, data: bytes) -> Any:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        try:
            return self._revived(parsed)
        except _MaybeLongIntegerError:
            return super().decode(data)  # maybe an integer orjson read as a float

    def decode_fields(self, data: bytes, names: Collection[str]) -> dict[str, Any] | None:
        """Only the top-level fields ``names`` of the stored state ``data`` (those it has),
        each decoded as :meth:`decode` decodes it; the other fields are parsed and left
        unwalked (a rebuild that reads a few fields of each event: the walk of the rest was
        most of its decoding). None when :meth:`decode` would read the state another way (JSON
        orjson refuses, a number among the fields that may be an integer past 64 bits, a state
        that is not an object): the caller decodes it whole then, with the library's decoder
        if need be, and meets the same error."""
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        if type(parsed) is not dict or _TYPE in parsed:
            return None
        picked = {name: parsed[name] for name in names if name in parsed}
        try:
            fields: dict[str, Any] = self._revived_object(picked)
        except _MaybeLongIntegerError:
            return None
        return fields

    def _revived(self, value: Any) -> Any:
        """``value`` with each tagged object decoded by its transcoding, innermost first;
        :class:`_MaybeLongIntegerError` for a float as large as an integer past 64 bits."""
        kind = type(value)
        if kind is dict:
            return self._revived_object(value)
        if kind is list:
            return [self._revived(item) if type(item) in _WALKED else item for item in value]
        if kind is float and not -_LONG < value < _LONG:
            raise _MaybeLongIntegerError
        return value

    def _revived_object(self, value: dict[str, Any]) -> Any:
        decoders = self._decoders
        for name, item in value.items():
            kind = type(item)
            if kind is dict:
                # A tagged value (most of an event's values) is decoded here, without a call
                # for its own two keys.
                if len(item) == 2 and type(tag := item.get(_TYPE)) is str and _DATA in item:
                    decode, flat = decoders.get(tag) or self._decoder(tag)
                    data = item[_DATA]
                    # A flat transcoding's data are text only: nothing inside to decode (nor
                    # a number to check).
                    if type(data) in _WALKED and not flat:
                        data = self._revived(data)
                    elif type(data) is float and not -_LONG < data < _LONG:
                        raise _MaybeLongIntegerError
                    value[name] = decode(data)
                else:
                    value[name] = self._revived_object(item)
            elif kind is list:
                value[name] = self._revived(item)
            elif kind is float and not -_LONG < item < _LONG:
                raise _MaybeLongIntegerError
        if len(value) == 2 and _TYPE in value and _DATA in value:  # a tagged value at the top
            return self._tagged(value[_TYPE], value[_DATA])
        return value

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        # Each tag's decoding function and ``flat`` flag, found once per tag (a look-up of the
        # transcoding, then of its method and its flag, per tagged value was a tenth of the
        # walk); forgotten whenever a name may come to mean another transcoding.
        self._decoders = {}
        self._tagged_kinds = {}

    def _decoder(self, name: str) -> _Decoder:
        transcoding = self._named(name)
        decoder = self._decoders[name] = (transcoding.decode, getattr(transcoding, "flat", False))
        return decoder

    def _tagged(self, name: str, data: Any) -> Any:
        return self._named(name).decode(data)

    def _named(self, name: str) -> Transcoding:
        transcoding = self.names.get(name)
        if transcoding is None:
            raise TranscodingNotRegisteredError(
                f"Data serialized with name '{name}' is not deserializable. "
                "Please register a custom transcoding for this type."
            )
        return transcoding


def _iso_unless_utc(value: datetime) -> datetime | str:
    """The library's ``datetime_iso`` data for ``value``: a UTC datetime (every event's
    timestamp) as it is, for orjson to write, which it does in Rust as the same text as
    ``isoformat()`` (microseconds only when there are any, ``+00:00``); any other as
    ``isoformat()``, as orjson writes some offsets otherwise (seconds dropped).
    ``isoformat()`` in Python was about a fifth of encoding a registration's events."""
    return value if value.tzinfo is UTC else value.isoformat()


_Encoder = tuple[str, Callable[[Any], Any], bool]
"""A tagged type's transcoding name, its encoding function, and whether its data need no walk
(a ``flat`` transcoding's, text only, or data orjson writes as the transcoding would)."""


class _MaybeLongIntegerError(Exception):
    """The parsed value holds a float that orjson may have read from an integer past 64 bits
    (which ``json`` keeps exact): the library's decoder reads the event instead."""


class _NotPlainError(Exception):
    """The value holds something the fast encoding does not write as the library would."""


_ABSENT = object()
_WALKED = (dict, list, float)
"""What the walk looks into: containers, and floats (perhaps a long integer, ``_LONG``)."""
_LONG = 2.0**63
"""The smallest size of a float orjson makes of an integer literal: below it (down to -2**63,
and up to 2**64 - 1) it reads integers as integers."""
_SCALARS = frozenset({str, int, float, bool, type(None)})
_KEPT = frozenset({str, int, bool, type(None)})
"""Written by orjson as by json (not float: a non-finite one is not)."""
_MAX_DEPTH = 200
"""Below orjson's limit (254 levels), and Python's recursion limit; deeper values (or a cycle,
which ``json`` reports as such) go to the library's encoder."""
