"""What the write side needs from outside the domain, given to the Ledger at construction by the
composition root (``infrastructure/bootstrap.py``): the domain names the ports, infrastructure
fills them, and no command can run with one missing."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class PasswordHasher(Protocol):
    """Hashes and verifies passwords (argon2id in production). ``dummy_hash`` is verified
    against when there is no real hash, so that a miss takes as long as a hit."""

    @property
    def dummy_hash(self) -> str: ...

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


class ErasureWorks(Protocol):
    """What erasure needs from outside the domain: the key store and the personal-data index."""

    def destroy_key(self, subject_id: UUID) -> None:
        """Destroy the subject's key for good (and forget every cached copy); a key already
        destroyed stays so."""

    def positions_holding(self, subject_id: UUID) -> list[int]:
        """The log positions whose events hold the subject's sealed values."""
