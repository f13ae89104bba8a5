"""The keys of the audit trail, given by the composition root (never read from settings here).

Both come from one secret, ``CXL_AUDIT_KEY``, that the database never holds: whoever can write
the database but lacks the key cannot recompute a link nor sign an anchor.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, repr=False)
class AuditKeys:
    chain: bytes
    """HMAC-SHA256 key of the chain's links and of its keying record."""
    anchor: bytes
    """HMAC-SHA256 key that signs and checks anchors (checkpoints kept outside the database)."""

    def __repr__(self) -> str:
        return "AuditKeys(<hidden>)"
