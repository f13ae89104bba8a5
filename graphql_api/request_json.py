"""JSON from a request (the body, or GET's ``variables``), decoded only if it is safe to use.

Refused before any resolver runs: nesting deeper than :data:`MAX_DEPTH` (Python's decoder
recurses, so 1,000 nested arrays in 2 KB would exhaust its stack, and no GraphQL request needs
more than a few levels), and text that no layer below could store: U+0000 (PostgreSQL refuses it
in text and jsonb) and lone UTF-16 surrogates (they cannot be encoded as UTF-8). Both are
checked on the decoded strings, keys included, so that ``"\\\\u0000"`` (a backslash, then
the letters u0000) stays the ordinary text it is.

The text is decoded by orjson (a tenth of the standard decoder's time for a small query)
unless it holds a run of :data:`LONG_DIGITS` digits or more, and by the standard decoder
when orjson refuses it: orjson reads an integer past 64 bits as a float, and refuses what
the standard decoder accepts (``NaN``, ``1e400``, a byte order mark, UTF-16, a lone
surrogate's escape), so every text decodes to the value, or fails with the message, it
did before. The decoded strings are searched for a NUL or a lone surrogate only when the
standard decoder read the text, or when it holds the escape ``\\u0000``: what orjson decodes
can hold neither otherwise.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted in request JSON."""

_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
LONG_DIGITS = 16
"""Digits in a row from which the standard decoder reads the text: an integer of 19 digits
may pass 64 bits, and a float of many digits is left to the decoder that always read it."""
_LONG_NUMBER = re.compile(rb"[0-9]{%d}" % LONG_DIGITS)


class UnsafeJsonError(ValueError):
    """The JSON cannot be used; ``code`` is the error code a client gets, if any."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def decode_json(data: bytes, name: str) -> Any:
    """The decoded value of ``data``, named ``name`` in error messages."""
    if _depth(data) > MAX_DEPTH:
        raise UnsafeJsonError(f"{name} is nested deeper than {MAX_DEPTH} levels")
    try:
        value, by_orjson = _loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise UnsafeJsonError(f"{name} is not valid JSON") from None
    # What orjson decodes holds no lone surrogate (it refuses their escapes and invalid
    # UTF-8) and a NUL only from the escape \u0000 (it refuses raw control characters):
    # without that escape in the text, no string needs to be looked at.
    if not by_orjson or _NUL_ESCAPE in data:
        _refuse_unstorable_text(value, name)
    return value


_NUL_ESCAPE = b"\\u0000"


def _loads(data: bytes) -> tuple[Any, bool]:
    """``json.loads(data)``, by orjson when it gives the same value; whether orjson read it."""
    if _LONG_NUMBER.search(data) is None:
        try:
            return orjson.loads(data), True
        except orjson.JSONDecodeError:
            pass  # the standard decoder accepts it, or says it is not JSON
    return json.loads(data), False


def _depth(data: bytes) -> int:
    """The deepest nesting of brackets outside strings (an upper bound for invalid JSON)."""
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return 0  # the common case: too few brackets to nest too deeply
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", data)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def _refuse_unstorable_text(value: Any, name: str) -> None:
    for text in _strings(value):
        if "\x00" in text:
            message = f"{name} holds a NUL (U+0000) character, which is not accepted"
            raise UnsafeJsonError(message, code="INVALID_INPUT")
        try:
            text.encode()
        except UnicodeEncodeError:
            message = f"{name} holds a lone UTF-16 surrogate; send valid Unicode"
            raise UnsafeJsonError(message) from None


def _strings(value: Any) -> list[str]:
    """Every string in a decoded JSON value, keys included (without recursion)."""
    found: list[str] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found
