"""Subject keys in PostgreSQL: one per subject, stored only wrapped."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from psycopg_pool import ConnectionPool

from infrastructure.crypto import CachedSubjectKeys
from infrastructure.database import Database
from infrastructure.erasure import evict_destroyed_keys
from infrastructure.key_store import PostgresSubjectKeys
from infrastructure.listener import SharedListener
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
    made: list[bytes | None] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        made.append(keys.create_key(subject))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 8, "a creator failed (a lost race must still return the key)"
    assert len(set(made)) == 1 and keys.key_for(subject) == made[0]
    with database.connect() as conn:
        (stored,) = conn.execute("SELECT wrapped_key FROM cxl_subject_keys").fetchone() or (b"",)
    assert made[0] is not None and made[0] not in bytes(stored)


def test_a_subject_without_a_key_has_none(keys: PostgresSubjectKeys) -> None:
    assert keys.key_for(uuid4()) is None


def test_a_destroyed_key_is_gone_for_good_and_never_made_again(
    keys: PostgresSubjectKeys, database: Database
) -> None:
    subject = uuid4()
    assert keys.create_key(subject) is not None
    keys.destroy(subject)
    assert keys.key_for(subject) is None
    assert keys.create_key(subject) is None  # the tombstone stays: nothing new is sealed
    with database.connect() as conn:
        row = conn.execute(
            "SELECT wrapped_key, erased_at FROM cxl_subject_keys WHERE subject_id = %s", (subject,)
        ).fetchone()
    assert row is not None and row[0] is None and row[1] is not None


def test_another_process_cache_forgets_a_destroyed_key(
    keys: PostgresSubjectKeys, database: Database
) -> None:
    subject = uuid4()
    elsewhere = CachedSubjectKeys(keys)  # a second process's cache, in front of the same table
    listener = SharedListener(database)
    listener.start()
    evict_destroyed_keys(listener, elsewhere)
    try:
        assert elsewhere.create_key(subject) is not None
        time.sleep(0.3)  # the listener is listening
        keys.destroy(subject)  # destroyed by "another process", not through this cache
        deadline = time.monotonic() + 5
        while elsewhere.key_for(subject) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert elsewhere.key_for(subject) is None
    finally:
        listener.stop()


def test_keys_for_fetches_the_keys_of_many_subjects_at_once_and_leaves_out_the_erased(
    keys: PostgresSubjectKeys,
) -> None:
    kept, erased, unknown = uuid4(), uuid4(), uuid4()
    kept_key = keys.create_key(kept)
    keys.create_key(erased)
    keys.destroy(erased)
    assert keys.keys_for([kept, erased, unknown]) == {kept: kept_key}


def test_a_prefetch_warms_the_cache_so_decoding_a_batch_looks_up_no_key_alone(
    keys: PostgresSubjectKeys,
) -> None:
    """What a batch of the log costs a cold cache: one look-up, then none per person."""
    subjects = [uuid4() for _ in range(3)]
    made = {subject: keys.create_key(subject) for subject in subjects}
    cached = CachedSubjectKeys(keys)
    assert cached.keys_for(subjects) == made
    for subject in subjects:
        keys.destroy(subject)  # behind the cache's back: only the cache still holds them
    assert {subject: cached.key_for(subject) for subject in subjects} == made


def test_a_created_key_is_committed_and_its_connection_goes_back_in_transaction_mode(
    database: Database,
) -> None:
    """The key's statement commits by itself (autocommit, one round trip); the connection
    returns to the pool as it came, so its next user's statements still open a transaction."""
    migrate(database, in_memory_ledger())
    with ConnectionPool(database.conninfo, min_size=1, max_size=1, open=True) as pool:
        keys = PostgresSubjectKeys(pool, secrets_for_tests().master_key)
        subject = uuid4()
        keys.create_key(subject)
        with database.connect() as other:
            row = other.execute(
                "SELECT count(*) FROM cxl_subject_keys WHERE subject_id = %s", (subject,)
            ).fetchone()
        with pool.connection() as conn:
            autocommit = conn.autocommit
    assert row == (1,)
    assert autocommit is False
