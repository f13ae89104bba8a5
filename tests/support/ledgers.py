"""Ledgers wired as the composition root wires them, for tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.ledger import Ledger
from domain.shared.ports import PasswordHasher
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
from infrastructure.transcoder import LedgerTranscoder
from tests.support.postgres import fresh_database, session_template

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


LEDGER_TRANSCODER = get_topic(LedgerTranscoder)
"""The transcoder the composition root configures (``Database.eventsourcing_env``)."""


def in_memory_ledger(keys: InMemorySubjectKeys | None = None) -> Ledger:
    """A ledger on in-memory persistence, with real per-subject encryption."""
    master = secrets_for_tests().master_key
    subject_keys = keys or InMemorySubjectKeys()
    ledger = Ledger(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo", "TRANSCODER_TOPIC": LEDGER_TRANSCODER},
        fingerprint_email=EmailFingerprinter(master.derive("email-fingerprint")),
        passwords=FAST_PASSWORDS,
        erasure_works=InMemoryErasureWorks(subject_keys),
        transcodings=[PersonalDataEncrypted(subject_keys)],
    )
    return ledger


def _migrate_template(database: Database) -> None:
    with postgres_ledger(database, pool_size=1):
        pass  # migrated, master key checked, every pool closed


@contextlib.contextmanager
def migrated_database(admin_conninfo: str) -> Iterator[Database]:
    """A fresh database with the schema :func:`postgres_ledger` makes, copied from the
    session's template instead of migrated anew (the ledger's own migration then finds nothing
    to do)."""
    template = session_template(admin_conninfo, _migrate_template)
    with fresh_database(admin_conninfo, template) as database:
        yield database


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
