"""Ledgers wired as the composition root wires them, for tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from uuid import UUID

from domain.customer.passwords import PasswordHasher
from domain.ledger import Ledger
from infrastructure.audit_keys import audit_keys_from_text
from infrastructure.bootstrap import build_ledger
from infrastructure.crypto import (
    EmailFingerprinter,
    InMemorySubjectKeys,
    MasterKey,
    PersonalDataEncrypted,
)
from infrastructure.database import Database
from infrastructure.master_key_guard import verify_master_key
from infrastructure.migrations import migrate
from infrastructure.passwords import Argon2Passwords
from infrastructure.secrets import Secrets

# Real argon2id, at the lowest cost, so that tests hash quickly.
FAST_PASSWORDS = Argon2Passwords(time_cost=1, memory_cost=8192)
TEST_MASTER_KEY_TEXT = "00" * 32
TEST_JWT_SECRET = "test-secret-" + "x" * 40
TEST_AUDIT_KEY_TEXT = "a1" * 32
TEST_AUDIT_KEYS = audit_keys_from_text(TEST_AUDIT_KEY_TEXT)


def secrets_for_tests() -> Secrets:
    return Secrets(
        master_key=MasterKey.from_text(TEST_MASTER_KEY_TEXT),
        jwt_secret=TEST_JWT_SECRET,
        audit_keys=TEST_AUDIT_KEYS,
    )


class InMemoryErasureWorks:
    """Erasure's outside world for in-memory ledgers: destroys keys; knows no positions."""

    def __init__(self, keys: InMemorySubjectKeys) -> None:
        self.keys = keys

    def destroy_key(self, subject_id: UUID) -> None:
        self.keys.destroy(subject_id)

    def positions_holding(self, subject_id: UUID) -> list[int]:
        return []


def in_memory_ledger(keys: InMemorySubjectKeys | None = None) -> Ledger:
    """A ledger on in-memory persistence, with real per-subject encryption."""
    master = secrets_for_tests().master_key
    subject_keys = keys or InMemorySubjectKeys()
    ledger = Ledger(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        fingerprint_email=EmailFingerprinter(master.derive("email-fingerprint")),
        passwords=FAST_PASSWORDS,
        transcodings=[PersonalDataEncrypted(subject_keys)],
    )
    ledger.erasure_works = InMemoryErasureWorks(subject_keys)
    return ledger


@contextlib.contextmanager
def postgres_ledger(
    database: Database, pool_size: int = 4, passwords: PasswordHasher = FAST_PASSWORDS
) -> Iterator[Ledger]:
    """A migrated ledger on a real database."""
    key_pool = database.pool(4, timeout=3.0)  # as the composition root makes it
    ledger, _ = build_ledger(database, secrets_for_tests(), pool_size, key_pool, passwords)
    try:
        migrate(database, ledger)
        with key_pool.connection() as conn:
            verify_master_key(conn, secrets_for_tests().master_key)
        yield ledger
    finally:
        ledger.close()
        key_pool.close()
