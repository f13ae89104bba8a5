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
        wrapped = self._master.wrap(subject_id, os.urandom(KEY_BYTES))
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO cxl_subject_keys (subject_id, wrapped_key) VALUES (%s, %s)"
                " ON CONFLICT (subject_id) DO NOTHING",
                (subject_id, wrapped),
            )
        key = self.key_for(subject_id)
        assert key is not None
        return key
