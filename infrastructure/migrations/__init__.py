"""Schema migrations: the event store's tables, the key table, tracking, read models.

Each step is idempotent and recorded in ``cxl_schema_migrations``; an advisory lock keeps two
processes (an API and a worker starting together) from migrating at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.migrations.append_only import APPEND_ONLY_LOG
from projections.parked import clear_parked
from projections.registry import ALL_PROJECTIONS
from projections.tracking import DDL as TRACKING_DDL
from projections.tracking import reset_if_outdated

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent
MIGRATION_LOCK = 0x63786C6D  # "cxlm"


def pending_sql_files(applied: set[str]) -> list[Path]:
    return [p for p in sorted(MIGRATIONS_DIR.glob("*.sql")) if p.name not in applied]


def migrate(database: Database, ledger: LedgerCore) -> list[str]:
    """Bring the database schema up to date; return the names of the steps applied now."""
    done: list[str] = []
    with database.connect() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS cxl_schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.commit()
        if isinstance(ledger.recorder, PostgresApplicationRecorder):
            ledger.recorder.create_table()
        snapshots = ledger.snapshots.recorder if ledger.snapshots else None
        if isinstance(snapshots, PostgresAggregateRecorder):
            snapshots.create_table()
        if isinstance(ledger.recorder, PostgresApplicationRecorder) and isinstance(
            snapshots, PostgresAggregateRecorder
        ):
            with conn.transaction():
                conn.execute(APPEND_ONLY_LOG)
        applied = {str(r[0]) for r in conn.execute("SELECT name FROM cxl_schema_migrations")}
        for path in pending_sql_files(applied):
            with conn.transaction():
                conn.execute(path.read_text())
                conn.execute("INSERT INTO cxl_schema_migrations (name) VALUES (%s)", (path.name,))
            done.append(path.name)
            log.info("applied migration %s", path.name)
        with conn.transaction():
            conn.execute(TRACKING_DDL)
            for projection in ALL_PROJECTIONS:
                if reset_if_outdated(conn, projection.name, projection.version, projection.tables):
                    clear_parked(conn, projection.name)  # they were the old version's failures
                    done.append(f"reset {projection.name} for rebuild")
                conn.execute(projection.ddl)
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        conn.commit()
    return done
