"""argon2id password hashing (argon2-cffi), for the domain's PasswordHasher port."""

from __future__ import annotations

from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Passwords:
    """argon2id; the defaults are RFC 9106's low-memory profile (3 passes, 64 MiB)."""

    def __init__(self, time_cost: int = 3, memory_cost: int = 65536) -> None:
        self._hasher = Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost)
        self._dummy = self._hasher.hash("no password is set for this account")

    @property
    def dummy_hash(self) -> str:
        return self._dummy

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
