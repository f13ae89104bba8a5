"""Schema migrations: the event store's tables, the key table, tracking, read models.

Each step is idempotent and recorded in ``cxl_schema_migrations``; an advisory lock keeps two
processes (an API and a worker starting together) from migrating at once. Every statement runs
as the role of ``database`` (the schema's owner); given the runtime role, the last step grants
it what it needs (``privileges``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from psycopg import Connection

from domain.shared.application import LedgerCore
from infrastructure.database import Database
from infrastructure.migrations.append_only import APPEND_ONLY_LOG
from infrastructure.migrations.event_store import create_event_store
from infrastructure.migrations.log_lock import LOG_LOCK
from infrastructure.migrations.privileges import grant_runtime
from projections.parked import clear_parked
from projections.registry import ALL_PROJECTIONS
from projections.tracking import DDL as TRACKING_DDL
from projections.tracking import reset_if_outdated

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent
MIGRATION_LOCK = 0x63786C6D  # "cxlm"


def pending_sql_files(applied: set[str]) -> list[Path]:
    return [p for p in sorted(MIGRATIONS_DIR.glob("*.sql")) if p.name not in applied]


def migrate(database: Database, ledger: LedgerCore, runtime_role: str | None = None) -> list[str]:
    """Bring the database schema up to date; return the names of the steps applied now.

    ``runtime_role``: the role serve and project connect as, when it is not the owner's."""
    done: list[str] = []
    with database.connect() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS cxl_schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.commit()
        if create_event_store(conn, ledger):
            with conn.transaction():
                conn.execute(APPEND_ONLY_LOG)
                conn.execute(LOG_LOCK)
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
        if runtime_role is not None:
            with conn.transaction():
                grant_runtime(conn, runtime_role)
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        conn.commit()
    return done


def steps_behind(conn: Connection[Any]) -> list[str]:
    """What a migration would still do (SQL steps not applied, read models of another version):
    for a process that may not migrate, to refuse to run on a schema older than its code."""
    if conn.execute("SELECT to_regclass('cxl_schema_migrations') IS NULL").fetchone() != (False,):
        return ["the whole schema"]
    applied = {str(r[0]) for r in conn.execute("SELECT name FROM cxl_schema_migrations")}
    behind = [path.name for path in pending_sql_files(applied)]
    versions = dict(conn.execute("SELECT name, version FROM cxl_projection_positions").fetchall())
    behind += [p.name for p in ALL_PROJECTIONS if versions.get(p.name) != p.version]
    return behind
