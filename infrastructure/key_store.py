"""Subject keys in PostgreSQL, wrapped by the master key."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection, Iterator
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from psycopg import Connection
from psycopg_pool import ConnectionPool

from domain.shared.ids import random_bytes
from infrastructure.crypto import KEY_BYTES, MasterKey
from infrastructure.fresh_keys import FreshKey
from infrastructure.master_key_guard import mismatch

log = logging.getLogger(__name__)

ERASED_CHANNEL = "cxl_subject_erased"
"""NOTIFY channel on which a destroyed key's subject id is announced to every process."""


class PostgresSubjectKeys:
    """The ``cxl_subject_keys`` table. Creating a key races safely: the first insert wins. An
    erased subject keeps a tombstone row (no key), so no new key is ever made for them."""

    def __init__(self, pool: ConnectionPool[Any], master_key: MasterKey) -> None:
        self._pool = pool
        self._master = master_key
        self._check = master_key.check_value()
        """Derived once (an HKDF a key made, otherwise): the master key never changes."""

    def key_for(self, subject_id: UUID) -> bytes | None:
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT wrapped_key FROM cxl_subject_keys WHERE subject_id = %s", (subject_id,)
            ).fetchone()
        return None if row is None or row[0] is None else self._unwrap(subject_id, row[0])

    def keys_for(self, subject_ids: Collection[UUID]) -> dict[UUID, bytes]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT subject_id, wrapped_key FROM cxl_subject_keys"
                " WHERE subject_id = ANY(%b::uuid[]) AND wrapped_key IS NOT NULL",
                (list(subject_ids),),
            ).fetchall()
        return {subject_id: self._unwrap(subject_id, wrapped) for subject_id, wrapped in rows}

    def create_key(self, subject_id: UUID) -> bytes | None:
        """The subject's key, made now unless it exists (None: the subject was erased)."""
        wrapped = self._master.wrap(subject_id, random_bytes(KEY_BYTES))
        with self._pool.connection() as conn, _autocommit(conn):
            # One statement, committed by itself: one round trip where a transaction took
            # three (BEGIN, the statement, COMMIT). The key is durable before any event
            # sealed with it is appended, as before.
            row = conn.execute(
                """
                WITH made AS (
                    INSERT INTO cxl_subject_keys (subject_id, wrapped_key)
                    SELECT %(id)s, %(key)s
                    WHERE NOT EXISTS (
                        SELECT FROM cxl_master_key_check WHERE check_value <> %(check)s
                    )
                    ON CONFLICT (subject_id) DO NOTHING RETURNING wrapped_key
                )
                SELECT wrapped_key FROM made
                UNION ALL
                SELECT wrapped_key FROM cxl_subject_keys WHERE subject_id = %(id)s
                LIMIT 1
                """,
                {"id": subject_id, "key": wrapped, "check": self._check},
            ).fetchone()
            if row is None:
                # A concurrent first insert committed while ours waited on its conflict: the
                # statement's snapshot predates that commit, so a new statement reads it.
                row = conn.execute(
                    "SELECT wrapped_key FROM cxl_subject_keys WHERE subject_id = %s", (subject_id,)
                ).fetchone()
        if row is None:
            # Only the master-key guard keeps the insert from happening: this process's key is
            # not the database's (a rotation since it started, or a start check bypassed).
            log.error("refused to make a key for subject %s under a foreign master key", subject_id)
            raise mismatch("a rotation may have replaced it since this process started")
        return None if row[0] is None else self._unwrap(subject_id, row[0])

    def fresh_key(self, subject_id: UUID) -> FreshKey:
        """A new key for the subject, to be inserted with the events sealed under it
        (:mod:`infrastructure.fresh_keys`; the log writer inserts it)."""
        key = random_bytes(KEY_BYTES)
        return FreshKey(subject_id, key, self._master.wrap(subject_id, key), self._check)

    def destroy(self, subject_id: UUID) -> None:
        """Erase: drop the key for good, leave a tombstone, tell every process to forget it."""
        with self._pool.connection() as conn:
            conn.execute(
                """
                INSERT INTO cxl_subject_keys (subject_id, wrapped_key, erased_at)
                VALUES (%(id)s, NULL, now())
                ON CONFLICT (subject_id) DO UPDATE
                SET wrapped_key = NULL, erased_at = coalesce(cxl_subject_keys.erased_at, now())
                """,
                {"id": subject_id},
            )
            conn.execute("SELECT pg_notify(%s, %s)", (ERASED_CHANNEL, str(subject_id)))

    def _unwrap(self, subject_id: UUID, wrapped: Any) -> bytes:
        try:
            return self._master.unwrap(subject_id, bytes(wrapped))
        except InvalidTag:
            log.error("the key of subject %s does not unwrap under this CXL_MASTER_KEY", subject_id)
            raise mismatch(f"the key of subject {subject_id} does not unwrap") from None


@contextlib.contextmanager
def _autocommit(conn: Connection[Any]) -> Iterator[None]:
    """``conn`` in autocommit mode for the block, then as it was: the pool hands it to others
    as it gets it back, and they expect their statements to open a transaction."""
    was = conn.autocommit
    conn.autocommit = True
    try:
        yield
    finally:
        # A connection that broke in the statement cannot change modes (psycopg would raise
        # over the statement's own error); the pool discards it on its return anyway.
        if not conn.closed:
            conn.autocommit = was
