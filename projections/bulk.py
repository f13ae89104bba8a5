"""Many rows in one statement: ``INSERT ... SELECT FROM unnest(arrays)``, or ``COPY`` while a
rebuild loads empty shadow tables (see ``Projection.loading``).

Table, column and type names come from the projections' own literals, never from input. Not for
array columns: ``unnest`` of an array of arrays flattens it (and rows' arrays differ in length).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import Cursor, sql

Column = tuple[str, str]
"""A column's name and its PostgreSQL type (for the array it is sent in)."""


def insert_rows(
    cursor: Cursor[Any],
    table: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    on_conflict: str = "",
    *,
    copy: bool = False,
) -> None:
    """Insert ``rows`` with one statement. ``copy``: by COPY, for a table no earlier row can
    conflict with (its key is the event's log position, or the id of the stream the event
    creates, and the table started empty), so ``on_conflict`` has nothing to do."""
    if not rows:
        return
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    if copy:
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names)
        with cursor.copy(statement) as loading:
            for row in rows:
                loading.write_row(row)
        return
    arrays = sql.SQL(", ").join(sql.SQL("%b::{}[]").format(sql.SQL(type_)) for _, type_ in columns)
    statement = sql.SQL("INSERT INTO {} ({}) SELECT * FROM unnest({}) {}").format(
        sql.Identifier(table),
        names,
        arrays,
        sql.SQL(on_conflict),
    )
    cursor.execute(statement, [list(column) for column in zip(*rows, strict=True)])


def as_columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """``rows`` as ``width`` lists, one per column (the arrays of an ``unnest``)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width
