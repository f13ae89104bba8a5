"""Arrays sent as binary parameters (``%b::type[]``) still take every value the domain accepts:
empty arrays, NULLs, integers at the ends of their column's range, any Unicode text, times in
any zone. psycopg picks a binary element type from the Python values (an int array goes as
int2, int4, int8 or numeric by its largest value); the ``::type[]`` cast in each statement makes
the column's type out of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from infrastructure.database import Database
from infrastructure.migrations.privileges import _existing
from projections.bulk import insert_rows, insert_rows_returning
from tests.support.column_values import AWARE_TIMES, BIGINT, JSON_DOCS, TEXT

COLUMNS = [
    ("n", "bigint"),
    ("id", "uuid"),
    ("label", "text"),
    ("big", "bigint"),
    ("small", "integer"),
    ("flag", "boolean"),
    ("at", "timestamptz"),
    ("doc", "jsonb"),
]


def _row(n: int) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.tuples(
        st.just(n),
        st.none() | st.uuids(),
        st.none() | TEXT,
        st.none() | BIGINT,
        st.none() | st.integers(min_value=-(2**31), max_value=2**31 - 1),
        st.none() | st.booleans(),
        st.none() | AWARE_TIMES,
        st.none() | JSON_DOCS.map(Jsonb),
    )


ROWS = st.integers(min_value=1, max_value=20).flatmap(
    lambda size: st.tuples(*(_row(n) for n in range(size)))
)


@pytest.fixture
def conn(database: Database) -> Iterator[psycopg.Connection[Any]]:
    with database.connect() as connection:
        columns = ", ".join(f"{name} {type_}" for name, type_ in COLUMNS)
        connection.execute(f"CREATE TABLE binary_arrays ({columns})")
        yield connection


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS)
def test_unnest_insert_stores_every_value_its_columns_accept(
    conn: psycopg.Connection[Any], rows: tuple[tuple[Any, ...], ...]
) -> None:
    with conn.cursor() as cursor:
        cursor.execute("DELETE FROM binary_arrays")
        insert_rows(cursor, "binary_arrays", COLUMNS, rows)
        stored = cursor.execute("SELECT * FROM binary_arrays ORDER BY n").fetchall()
    assert stored == [_as_stored(row) for row in rows]


def _as_stored(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row as read back: its time in UTC (Python calls a time in a zone's repeated hour
    unequal to any time in another zone), its document unwrapped."""
    *values, at, doc = row
    return (*values, at and at.astimezone(UTC), doc and doc.obj)


def test_a_column_of_nulls_only_and_the_extreme_integers_bind(
    conn: psycopg.Connection[Any],
) -> None:
    """The element type comes from the values: none at all (every one NULL) or the widest."""
    rows = [
        (0, None, None, -(2**63), -(2**31), None, None, None),
        (1, None, None, 2**63 - 1, 2**31 - 1, None, datetime(2026, 12, 5, tzinfo=UTC), None),
    ]
    with conn.cursor() as cursor:
        insert_rows(cursor, "binary_arrays", COLUMNS, rows)
        stored = cursor.execute("SELECT * FROM binary_arrays ORDER BY n").fetchall()
    assert stored == rows


def test_empty_binary_arrays_bind_as_empty_arrays_of_their_type(
    conn: psycopg.Connection[Any],
) -> None:
    assert _existing(conn, ()) == []
    found = conn.execute(
        "SELECT count(*) FROM unnest(%b::uuid[], %b::bigint[], %b::text[])", ([], [], [])
    ).fetchone()
    assert found == (0,)


def test_text_arrays_keep_non_ascii_and_array_syntax_characters(
    conn: psycopg.Connection[Any],
) -> None:
    """Text that the array text format would have to quote or escape, and non-BMP letters."""
    labels = ["Zoë", "東京", "😀", "", 'a\\b"{},', "NULL", " padded "]
    rows = [(n, UUID(int=n), label, None, None, None, None, None) for n, label in enumerate(labels)]
    with conn.cursor() as cursor:
        insert_rows(cursor, "binary_arrays", COLUMNS, rows)
        stored = cursor.execute("SELECT label FROM binary_arrays ORDER BY n").fetchall()
    assert [label for (label,) in stored] == labels


ARRAY_COLUMNS = [("n", "bigint"), ("tags", "text[]")]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tags=st.lists(st.none() | st.lists(st.none() | TEXT, max_size=4), min_size=1, max_size=8))
def test_an_array_column_keeps_each_rows_array_whatever_its_elements(
    conn: psycopg.Connection[Any], tags: list[list[str | None] | None]
) -> None:
    """An array column goes in as one literal per row (``unnest`` would flatten an array of
    arrays): any text, quotes, backslashes, braces, the word NULL and NULL elements, empty and
    NULL arrays come back as they were."""
    rows = list(enumerate(tags))
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS tagged (n bigint PRIMARY KEY, tags text[])")
        cursor.execute("DELETE FROM tagged")
        insert_rows(cursor, "tagged", ARRAY_COLUMNS, rows)
        stored = cursor.execute("SELECT n, tags FROM tagged ORDER BY n").fetchall()
    assert stored == rows


