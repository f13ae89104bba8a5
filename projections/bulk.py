"""Many rows in one statement: ``INSERT ... SELECT FROM unnest(arrays)``, or ``COPY`` while a
rebuild loads empty shadow tables (see ``Projection.loading``); one row by ``VALUES``.

Table, column and type names come from the projections' own literals, never from input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import Cursor, sql

from projections.copy_types import binary_types, register_copy_dumpers

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
    _insert(cursor, table, columns, rows, on_conflict, copy=copy, returning=False)


def insert_rows_returning(
    cursor: Cursor[Any],
    table: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    on_conflict: str = "",
    *,
    copy: bool = False,
) -> list[Any]:
    """:func:`insert_rows`, answering the first column of each row that went in (every row's,
    by COPY): what an ``ON CONFLICT DO NOTHING`` left out was there before."""
    return _insert(cursor, table, columns, rows, on_conflict, copy=copy, returning=True)


def _insert(
    cursor: Cursor[Any],
    table: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    on_conflict: str,
    *,
    copy: bool,
    returning: bool,
) -> list[Any]:
    if not rows:
        return []
    if copy:
        # Binary, each column's dumper chosen once by its type, when the values allow it
        # (projections.copy_types); else text, each value adapted by its Python type.
        types = binary_types([type_ for _, type_ in columns], rows)
        statement = _copy_statement(table, columns, binary=types is not None)
        if types is not None and "jsonb" in types:
            # On a cursor of its own, whose adapters dump JSON text as binary jsonb: the
            # caller's cursor keeps psycopg's dumpers for whatever it runs next.
            with cursor.connection.cursor() as copying:
                register_copy_dumpers(copying.adapters)
                _copy_rows(copying, statement, types, rows)
        else:
            _copy_rows(cursor, statement, types, rows)
        return [row[0] for row in rows] if returning else []
    if len(rows) == 1:
        # One row (a live batch of one event): its values as they are, by VALUES. Each array
        # of an ``unnest`` goes through psycopg's pure-Python list dumper (scanned for its
        # element type, then dumped element by element): in a CPU profile of passes of one
        # registration, the inserts took 35% of the fan-out's thread that way, 19% this way.
        (row,) = rows
        params = [
            array_literals([value])[0] if type_.endswith("[]") else value
            for value, (_, type_) in zip(row, columns, strict=True)
        ]
    else:
        params = [
            array_literals(column) if type_.endswith("[]") else column
            for column, (_, type_) in zip(as_columns(rows, len(columns)), columns, strict=True)
        ]
    text = _insert_statement(cursor, table, tuple(columns), on_conflict, returning, len(rows) == 1)
    cursor.execute(text, params)
    return [key for (key,) in cursor.fetchall()] if returning else []


def _copy_rows(
    cursor: Cursor[Any],
    statement: sql.Composed,
    types: list[str] | None,
    rows: Sequence[Sequence[Any]],
) -> None:
    with cursor.copy(statement) as loading:
        if types is not None:
            loading.set_types(types)
        for row in rows:
            loading.write_row(row)


def _copy_statement(table: str, columns: Sequence[Column], *, binary: bool) -> sql.Composed:
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names)
    return statement + sql.SQL(" (FORMAT BINARY)") if binary else statement


_statements: dict[tuple[str, tuple[Column, ...], str, bool, bool, str], bytes] = {}
"""Each INSERT's text, composed once per process (and connection encoding): composing and
quoting it anew cost more than the statement it replaced for a live batch of a few events."""


def _insert_statement(
    cursor: Cursor[Any],
    table: str,
    columns: tuple[Column, ...],
    on_conflict: str,
    returning: bool,
    one: bool,
) -> bytes:
    key = (table, columns, on_conflict, returning, one, cursor.connection.info.encoding)
    known = _statements.get(key)
    if known is None:
        composed = _composed(table, columns, on_conflict, returning, one=one)
        known = _statements[key] = composed.as_bytes(cursor)
    return known


def _composed(
    table: str, columns: tuple[Column, ...], on_conflict: str, returning: bool, *, one: bool
) -> sql.Composed:
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    if one:
        return _one_row(table, columns, on_conflict, returning, names)
    # An array column travels as one text literal per row (``unnest`` of an array of arrays
    # would flatten it, and rows' arrays differ in length), cast back to its type.
    arrays = sql.SQL(", ").join(
        sql.SQL("%b::{}").format(sql.SQL("text[]" if type_.endswith("[]") else type_ + "[]"))
        for _, type_ in columns
    )
    values = sql.SQL(", ").join(
        sql.SQL("{}::{}").format(sql.Identifier(name), sql.SQL(type_))
        if type_.endswith("[]")
        else sql.Identifier(name)
        for name, type_ in columns
    )
    statement = sql.SQL(
        "INSERT INTO {table} ({names}) SELECT {values} FROM unnest({arrays}) AS r ({names})"
        " {on_conflict}"
    ).format(
        table=sql.Identifier(table),
        names=names,
        values=values,
        arrays=arrays,
        on_conflict=sql.SQL(on_conflict),
    )
    if returning:
        statement += sql.SQL(" RETURNING {}").format(sql.Identifier(columns[0][0]))
    return statement


def array_literals(arrays: list[Any]) -> list[str | None]:
    """Each row's array as PostgreSQL's text literal of it (every element quoted)."""
    return [
        None
        if items is None
        else "{" + ",".join("NULL" if i is None else _quoted(str(i)) for i in items) + "}"
        for items in arrays
    ]


def _quoted(element: str) -> str:
    return '"' + element.replace("\\", "\\\\").replace('"', '\\"') + '"'


def as_columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """``rows`` as ``width`` lists, one per column (the arrays of an ``unnest``)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def _one_row(
    table: str,
    columns: tuple[Column, ...],
    on_conflict: str,
    returning: bool,
    names: sql.Composable,
) -> sql.Composed:
    """The same INSERT for one row, by ``VALUES``: each value cast as its ``unnest`` element is
    (an array column's text literal to text, then to its type), so each is read alike."""
    values = sql.SQL(", ").join(
        sql.SQL("%b::text::{}" if type_.endswith("[]") else "%b::{}").format(sql.SQL(type_))
        for _, type_ in columns
    )
    statement = sql.SQL("INSERT INTO {table} ({names}) VALUES ({values}) {on_conflict}").format(
        table=sql.Identifier(table), names=names, values=values, on_conflict=sql.SQL(on_conflict)
    )
    if returning:
        statement += sql.SQL(" RETURNING {}").format(sql.Identifier(columns[0][0]))
    return statement
