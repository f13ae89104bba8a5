"""A rebuild's binary COPY (each column dumped by its declared type, ``projections.copy_types``)
stores what the text COPY before it stored: any Unicode text (backslashes, tabs, newlines,
carriage returns, what COPY's text format escapes), NULLs, integers at the ends of their range,
uuids, booleans and times in any zone; a batch with a column it does not take (a jsonb
document, an enum, a naive time, an integer out of range) or text with a NUL goes as text, with
the old outcome."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any
from uuid import UUID

import orjson
import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

import projections.bulk
from infrastructure.database import Database
from projections.bulk import insert_rows
from projections.copy_types import binary_types
from tests.support.column_values import AWARE_TIMES, BIGINT, JSON_DOCS, TEXT

COLUMNS = [
    ("n", "bigint"),
    ("id", "uuid"),
    ("label", "text"),
    ("big", "bigint"),
    ("small", "integer"),
    ("flag", "boolean"),
    ("at", "timestamptz"),
    ("other", "uuid"),
]
WITH_DOC = [*COLUMNS, ("doc", "jsonb")]
TYPES = [type_ for _, type_ in COLUMNS]

AWKWARD = st.text(st.sampled_from("\\\t\n\r\b\v\f\\N .é😀"))
"""Text made of what COPY's text format escapes (and ``\\N`` spelled out)."""


def _row(n: int) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.tuples(
        st.just(n),
        st.none() | st.uuids(),
        st.none() | TEXT | AWKWARD,
        st.none() | BIGINT,
        st.none() | st.integers(min_value=-(2**31), max_value=2**31 - 1),
        st.none() | st.booleans(),
        st.none() | AWARE_TIMES,
        st.uuids(),
    )


ROWS = st.integers(min_value=1, max_value=20).flatmap(
    lambda size: st.tuples(*(_row(n) for n in range(size)))
)


@pytest.fixture
def conn(database: Database) -> Iterator[psycopg.Connection[Any]]:
    with database.connect() as connection:
        for table in ("by_binary", "by_text"):
            columns = ", ".join(f"{name} {type_}" for name, type_ in WITH_DOC)
            connection.execute(f"CREATE TABLE {table} ({columns})")
        yield connection


def _copied_both_ways(
    cursor: psycopg.Cursor[Any],
    columns: list[tuple[str, str]],
    rows: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[list[Any], list[Any]]:
    """What each table holds after ``rows`` went in by COPY: as the bulk module sends them
    (binary when it can), and as text (the path before, which it still takes otherwise)."""
    cursor.execute("DELETE FROM by_binary; DELETE FROM by_text")
    insert_rows(cursor, "by_binary", columns, rows, copy=True)
    with monkeypatch.context() as patched:
        patched.setattr(projections.bulk, "binary_types", lambda types, rows: None)
        insert_rows(cursor, "by_text", columns, rows, copy=True)
    return (
        cursor.execute("SELECT * FROM by_binary ORDER BY n").fetchall(),
        cursor.execute("SELECT * FROM by_text ORDER BY n").fetchall(),
    )


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=ROWS)
@example(
    rows=(
        (0, UUID(int=0), "a\\b\tc\nd\re\\N", 0, 0, True, datetime(2026, 12, 5, tzinfo=UTC),
         UUID(int=2**128 - 1)),
        (1, None, "\\N", None, None, False, None, UUID(int=1)),
        (2, None, None, -(2**63), -(2**31), None, None, UUID(int=2)),
    )
)  # fmt: skip
def test_rows_copied_binary_read_back_as_rows_copied_as_text(
    conn: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
    rows: tuple[tuple[Any, ...], ...],
) -> None:
    assert binary_types(TYPES, rows) == TYPES  # every column here can go binary
    with conn.cursor() as cursor:
        by_binary, by_text = _copied_both_ways(cursor, COLUMNS, rows, monkeypatch)
    assert by_binary == by_text
    assert by_binary == [(*_in_utc(row), None) for row in rows]


