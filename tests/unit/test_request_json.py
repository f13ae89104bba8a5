"""Request JSON decodes to the value the standard decoder gives, or fails with the same
message, whichever decoder reads it (graphql_api.request_json: orjson unless the text holds
a long run of digits or orjson refuses it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphql_api import request_json
from graphql_api.request_json import UnsafeJsonError, decode_json

_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def _standard(data: bytes) -> tuple[str, Any]:
    """What the decoder gave before: the value's repr (so that 1 and 1.0, -0.0 and 0.0
    differ), or the failure's message."""
    try:
        return "value", repr(json.loads(data))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "error", "body is not valid JSON"


def _decoded(data: bytes) -> tuple[str, Any]:
    try:
        return "value", repr(decode_json(data, "body"))
    except UnsafeJsonError as error:
        return "error", error.message


@given(_VALUES)
def test_every_json_value_decodes_as_the_standard_decoder_decodes_it(value: Any) -> None:
    """Any value (ints past 64 bits, NaN and infinities, any text) written as JSON."""
    data = json.dumps(value).encode()
    expected = _standard(data)
    got = _decoded(data)
    if got[0] == "error" and expected[0] == "value":
        # Refused after decoding: a NUL or a lone surrogate in a string, as before.
        assert "NUL" in got[1] or "surrogate" in got[1]
    else:
        assert got == expected


@given(st.binary(max_size=40))
def test_any_bytes_decode_or_fail_as_before(data: bytes) -> None:
    expected, got = _standard(data), _decoded(data)
    if got[0] == "error" and expected[0] == "value":
        assert "NUL" in got[1] or "surrogate" in got[1]
    else:
        assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": 123456789012345678901234567890}',
        b'{"a": -9223372036854775809}',
        b'{"a": 18446744073709551616}',
        b'{"a": 1e400}',
        b'{"a": -1e400}',
        b'{"a": 1e-400}',
        b'{"a": NaN, "b": Infinity}',
        b'\xef\xbb\xbf{"a": 1}',
        '{"a": 1}'.encode("utf-16"),
        b'{"a": 0.1000000000000000055511151231257827}',
        b'{"a": 2.2250738585072011e-308}',
        b'{"a": 1, "a": 2}',
    ],
)
def test_the_texts_orjson_reads_otherwise_decode_as_before(text: bytes) -> None:
    """Long integers, out-of-range floats, NaN, a byte order mark, UTF-16, many digits."""
    assert _decoded(text) == _standard(text)


def test_a_lone_surrogate_escape_is_still_refused_as_such() -> None:
    with pytest.raises(UnsafeJsonError, match="lone UTF-16 surrogate"):
        decode_json(b'{"query": "\\ud800"}', "body")


@given(st.text(), st.text())
def test_a_nul_anywhere_is_refused_whichever_decoder_reads_it(before: str, after: str) -> None:
    """In a value, in a key, beside a long number (the standard decoder's texts) or not."""
    text = before + "\x00" + after
    values: list[Any] = [{"query": text}, {text: 1}, [1, {"a": [text]}], {"n": 10**20, "q": text}]
    for value in values:
        with pytest.raises(UnsafeJsonError, match="NUL"):
            decode_json(json.dumps(value).encode(), "body")


def test_a_text_orjson_read_without_a_nul_escape_is_not_searched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The strings of what orjson decoded are looked at only when the text holds the NUL
    escape (it refuses lone surrogates and raw control characters itself); a text the
    standard decoder read always is."""
    searched: list[Any] = []

    def strings(value: Any) -> list[str]:
        searched.append(value)
        return []

    monkeypatch.setattr(request_json, "_strings", strings)
    decode_json(b'{"query": "{ __typename }", "variables": {"a": ["\\u00e9", 1]}}', "body")
    assert searched == []
    for text in (b'{"query": "\\u0000"}', b'{"n": 12345678901234567890}', b'{"a": NaN}'):
        decode_json(text, "body")
    assert len(searched) == 3
