"""What an attacker with the database's owner (or superuser) rights does to the audit trail:
rewrite a stored event behind the triggers, then recompute the chain's links after it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import psycopg

from domain.ledger import Ledger
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.audit.anchor import read_anchor
from projections.audit.anchoring import make_anchor
from projections.audit.chain import GENESIS, link
from projections.audit.keys import AuditKeys
from projections.audit.projection import AuditChain
from projections.audit.verify import AuditVerification, verify_audit_trail


def as_superuser_without_triggers(database: Database, statement: str) -> None:
    with database.connect() as conn:
        conn.execute("SET session_replication_role = replica")  # superusers only: no triggers
        conn.execute(statement)
        conn.commit()


def rewrite_event(database: Database, position: int) -> None:
    """Change the stored bytes of the event at ``position``."""
    as_superuser_without_triggers(
        database,
        f"UPDATE ledger_events SET state = state || ' '::bytea WHERE notification_id = {position}",
    )


def recompute_links(database: Database, key: bytes | None, first: int = 1) -> None:
    """Replace every link from ``first`` on with one computed from the stored rows: keyed with
    ``key``, or plain SHA-256 (an earlier version's links, or an attacker without the key)."""
    with database.connect() as conn:
        found = conn.execute(
            "SELECT digest FROM audit_chain WHERE position < %s ORDER BY position DESC LIMIT 1",
            (first,),
        ).fetchone()
        previous = GENESIS if found is None else bytes(found[0])
        rows = conn.execute(
            "SELECT c.position, e.originator_id, e.originator_version, e.topic, e.state"
            " FROM audit_chain c JOIN ledger_events e ON e.notification_id = c.position"
            " WHERE c.position >= %s ORDER BY c.position",
            (first,),
        ).fetchall()
        for position, stream, version, topic, state in rows:
            previous = link(key, previous, position, stream, version, topic, bytes(state))
            conn.execute(
                "UPDATE audit_chain SET digest = %s WHERE position = %s", (previous, position)
            )
        conn.commit()


def anchor_now(database: Database, keys: AuditKeys) -> str:
    """An anchor of the chain's head, as `cxledger audit-anchor` prints it."""

    async def run() -> str | None:
        async with await psycopg.AsyncConnection.connect(database.conninfo) as conn:
            return (await make_anchor(conn, keys, datetime.now(UTC))).anchor

    anchor = asyncio.run(run())
    assert anchor is not None, "the chain is empty or not intact"
    return anchor


def verify(
    database: Database,
    keys: AuditKeys,
    first: int = 1,
    last: int | None = None,
    anchor: str | None = None,
) -> AuditVerification:
    """verify_audit_trail as the API runs it, with an anchor's text if given."""
    checked = None if anchor is None else read_anchor(keys.anchor, anchor)

    async def run() -> AuditVerification:
        async with await psycopg.AsyncConnection.connect(database.conninfo) as conn:
            return await verify_audit_trail(conn, keys.chain, first, last, checked)

    return asyncio.run(run())


def chain_up(ledger: Ledger, database: Database, key: bytes) -> None:
    """Bring the audit chain up to the log's head, as the worker does."""
    with database.connect() as conn:
        ProjectionRunner(ledger, database, AuditChain(key), 3).catch_up(conn)
