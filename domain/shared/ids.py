"""Random ids and bytes from OpenSSL's generator, not from a system call each.

``uuid4()`` and ``os.urandom`` ask the kernel (``getrandom``) on every call, and release the
interpreter lock around the call. A registration made six such calls (its customer's id, the
events' correlation ids, two nonces, a subject key, the key's wrapping nonce); with sixteen
command threads, each release handed the lock to another thread, a pair of context switches
each, about a quarter of the process's system time (benchmarks/append.py prints voluntary
context switches per registration: 7 to 8.6 with the kernel's generator, 3 to 3.5 with this
one). OpenSSL's generator is a cryptographically strong DRBG seeded from the kernel and reseeded
after a fork; it runs in user space and keeps the lock, so it suits nonces and keys as well as
ids.
"""

from __future__ import annotations

import ssl
from uuid import UUID


def random_bytes(count: int) -> bytes:
    """``count`` cryptographically strong random bytes (nonces, keys)."""
    return ssl.RAND_bytes(count)


def new_id() -> UUID:
    """A random (version 4) UUID, as ``uuid.uuid4`` makes one."""
    return UUID(bytes=ssl.RAND_bytes(16), version=4)
