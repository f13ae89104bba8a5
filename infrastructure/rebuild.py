"""Rebuild a read model from the log without taking it offline.

The new version is built in a shadow schema while the old one keeps serving; then, holding the
projection's position lock (which pauses its live worker), the rebuild applies the last few
events, swaps the tables into place and records the position, in one transaction.
"""

from __future__ import annotations

from typing import Any

from psycopg import Connection, sql

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.projection_runner import Progress, apply_next_batch
from projections.base import Projection
from projections.tracking import lock_position, set_position


def rebuild(
    ledger: LedgerCore,
    database: Database,
    projection: Projection,
    batch_size: int,
    progress: Progress | None = None,
) -> int:
    """Rebuild ``projection`` from the first event; return the position it reached."""
    shadow = sql.Identifier(f"cxl_rebuild_{projection.name}")
    with database.connect() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(shadow))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(shadow))
        conn.execute(sql.SQL("SET search_path TO {}, public").format(shadow))
        conn.execute(projection.ddl)
        conn.commit()
        reached = _build(conn, ledger, projection, batch_size, progress)
        with conn.transaction():
            lock_position(conn, projection.name)
            reached = _catch_up(conn, ledger, projection, reached, batch_size)
            for table in projection.tables:
                _swap(conn, shadow, sql.Identifier(table))
            set_position(conn, projection.name, reached)
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(shadow))
        conn.execute("SET search_path TO DEFAULT")
        conn.commit()
    return reached


def _build(
    conn: Connection[Any],
    ledger: LedgerCore,
    projection: Projection,
    batch_size: int,
    progress: Progress | None,
) -> int:
    reached, head = 0, ledger.head_position()
    while reached < head:
        with conn.transaction():
            reached = apply_next_batch(conn, ledger, projection, reached, batch_size, head)
        if progress is not None:
            progress(reached, head)
    return reached


def _catch_up(
    conn: Connection[Any],
    ledger: LedgerCore,
    projection: Projection,
    reached: int,
    batch_size: int,
) -> int:
    head = ledger.head_position()
    while reached < head:
        reached = apply_next_batch(conn, ledger, projection, reached, batch_size, head)
    return reached


def _swap(conn: Connection[Any], shadow: sql.Identifier, table: sql.Identifier) -> None:
    conn.execute(sql.SQL("DROP TABLE IF EXISTS public.{} CASCADE").format(table))
    conn.execute(sql.SQL("ALTER TABLE {}.{} SET SCHEMA public").format(shadow, table))
