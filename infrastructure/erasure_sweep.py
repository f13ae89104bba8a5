"""The erasure sweep: the worker's job that finishes what completing an erasure leaves to do.

1. An erasure left erasing (started, its keys perhaps destroyed, its completion not recorded:
   a crash or a lost connection in between) for longer than ``STALLED_AFTER`` is completed
   here, by the system actor. The read models only purge their copies once it is.
2. A purge (an UPDATE to NULL, a DELETE) leaves the old row versions in the table as dead
   tuples, and the key table keeps a destroyed key's wrapped bytes the same way. Once every
   read model that purges has applied a completion (its position is past the completion's),
   this job vacuums the tables they purge (``Projection.erasure_purges``) and the key table,
   then records ``ErasureRequest.Vacuumed``. VACUUM cannot run in a transaction block: it runs
   on an autocommit connection, after the purges committed.

VACUUM removes only the row versions no snapshot can still see, so it first waits until no
transaction of this database (and no replication slot or prepared transaction) is older than
the purges; otherwise it reports what it waits for and tries again on its next run. A plain
VACUUM removes the dead tuples but leaves their bytes in the pages' free space until new rows
overwrite them, which a scan of the data files still finds; so by default each table is then
rewritten (``VACUUM (FULL)``), which copies only the live rows. The rewrite holds an exclusive
lock on the table while it copies it (it waits at most ``LOCK_TIMEOUT`` for it, else tries
again next run); ``CXL_ERASURE_VACUUM=plain`` trades that for the free-space residue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from uuid import UUID, uuid4

import psycopg
from psycopg import Connection, sql

from domain.ledger import Ledger
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from projections.privacy.erasure_queries import erasing_since, erasures_to_vacuum
from projections.registry import ALL_PROJECTIONS
from projections.tracking import all_positions

log = logging.getLogger(__name__)

VacuumMode = Literal["full", "plain"]
ACTOR_ID = "erasure-sweep"
STALLED_AFTER = timedelta(minutes=1)
"""An erasure still erasing this long after it started is taken to have failed."""
LOCK_TIMEOUT = "5s"
PATIENCE = 10.0
"""Seconds to wait for transactions older than the purges to end before trying next run."""
KEY_TABLE = "cxl_subject_keys"
# FREEZE makes VACUUM wait for a page another backend has pinned instead of passing over it
# (and its dead tuples); pages already frozen and unchanged since are skipped next time.
_VACUUM = sql.SQL("VACUUM (FREEZE) {}")
_REWRITE = sql.SQL("VACUUM (FULL) {}")

ERASURE_PURGES: Mapping[str, tuple[str, ...]] = {
    p.name: p.erasure_purges for p in ALL_PROJECTIONS if p.erasure_purges
}
"""Read model -> the tables whose personal values it purges on an erasure."""

# Whatever still holds a snapshot (or an xid) from before ``x``: a backend of this database
# (an autovacuum worker's ANALYZE included), a replication slot, a prepared transaction.
# VACUUM could not remove what they can see.
_OLDER_THAN = """
    SELECT 'backend ' || pid FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND (age(backend_xmin) >= age(%(x)s::xid) OR age(backend_xid) >= age(%(x)s::xid))
    UNION ALL
    SELECT 'replication slot ' || slot_name FROM pg_replication_slots
    WHERE age(xmin) >= age(%(x)s::xid)
    UNION ALL
    SELECT 'prepared transaction ' || gid FROM pg_prepared_xacts
    WHERE database = current_database() AND age(transaction) >= age(%(x)s::xid)
"""


@dataclass(frozen=True, slots=True)
class SweepSummary:
    """What one run did, and what it waits for."""

    at: datetime
    finished: list[UUID] = field(default_factory=list)
    """Subjects whose stalled erasure this run completed."""
    vacuumed: list[UUID] = field(default_factory=list)
    """Subjects whose read-model copies this run vacuumed away."""
    tables: list[str] = field(default_factory=list)
    waiting: str | None = None
    """Why completed erasures are not vacuumed yet (None: nothing waits)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "finished": [str(s) for s in self.finished],
            "vacuumed": [str(s) for s in self.vacuumed],
            "tables": self.tables,
            "waiting": self.waiting,
        }


