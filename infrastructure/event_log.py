"""The event store's PostgreSQL recorder, taking the log's write lock through the owner's
function (``migrations/log_lock.py``) instead of ``LOCK TABLE``, which would need a privilege
that lets the runtime role change rows."""

from __future__ import annotations

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.sql import SQL, Identifier

LOCK_FUNCTION = "cxl_lock_ledger_events"
"""Created by ``migrations/log_lock.py``; named here so the event store needs no migrations."""
RECLAIM_FUNCTION = "cxl_reclaim_ledger_ids"
"""Puts the log's sequence back to the last id a row holds, under the log's lock, after a refused
append (``migrations/201_append_without_burnt_ids.sql``)."""


class LedgerEventsRecorder(PostgresApplicationRecorder):
    """The library's recorder, but its EXCLUSIVE lock is taken by ``cxl_lock_ledger_events``."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        if events_table_name != "ledger_events":
            raise ValueError(f"the lock function guards ledger_events, not {events_table_name}")
        set_lock_timeout, _lock_table = self.lock_table_statements
        self.lock_table_statements = [
            set_lock_timeout,
            SQL("SELECT {}.{}()").format(
                Identifier(self.datastore.schema), Identifier(LOCK_FUNCTION)
            ),
        ]