def _in_utc(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row as read back: its time in UTC (Python calls a time in a zone's repeated hour
    unequal to any time in another zone)."""
    *values, at, other = row
    return (*values, at and at.astimezone(UTC), other)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=ROWS, docs=st.lists(st.none() | JSON_DOCS.map(Jsonb), min_size=19, max_size=19))
def test_a_column_it_does_not_take_sends_the_batch_as_text(
    conn: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
    rows: tuple[tuple[Any, ...], ...],
    docs: list[Jsonb | None],
) -> None:
    # The first row's document is never NULL: a column of NULLs only is one the text takes.
    docs = [Jsonb({"first": True}), *docs]
    with_docs = [(*row, doc) for row, doc in zip(rows, docs, strict=False)]
    assert binary_types([*TYPES, "jsonb"], with_docs) is None
    with conn.cursor() as cursor:
        by_binary, by_text = _copied_both_ways(cursor, WITH_DOC, with_docs, monkeypatch)
    assert by_binary == by_text
    assert [doc for *_, doc in by_binary] == [doc and doc.obj for *_, doc in with_docs]


def test_a_document_column_of_nulls_only_goes_binary_with_the_rest(
    conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The customer directory's registrations: the address is NULL until an event sets it.
    now = datetime(2026, 12, 6, tzinfo=UTC)
    rows = [
        (n, UUID(int=n), f"row {n}", n, -n, n % 2 == 0, now, UUID(int=n + 1), None)
        for n in range(3)
    ]
    assert binary_types([*TYPES, "jsonb"], rows) == [*TYPES, "jsonb"]
    assert binary_types(["jsonb"], [(None,), (Jsonb({}),)]) is None  # a document: text
    with conn.cursor() as cursor:
        by_binary, by_text = _copied_both_ways(cursor, WITH_DOC, rows, monkeypatch)
    assert by_binary == by_text == rows


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=ROWS, docs=st.lists(st.none() | JSON_DOCS, min_size=20, max_size=20))
def test_json_text_in_a_document_column_goes_binary_and_reads_back_as_by_text(
    conn: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
    rows: tuple[tuple[Any, ...], ...],
    docs: list[dict[str, Any] | None],
) -> None:
    """The ticket timeline's steps and tickets: their documents are JSON text made by orjson
    (``str``), sent as jsonb's binary format (a version byte, then the text)."""
    texts = [None if doc is None else orjson.dumps(doc).decode() for doc in docs]
    with_docs = [(*row, text) for row, text in zip(rows, texts, strict=False)]
    assert binary_types([*TYPES, "jsonb"], with_docs) == [*TYPES, "jsonb"]
    with conn.cursor() as cursor:
        by_binary, by_text = _copied_both_ways(cursor, WITH_DOC, with_docs, monkeypatch)
        # The caller's cursor keeps psycopg's own dumpers: a str parameter is still text.
        cursor.execute("SELECT %s::jsonb", ('{"a": 1}',))
        assert cursor.fetchone() == ({"a": 1},)
    assert by_binary == by_text
    assert [doc for *_, doc in by_binary] == docs[: len(rows)]


def test_json_text_the_server_refuses_is_refused_binary_as_by_text(
    conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    row = (0, None, None, None, None, None, None, UUID(int=0))
    conn.commit()  # the tables: each refusal below rolls back
    for text in ('{"a": ', '"\\u0000"'):  # not JSON; a NUL, which jsonb does not hold
        assert binary_types([*TYPES, "jsonb"], [(*row, text)]) == [*TYPES, "jsonb"]
        with conn.cursor() as cursor, pytest.raises(psycopg.DataError):
            insert_rows(cursor, "by_binary", WITH_DOC, [(*row, text)], copy=True)
        conn.rollback()
        with (
            monkeypatch.context() as patched,
            conn.cursor() as cursor,
            pytest.raises(psycopg.DataError),
        ):
            patched.setattr(projections.bulk, "binary_types", lambda types, rows: None)
            insert_rows(cursor, "by_text", WITH_DOC, [(*row, text)], copy=True)
        conn.rollback()


class Colour(StrEnum):
    RED = "red"


class Size(Enum):
    BIG = 2


def test_what_it_leaves_to_the_text_path() -> None:
    """Exact classes only (psycopg adapts an enum or other subclass by its own rules), one
    class a column, ints in the column's range, zoned times, no NUL, known types."""
    now = datetime(2026, 12, 5, tzinfo=UTC)
    assert binary_types(["text"], [(Colour.RED,)]) is None
    assert binary_types(["text"], [(Size.BIG,)]) is None
    assert binary_types(["bigint"], [(True,)]) is None
    assert binary_types(["text"], [("1",), (1,)]) is None
    assert binary_types(["text"], [("a\x00b",)]) is None
    assert binary_types(["integer"], [(2**31,)]) is None
    assert binary_types(["smallint"], [(-(2**15) - 1,)]) is None
    assert binary_types(["bigint"], [(2**63,)]) is None
    assert binary_types(["timestamptz"], [(now,), (now.replace(tzinfo=None),)]) is None
    assert binary_types(["uuid"], [(str(UUID(int=1)),)]) is None
    assert binary_types(["numeric"], [(1,)]) is None
    assert binary_types(["text[]"], [(["a"],)]) is None
    assert binary_types(["uuid", "text"], [(None, None), (None, "a")]) == ["uuid", "text"]
    assert binary_types(["bigint"], [(2**63 - 1,), (None,)]) == ["bigint"]
    assert binary_types(["text"], []) is None


def test_text_with_a_nul_is_refused_as_before(conn: psycopg.Connection[Any]) -> None:
    row = (0, None, "a\x00b", None, None, None, None, UUID(int=0))
    with conn.cursor() as cursor, pytest.raises(psycopg.DataError):
        insert_rows(cursor, "by_binary", COLUMNS, [row], copy=True)


def test_an_enum_in_a_text_column_goes_in_as_before(
    conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [(0, None, Colour.RED, None, None, None, None, UUID(int=0))]
    with conn.cursor() as cursor:
        by_binary, by_text = _copied_both_ways(cursor, COLUMNS, rows, monkeypatch)
    assert by_binary == by_text == [(0, None, "red", None, None, None, None, UUID(int=0), None)]


FLOATS = [("n", "bigint"), ("x", "float8"), ("y", "double precision")]


@pytest.fixture
def float_conn(database: Database) -> Iterator[psycopg.Connection[Any]]:
    with database.connect() as connection:
        for table in ("by_binary", "by_text"):
            connection.execute(f"CREATE TABLE {table} (n bigint, x float8, y double precision)")
        yield connection


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(values=st.lists(st.none() | st.floats(allow_nan=False), min_size=1, max_size=20))
@example(values=[0.0, -0.0, 0.1, 1e300, 5e-324, -1.7976931348623157e308, float("inf"), None])
def test_floats_copied_binary_read_back_as_floats_copied_as_text(
    float_conn: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
    values: list[float | None],
) -> None:
    """A float column goes binary (the survey dashboard's completion times and sentiments):
    every double reads back as the text path's ``repr`` stored it, the sign of zero and the
    infinities included."""
    rows = [(n, x, None if x is None else -x) for n, x in enumerate(values)]
    assert binary_types([t for _, t in FLOATS], rows) == [t for _, t in FLOATS]
    with float_conn.cursor() as cursor:
        by_binary, by_text = _copied_both_ways(cursor, FLOATS, rows, monkeypatch)
    assert by_binary == by_text == [tuple(row) for row in rows]
    assert [str(x) for _, x, _ in by_binary] == [str(x) for _, x, _ in by_text]  # -0.0


def test_nan_copied_binary_reads_back_as_nan(
    float_conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [(0, float("nan"), float("-inf"))]
    with float_conn.cursor() as cursor:
        by_binary, by_text = _copied_both_ways(cursor, FLOATS, rows, monkeypatch)
    assert [str(value) for value in by_binary[0]] == [str(value) for value in by_text[0]]
    assert str(by_binary[0][1]) == "nan"


def test_a_float_column_with_an_int_goes_as_text() -> None:
    # psycopg's text path sends an int as an int: the exact class decides, as for the others.
    assert binary_types(["float8"], [(1.5,), (2,)]) is None
    assert binary_types(["float8"], [(True,)]) is None
    assert binary_types(["float8"], [(None,), (2.5,)]) == ["float8"]
