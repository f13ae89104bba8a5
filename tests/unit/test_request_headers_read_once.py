"""The GraphQL endpoint reads the request headers it needs in one pass over the raw list
(``graphql_api.http._read_headers``), giving what Starlette's ``Headers.get`` gave."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers

from graphql_api.http import _read_headers

RAW = [
    (b"host", b"api.example"),
    (b"accept", b"application/graphql-response+json"),
    (b"content-type", b"application/json; charset=utf-8"),
    (b"accept", b"text/html"),
    (b"x-cxl-channel", b"Web"),
    (b"authorization", b"Bearer caf\xe9"),
    (b"content-length", b"27"),
    (b"x-forwarded-for", b"10.0.0.1"),
]


def _scope(raw: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "headers": raw}


def test_each_header_read_is_what_headers_get_gives_the_first_of_its_name() -> None:
    """A repeated header gives its first value, values are latin-1 text, and a header the
    endpoint does not read is not kept."""
    read = _read_headers(_scope(RAW))
    starlette = Headers(scope=_scope(RAW))
    names = ("accept", "authorization", "content-length", "content-type", "x-cxl-channel")
    assert read == {name: starlette[name] for name in names}
    assert read["accept"] == "application/graphql-response+json"
    assert read["authorization"] == "Bearer café"
    assert "host" not in read and "x-forwarded-for" not in read


def test_a_header_not_sent_is_absent() -> None:
    read = _read_headers(_scope([(b"content-type", b"application/json")]))
    assert read == {"content-type": "application/json"}
    assert read.get("authorization") is None
