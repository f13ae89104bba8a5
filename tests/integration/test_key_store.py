"""Subject keys in PostgreSQL: one per subject, stored only wrapped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from psycopg_pool import ConnectionPool

from infrastructure.database import Database
from infrastructure.key_store import PostgresSubjectKeys
from infrastructure.migrations import migrate
from tests.support.ledgers import in_memory_ledger, secrets_for_tests


@pytest.fixture
def keys(database: Database) -> Iterator[PostgresSubjectKeys]:
    migrate(database, in_memory_ledger())
    pool: ConnectionPool[Any] = ConnectionPool(database.conninfo, min_size=1, max_size=8, open=True)
    try:
        yield PostgresSubjectKeys(pool, secrets_for_tests().master_key)
    finally:
        pool.close()


def test_concurrent_key_creation_for_one_subject_yields_one_key(
    keys: PostgresSubjectKeys, database: Database
) -> None:
    subject = uuid4()
    made: list[bytes] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        made.append(keys.create_key(subject))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 1 and keys.key_for(subject) == made[0]
    with database.connect() as conn:
        (stored,) = conn.execute("SELECT wrapped_key FROM cxl_subject_keys").fetchone() or (b"",)
    assert made[0] not in bytes(stored)


def test_a_subject_without_a_key_has_none(keys: PostgresSubjectKeys) -> None:
    assert keys.key_for(uuid4()) is None
