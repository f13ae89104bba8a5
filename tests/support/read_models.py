"""Read-model helpers every test of a projection uses: follow the log, read the rows a read
model owns, run an async query, apply a batch of the log by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from psycopg import AsyncConnection, sql

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.base import Positioned, Projection

T = TypeVar("T")
Rows = dict[str, list[tuple[Any, ...]]]


def project(
    ledger: LedgerCore, database: Database, projection: Projection, batch_size: int = 4
) -> None:
    """Catch ``projection`` up with the log, ``batch_size`` events a transaction."""
    with database.connect() as conn:
        ProjectionRunner(ledger, database, projection, batch_size).catch_up(conn)


def owned_rows(database: Database, projection: type[Projection] | Projection) -> Rows:
    """Every row of every table the read model owns, in a stable order, by table."""
    with database.connect() as conn:
        return {
            table: conn.execute(
                sql.SQL("SELECT * FROM {} ORDER BY 1, 2").format(sql.Identifier(table))
            ).fetchall()
            for table in projection.tables
        }


def query(database: Database, read: Callable[[AsyncConnection[Any]], Awaitable[T]]) -> T:
    """Run one of the read model's async queries on a connection of its own."""

    async def run() -> T:
        async with await AsyncConnection.connect(database.conninfo) as conn:
            return await read(conn)

    return asyncio.run(run())


def apply_again(ledger: LedgerCore, database: Database, projection: Projection) -> None:
    """Apply the whole log to ``projection`` once more, as one batch in one transaction
    (what a worker would do if it lost its position after committing)."""
    rows = ledger.recorder.select_notifications(start=1, limit=100_000)
    batch = [
        Positioned(row.id, row if projection.reads_stored_events else ledger.decoded(row))
        for row in rows
    ]
    with database.connect() as conn, conn.cursor() as cursor:
        projection.apply(cursor, batch)
        conn.commit()