def test_an_insert_that_returns_answers_only_the_rows_that_went_in(
    conn: psycopg.Connection[Any],
) -> None:
    """``insert_rows_returning``: what ``ON CONFLICT DO NOTHING`` left out is not answered."""
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE tagged (n bigint PRIMARY KEY, tags text[])")
        insert_rows(cursor, "tagged", ARRAY_COLUMNS, [(1, ["a"])])
        went_in = insert_rows_returning(
            cursor, "tagged", ARRAY_COLUMNS, [(1, ["b"]), (2, ['"q"', None])],
            "ON CONFLICT (n) DO NOTHING",
        )  # fmt: skip
        stored = cursor.execute("SELECT n, tags FROM tagged ORDER BY n").fetchall()
    assert went_in == [2]
    assert stored == [(1, ["a"]), (2, ['"q"', None])]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS)
def test_rows_inserted_one_at_a_time_are_stored_as_the_batch_stores_them(
    conn: psycopg.Connection[Any], rows: tuple[tuple[Any, ...], ...]
) -> None:
    """One row goes by ``VALUES`` (the live case of one event a batch), many by ``unnest``: the
    same values, NULLs and extremes included, come back either way."""
    with conn.cursor() as cursor:
        cursor.execute("DELETE FROM binary_arrays")
        for row in rows:
            insert_rows(cursor, "binary_arrays", COLUMNS, [row])
        stored = cursor.execute("SELECT * FROM binary_arrays ORDER BY n").fetchall()
    assert stored == [_as_stored(row) for row in rows]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tags=st.none() | st.lists(st.none() | TEXT, max_size=4))
def test_one_rows_array_column_keeps_its_array_whatever_its_elements(
    conn: psycopg.Connection[Any], tags: list[str | None] | None
) -> None:
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS tagged (n bigint PRIMARY KEY, tags text[])")
        cursor.execute("DELETE FROM tagged")
        insert_rows(cursor, "tagged", ARRAY_COLUMNS, [(7, tags)])
        stored = cursor.execute("SELECT n, tags FROM tagged").fetchall()
    assert stored == [(7, tags)]


class _Recording(psycopg.Cursor[Any]):
    """A cursor that keeps the parameters of each statement it runs."""

    sent: list[Any]

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        self.sent = [*getattr(self, "sent", []), params]
        return super().execute(query, params, **kwargs)


def test_one_row_is_sent_as_its_values_with_no_array_to_dump(
    conn: psycopg.Connection[Any],
) -> None:
    """Dumping a list is psycopg's pure-Python array dumper: a quarter of the log fan-out's CPU
    per registration when every batch was one event. One row sends its values as they are."""
    with _Recording(conn) as cursor:
        cursor.execute("CREATE TABLE tagged (n bigint PRIMARY KEY, tags text[])")
        insert_rows(cursor, "tagged", ARRAY_COLUMNS, [(1, ["a", None])])
        insert_rows(cursor, "tagged", ARRAY_COLUMNS, [(2, ["b"]), (3, [])])
        one, many = cursor.sent[1:]
    assert one == [1, '{"a",NULL}']
    assert many == [[2, 3], ['{"b"}', "{}"]]
    assert conn.execute("SELECT n, tags FROM tagged ORDER BY n").fetchall() == [
        (1, ["a", None]), (2, ["b"]), (3, []),
    ]  # fmt: skip


def test_one_row_conflicting_updates_from_excluded_and_answers_only_what_went_in(
    conn: psycopg.Connection[Any],
) -> None:
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE tagged (n bigint PRIMARY KEY, tags text[])")
        insert_rows(cursor, "tagged", ARRAY_COLUMNS, [(1, ["a"])])
        insert_rows(
            cursor, "tagged", ARRAY_COLUMNS, [(1, ["b"])],
            "ON CONFLICT (n) DO UPDATE SET tags = tagged.tags || excluded.tags",
        )  # fmt: skip
        kept_out = insert_rows_returning(
            cursor, "tagged", ARRAY_COLUMNS, [(1, ["c"])], "ON CONFLICT (n) DO NOTHING"
        )
        went_in = insert_rows_returning(
            cursor, "tagged", ARRAY_COLUMNS, [(2, None)], "ON CONFLICT (n) DO NOTHING"
        )
        stored = cursor.execute("SELECT n, tags FROM tagged ORDER BY n").fetchall()
    assert (kept_out, went_in) == ([], [2])
    assert stored == [(1, ["a", "b"]), (2, None)]