class ErasureSweep:
    """Finishes stalled erasures and vacuums the read models after completed ones."""

    def __init__(
        self,
        ledger: Ledger,
        database: Database,
        mode: VacuumMode = "full",
        purges: Mapping[str, tuple[str, ...]] = ERASURE_PURGES,
        patience: float = PATIENCE,
    ) -> None:
        self.ledger = ledger
        self.database = database
        self.full = mode == "full"
        self.patience = patience
        self.purges = purges
        self.tables = sorted({t for tables in purges.values() for t in tables} | {KEY_TABLE})

    def run(self, now: datetime | None = None) -> SweepSummary:
        at = now or datetime.now(UTC)
        run_id = uuid4()
        metadata = EventMetadata(ACTOR_ID, Role.SYSTEM, Channel.SYSTEM, run_id, run_id)
        # A session of its own (lock_timeout, VACUUM), never through a transaction pooler.
        with self.database.connect(autocommit=True, direct=True) as conn:
            finished = self._finish_stalled(conn, metadata, at)
            due = self._due(conn)
            waiting = self._vacuum(conn) if due else None
        vacuumed = [] if waiting or not due else self._record(due, metadata, at)
        summary = SweepSummary(at, finished, vacuumed, self.tables if vacuumed else [], waiting)
        if finished or vacuumed or waiting:
            log.info("erasure sweep: %s", summary.as_dict())
        return summary

    def _finish_stalled(
        self, conn: Connection[Any], metadata: EventMetadata, at: datetime
    ) -> list[UUID]:
        finished = []
        for subject in erasing_since(conn, at - STALLED_AFTER):
            try:
                self.ledger.complete_erasure(subject, metadata, at)
            except DomainError as error:  # completed meanwhile by someone else: done
                log.info("erasure sweep left %s: %s %s", subject, error.code, error)
                continue
            finished.append(subject)
        return finished

    def _due(self, conn: Connection[Any]) -> list[UUID]:
        """Completed erasures not vacuumed after, that every purging read model has applied."""
        positions = all_positions(conn)
        purged_up_to = min(positions.get(name, 0) for name in self.purges)
        return [e.subject_id for e in erasures_to_vacuum(conn) if e.completed_seq <= purged_up_to]

    def _vacuum(self, conn: Connection[Any]) -> str | None:
        """Vacuum the tables unless something older than the purges still holds a snapshot
        (or a table stays locked); what it waits for, or None once vacuumed."""
        holders = self._older_snapshots(conn)
        if holders:
            return "older snapshots: " + ", ".join(holders)
        conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
        # The plain VACUUM removes the dead row versions (its horizon is this database's);
        # the rewrite then copies only live rows. Rewriting alone would copy them: its own
        # snapshot is as old as the oldest transaction of any database on the server.
        statements = [_VACUUM, _REWRITE] if self.full else [_VACUUM]
        for statement, table in ((s, t) for s in statements for t in self.tables):
            try:
                conn.execute(statement.format(sql.Identifier(table)))
            except psycopg.errors.LockNotAvailable:
                return f"table {table} stayed locked for {LOCK_TIMEOUT}"
        return None

    def _older_snapshots(self, conn: Connection[Any]) -> list[str]:
        """What still sees the database as it was before the purges, after waiting up to
        ``patience`` seconds for it to end (transactions under way end within moments)."""
        row = conn.execute("SELECT pg_current_xact_id()::xid::text").fetchone()
        assert row is not None  # assigned after the purges committed (their positions were read)
        deadline = time.monotonic() + self.patience
        while True:
            holders = [str(r[0]) for r in conn.execute(_OLDER_THAN, {"x": row[0]}).fetchall()]
            if not holders or time.monotonic() >= deadline:
                return holders
            time.sleep(0.05)

    def _record(self, subjects: list[UUID], metadata: EventMetadata, at: datetime) -> list[UUID]:
        recorded = []
        for subject in subjects:
            try:
                self.ledger.record_erasure_vacuum(subject, self.tables, self.full, metadata, at)
            except DomainError as error:
                log.warning("erasure sweep could not record %s: %s %s", subject, error.code, error)
                continue
            recorded.append(subject)
        return recorded
