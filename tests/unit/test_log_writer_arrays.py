"""The log writer's arrays, encoded in PostgreSQL's binary format by hand (psycopg's own list
dumper chose a dumper per list and called it item by item, in Python, on every batch): they
are byte for byte what psycopg's own binary dumpers make of the same lists."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from psycopg.adapt import PyFormat, Transformer
from psycopg.types.numeric import Int8

from infrastructure.log_writer import (
    BigintArray,
    ByteaArray,
    TextArray,
    UuidArray,
    bigint_array,
    bytea_array,
    text_array,
    uuid_array,
)


def psycopg_binary(values: list[Any]) -> tuple[bytes, int]:
    """What psycopg sends for ``values`` as a binary parameter, and the type's oid."""
    dumper = Transformer().get_dumper(values, PyFormat.BINARY)
    dumped = dumper.dump(values)
    assert dumped is not None
    return bytes(dumped), dumper.oid


IDS = [
    UUID("21f2cb01-14fe-44bd-a2f8-d691a4ab9bc1"),
    UUID("a72cca17-e320-4e59-b4e1-c455da30f846"),
    UUID(int=0),
]
"""Fixed: a parameter made at collection must be the same in every xdist worker."""


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (uuid_array(IDS), IDS),
        (uuid_array([str(i) for i in IDS]), IDS),
        (bigint_array([1, 2, 2**40, -5]), [Int8(1), Int8(2), Int8(2**40), Int8(-5)]),
        (
            text_array(["customer:Registered", "émail ✓", ""]),
            ["customer:Registered", "émail ✓", ""],
        ),
        (bytea_array([b"\x00\x01", b"", b"x" * 700]), [b"\x00\x01", b"", b"x" * 700]),
    ],
    ids=["uuids", "uuid texts", "bigints", "texts", "byteas"],
)
def test_an_array_is_what_psycopg_would_send(ours: bytes, theirs: list[Any]) -> None:
    """Same bytes and same type oid as psycopg's binary list dumper (ids given as UUIDs or as
    their text, versions as int8, any UTF-8 text, empty items)."""
    data, oid = psycopg_binary(theirs)
    assert bytes(ours) == data
    assert type(ours).oid == oid  # type: ignore[attr-defined]


def test_an_empty_array_has_no_dimension_as_postgres_writes_it() -> None:
    """An empty list is an array of no dimension with its item type, as psycopg dumps it."""
    for ours, kind in [
        (uuid_array([]), UuidArray),
        (bigint_array([]), BigintArray),
        (text_array([]), TextArray),
        (bytea_array([]), ByteaArray),
    ]:
        assert isinstance(ours, kind)
        assert bytes(ours)[:8] == b"\x00" * 8
        assert len(bytes(ours)) == 12
