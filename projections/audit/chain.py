"""The digest of one stored event, chained to the digest before it.

Each link covers the previous digest and every stored column of the row (position, stream,
version, topic, state bytes), each length-prefixed, so no two different rows (or row
sequences) give the same input. The first link's previous digest is 32 zero bytes.

A link is HMAC-SHA256 under the audit chain key, which the database does not hold, so a role
that can rewrite rows cannot recompute the chain after them. Chains built by earlier versions
used plain SHA-256 (``key=None``); such links are only accepted before the position recorded,
under the key, by ``cxledger adopt-audit-chain`` (see ``keying``).
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

GENESIS = bytes(32)


def link(
    key: bytes | None,
    previous: bytes,
    position: int,
    stream: UUID,
    version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """The link after ``previous`` for one stored row: keyed, or unkeyed when ``key`` is None."""
    digest = hashlib.sha256(previous) if key is None else hmac.new(key, previous, "sha256")
    for part in (
        position.to_bytes(8, "big"),
        stream.bytes,
        version.to_bytes(8, "big", signed=True),
        topic.encode(),
        state,
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()
