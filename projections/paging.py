"""Keyset pages over a read model's log positions, forward or backward, for connections whose
items are in log order (oldest first)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from psycopg import AsyncConnection, sql
from psycopg.rows import class_row

V = TypeVar("V")
NO_BOUND = 2**63 - 1


@dataclass(frozen=True, slots=True)
class SeqPage(Generic[V]):
    items: list[V]
    has_next_page: bool


async def seq_page(
    conn: AsyncConnection[Any],
    view: type[V],
    query: sql.SQL,
    params: dict[str, Any],
    size: int,
    cursor: int | None,
    *,
    backward: bool,
) -> SeqPage[V]:
    """Run ``query`` (a SELECT whose WHERE ends with ``AND {seq_bound}`` and whose ORDER BY is
    ``{order}``) for one page: forward, ``size`` items after ``cursor``; backward, the ``size``
    just before it, still oldest first. One row more than asked says whether more follow."""
    bound = sql.SQL("seq < %(cursor)s") if backward else sql.SQL("seq > %(cursor)s")
    order = sql.SQL("seq DESC") if backward else sql.SQL("seq ASC")
    start = (NO_BOUND if backward else 0) if cursor is None else cursor
    full = query.format(seq_bound=bound, order=order)
    async with conn.cursor(row_factory=class_row(view)) as cur:
        await cur.execute(full, {**params, "cursor": start, "limit": size + 1})
        rows = await cur.fetchall()
    items = rows[:size]
    return SeqPage(items[::-1] if backward else items, has_next_page=len(rows) > size)
