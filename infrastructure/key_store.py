"""Subject keys in PostgreSQL, wrapped by the master key."""

from __future__ import annotations

import os
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from infrastructure.crypto import KEY_BYTES, MasterKey


class PostgresSubjectKeys:
    """The ``cxl_subject_keys`` table. Creating a key races safely: the first insert wins."""

    def __init__(self, pool: ConnectionPool[Any], master_key: MasterKey) -> None:
        self._pool = pool
        self._master = master_key

    def key_for(self, subject_id: UUID) -> bytes | None:
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT wrapped_key FROM cxl_subject_keys WHERE subject_id = %s", (subject_id,)
            ).fetchone()
        return None if row is None else self._master.unwrap(subject_id, bytes(row[0]))

    def create_key(self, subject_id: UUID) -> bytes:
        """The subject's key, made now unless it exists: one round trip either way."""
        wrapped = self._master.wrap(subject_id, os.urandom(KEY_BYTES))
        with self._pool.connection() as conn:
            row = conn.execute(
                """
                WITH made AS (
                    INSERT INTO cxl_subject_keys (subject_id, wrapped_key) VALUES (%(id)s, %(key)s)
                    ON CONFLICT (subject_id) DO NOTHING RETURNING wrapped_key
                )
                SELECT wrapped_key FROM made
                UNION ALL
                SELECT wrapped_key FROM cxl_subject_keys WHERE subject_id = %(id)s
                LIMIT 1
                """,
                {"id": subject_id, "key": wrapped},
            ).fetchone()
        assert row is not None
        return self._master.unwrap(subject_id, bytes(row[0]))
