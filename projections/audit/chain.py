"""The digest of one stored event, chained to the digest before it.

Each link covers the previous digest and every stored column of the row (position, stream,
version, topic, state bytes), each length-prefixed, so no two different rows (or row
sequences) give the same input. The first link's previous digest is 32 zero bytes.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

GENESIS = bytes(32)


def link(
    previous: bytes, position: int, stream: UUID, version: int, topic: str, state: bytes
) -> bytes:
    digest = hashlib.sha256(previous)
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
