"""Events -> the audit chain: one keyed digest per stored event, in log order.

Every link it writes is keyed (HMAC-SHA256 under the audit chain key, given at construction by
the composition root). It reads the stored rows themselves (``reads_stored_events``), never
decrypting anything, and covers every topic. It must not be rebuilt: a rebuild would chain
whatever the log holds now, laundering an alteration; ``rebuildable`` is False and the CLI
refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from psycopg import Cursor

from projections.audit.chain import GENESIS, link
from projections.base import Positioned, Projection
from projections.bulk import Column, insert_rows

DDL = """
    CREATE TABLE IF NOT EXISTS audit_chain (
        position bigint PRIMARY KEY,
        digest bytea NOT NULL
    );
"""
LINK_COLUMNS: tuple[Column, ...] = (("position", "bigint"), ("digest", "bytea"))


class AuditChain(Projection):
    """The hash chain over the log that ``verify_audit_trail`` checks the log against."""

    name = "audit_chain"
    tables = ("audit_chain",)
    ddl = DDL
    reads_stored_events = True
    rebuildable = False
    # Never parks: each link covers the one before it, so a skipped event would leave a chain
    # that no longer covers the log (verification would report that position as deleted) and
    # could not be mended later without re-chaining, which is what a rebuild would do. An event
    # that fails every retry stops the chain where it is, logged as an error and shown by
    # /health, until the cause is fixed; then it resumes from that very event.
    parks_failures = False

    def __init__(self, key: bytes) -> None:
        self.key = key

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        if not batch:
            return
        previous = last_digest(cursor, batch[0].position)
        rows = []
        for item in batch:
            row: Notification = item.event
            stream = row.originator_id
            stream = stream if isinstance(stream, UUID) else UUID(stream)
            previous = link(
                self.key, previous, row.id, stream, row.originator_version, row.topic, row.state
            )
            rows.append((row.id, previous))
        # One statement for the batch: a statement a link (``executemany``) cost the live
        # fan-out a bind and execute of Python work per event.
        insert_rows(cursor, "audit_chain", LINK_COLUMNS, rows, "ON CONFLICT (position) DO NOTHING")


def last_digest(cursor: Cursor[Any], before: int) -> bytes:
    """The digest of the last link before ``before`` (the genesis digest if none)."""
    found = cursor.execute(
        "SELECT digest FROM audit_chain WHERE position < %s ORDER BY position DESC LIMIT 1",
        (before,),
    ).fetchone()
    return GENESIS if found is None else bytes(found[0])
