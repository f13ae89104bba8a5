"""The event store's own tables, created over the migrating role's connection.

The recorders' ``create_table`` would use the ledger's connections, which belong to the runtime
role; the schema is the owner's, so their statements run on the owner's connection instead.
"""

from __future__ import annotations

import contextlib
from typing import Any

from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg import Connection
from psycopg.errors import DuplicateObject

from domain.shared.application import LedgerCore


def create_event_store(conn: Connection[Any], ledger: LedgerCore) -> bool:
    """Create the log and snapshot tables if the ledger keeps them in PostgreSQL; True if so."""
    snapshots = ledger.snapshots.recorder if ledger.snapshots else None
    recorders = [
        r for r in (ledger.recorder, snapshots) if isinstance(r, PostgresAggregateRecorder)
    ]
    for recorder in recorders:
        for statement in recorder.sql_create_statements:
            # CREATE TYPE has no IF NOT EXISTS: a savepoint keeps the migration going.
            with contextlib.suppress(DuplicateObject), conn.transaction():
                conn.execute(statement, prepare=False)
        conn.commit()
        recorder.datastore.register_type_adapters()  # the composite type may be new
    return isinstance(ledger.recorder, PostgresApplicationRecorder) and isinstance(
        snapshots, PostgresAggregateRecorder
    )
