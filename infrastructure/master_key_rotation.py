"""Replacing the master key: every subject key and sealed secret rewrapped in one transaction.

The old key must still be given (it is checked against the database first), so a leaked key can
be replaced without losing anyone's data. Erased subjects keep their tombstones: rotation never
brings a destroyed key back, nor makes one. While it runs, no key can be made or destroyed (the
tables are locked); reads go on. Afterwards, a process still holding the old key can make no
key and unwrap no key it has not cached: it must be restarted with the new one.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from psycopg import Connection

from infrastructure.crypto import MasterKey
from infrastructure.database import Database
from infrastructure.master_key_guard import mismatch, verify_master_key

CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class RotationSummary:
    subject_keys_rewrapped: int
    erased_subjects_kept: int
    sealed_secrets_rewrapped: int


def rotate_master_key(database: Database, old: MasterKey, new: MasterKey) -> RotationSummary:
    """Rewrap everything under ``new``; nothing changes unless all of it succeeds."""
    if hmac.compare_digest(old.check_value(), new.check_value()):
        raise ValueError("CXL_NEW_MASTER_KEY is the key in use already")
    with database.connect() as conn:
        verify_master_key(conn, old)
        with conn.transaction():
            conn.execute(
                "LOCK TABLE cxl_master_key_check, cxl_subject_keys, cxl_sealed_secrets"
                " IN EXCLUSIVE MODE"
            )
            verify_master_key(conn, old)  # again, under the lock: no rotation raced us
            rewrapped = _rewrap_subject_keys(conn, old, new)
            secrets = _rewrap_sealed_secrets(conn, old, new)
            conn.execute(
                "UPDATE cxl_master_key_check SET check_value = %s, rotated_at = now()",
                (new.check_value(),),
            )
            erased = _scalar(
                conn, "SELECT count(*) FROM cxl_subject_keys WHERE wrapped_key IS NULL"
            )
    return RotationSummary(rewrapped, erased, secrets)


def _rewrap_subject_keys(conn: Connection[Any], old: MasterKey, new: MasterKey) -> int:
    done = 0
    with conn.cursor(name="cxl_rotate_subject_keys") as rows, conn.cursor() as writer:
        rows.execute(
            "SELECT subject_id, wrapped_key FROM cxl_subject_keys WHERE wrapped_key IS NOT NULL"
        )
        while chunk := rows.fetchmany(CHUNK):
            try:
                rewrapped = [(new.wrap(s, old.unwrap(s, bytes(w))), s) for s, w in chunk]
            except InvalidTag:
                raise mismatch("a stored subject key does not unwrap under it") from None
            writer.executemany(
                "UPDATE cxl_subject_keys SET wrapped_key = %s WHERE subject_id = %s", rewrapped
            )
            done += len(rewrapped)
    return done


def _rewrap_sealed_secrets(conn: Connection[Any], old: MasterKey, new: MasterKey) -> int:
    rows = conn.execute("SELECT name, sealed FROM cxl_sealed_secrets").fetchall()
    try:
        rewrapped = [(new.seal(n, old.unseal(n, bytes(s))), n) for n, s in rows]
    except InvalidTag:
        raise mismatch("a sealed secret does not unwrap under it") from None
    with conn.cursor() as writer:
        writer.executemany("UPDATE cxl_sealed_secrets SET sealed = %s WHERE name = %s", rewrapped)
    return len(rewrapped)


def _scalar(conn: Connection[Any], query: str) -> int:
    row = conn.execute(query).fetchone()
    return 0 if row is None else int(row[0])
