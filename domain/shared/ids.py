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

Each thread draws ``DRAWN_AT_ONCE`` bytes from it at a time and hands them out in order, each
byte once: a call of ``RAND_bytes`` costs about the same for 16 bytes as for 4,096 (its locks
and its reseeding checks), and a registration's five calls took about 24 us of its writing
thread in a profile (cProfile, 3,000 registrations), the buffered draws a fraction of that. A
forked child never hands out what its parent drew: the buffers of the process before the fork
are discarded in the child (``os.register_at_fork``), which draws afresh from OpenSSL's
generator, reseeded for it.
"""

from __future__ import annotations

import os
import ssl
import threading
from uuid import UUID

DRAWN_AT_ONCE = 4096
"""Bytes each thread takes from OpenSSL's generator at a time."""

_VERSION_4 = (4 << 76) | (0x8000 << 48)
"""The version (4) and variant (RFC 4122) bits of a random UUID, as ``uuid4`` sets them."""
_RANDOM_BITS = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
"""The bits of a version 4 UUID that are random."""


class _Drawn(threading.local):
    """One thread's bytes drawn and not handed out yet (``DRAWN_AT_ONCE`` or fewer)."""

    def __init__(self) -> None:
        self.buffer = b""
        self.at = 0
        self.generation = _generation


_generation = 0
"""How many forks this process descends from (in the child, buffers of an older one are
stale: they are the parent's)."""


def _forked() -> None:
    global _generation
    _generation += 1


os.register_at_fork(after_in_child=_forked)
_drawn = _Drawn()


def random_bytes(count: int) -> bytes:
    """``count`` cryptographically strong random bytes (nonces, keys), never handed out
    twice."""
    drawn = _drawn
    at = drawn.at
    end = at + count
    if end > len(drawn.buffer) or drawn.generation != _generation:
        if count > DRAWN_AT_ONCE:
            return ssl.RAND_bytes(count)
        drawn.buffer, drawn.generation = ssl.RAND_bytes(DRAWN_AT_ONCE), _generation
        at, end = 0, count
    drawn.at = end
    return drawn.buffer[at:end]


def new_id() -> UUID:
    """A random (version 4) UUID, as ``uuid.uuid4`` makes one."""
    return UUID(int=(int.from_bytes(random_bytes(16), "big") & _RANDOM_BITS) | _VERSION_4)
