"""The database remembers which master key wraps its keys, and every process must hold it.

A process started with another ``CXL_MASTER_KEY`` (a typo, a stale secret, a development
default) would wrap each new subject key under a key no other process has: the log is
immutable, so the events it sealed would be unreadable for good. So the first process records a
one-way check value of its key (``cxl_master_key_check``); every later one compares at start
and refuses, and the key store refuses to make a key under a key that does not match, in the
same statement (which also covers a process that started before a rotation).
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from cryptography.exceptions import InvalidTag
from psycopg import Connection
from psycopg_pool import ConnectionPool

from domain.shared.personal_data import MasterKeyMismatchError
from infrastructure.crypto import MasterKey

log = logging.getLogger(__name__)

SAMPLE_KEYS = 3
"""Subject keys tried when a database that predates the check value gets its first one."""

EMAIL_FINGERPRINT_NAME = "email-fingerprint"


def mismatch(what: str) -> MasterKeyMismatchError:
    return MasterKeyMismatchError(
        f"CXL_MASTER_KEY is not the key this database's data is wrapped with ({what}); "
        "refusing, since every key made with it would be unreadable for every other process. "
        "Use the database's key; to replace a key, run `cxledger rotate-master-key` with the "
        "old key in CXL_MASTER_KEY and the new one in CXL_NEW_MASTER_KEY."
    )


def verify_master_key(conn: Connection[Any], master: MasterKey) -> None:
    """Refuse ``master`` unless it is the database's key; record it when the database has no
    check value yet (a new database, or one from before the check), once it has proved to
    unwrap the keys already there. Commits."""
    with conn.transaction():
        stored = _stored_check(conn)
        if stored is None:
            _refuse_unless_it_unwraps(conn, master)
            conn.execute(
                "INSERT INTO cxl_master_key_check (check_value) VALUES (%s)"
                " ON CONFLICT (id) DO NOTHING",
                (master.check_value(),),
            )
            stored = _stored_check(conn)  # a concurrent first process may have won
    if stored is None or not hmac.compare_digest(stored, master.check_value()):
        raise mismatch("its check value differs")


def _stored_check(conn: Connection[Any]) -> bytes | None:
    row = conn.execute("SELECT check_value FROM cxl_master_key_check").fetchone()
    return None if row is None else bytes(row[0])


def _refuse_unless_it_unwraps(conn: Connection[Any], master: MasterKey) -> None:
    """A database from before the check value: its existing keys tell which key is right."""
    keys = conn.execute(
        "SELECT subject_id, wrapped_key FROM cxl_subject_keys WHERE wrapped_key IS NOT NULL"
        " ORDER BY created_at LIMIT %s",
        (SAMPLE_KEYS,),
    ).fetchall()
    secrets = conn.execute("SELECT name, sealed FROM cxl_sealed_secrets").fetchall()
    try:
        for subject_id, wrapped in keys:
            master.unwrap(subject_id, bytes(wrapped))
        for name, sealed in secrets:
            master.unseal(str(name), bytes(sealed))
    except InvalidTag:
        raise mismatch("the stored keys do not unwrap under it") from None


class SealedSecrets:
    """The product's own secrets, kept in the database sealed under the master key, so that
    they survive a rotation of it (a value derived from the master key would change)."""

    def __init__(self, pool: ConnectionPool[Any], master: MasterKey) -> None:
        self._pool = pool
        self._master = master

    def get(self, name: str, initial: bytes) -> bytes:
        """The secret ``name``; stored as ``initial`` if the database has none yet."""
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO cxl_sealed_secrets (name, sealed) VALUES (%s, %s)"
                " ON CONFLICT (name) DO NOTHING",
                (name, self._master.seal(name, initial)),
            )
            row = conn.execute(
                "SELECT sealed FROM cxl_sealed_secrets WHERE name = %s", (name,)
            ).fetchone()
        assert row is not None, "a sealed secret vanished right after it was stored"
        try:
            return self._master.unseal(name, bytes(row[0]))
        except InvalidTag:
            log.error("the sealed secret %r does not unwrap under this CXL_MASTER_KEY", name)
            raise mismatch(f"the sealed secret {name!r} does not unwrap under it") from None

    def email_fingerprint_key(self) -> bytes:
        # Databases written before secrets were sealed used the key derived from the master
        # key: it becomes the stored one, so every existing fingerprint still matches.
        return self.get(EMAIL_FINGERPRINT_NAME, self._master.derive("email-fingerprint"))
