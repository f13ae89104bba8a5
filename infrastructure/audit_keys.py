"""The audit key (``CXL_AUDIT_KEY``) and the two keys derived from it.

A secret of its own rather than one derived from the master key: the master key is rotated on
its own schedule, and the audit chain is never rebuilt, so a chain keyed by it would stop
verifying at the first rotation. HKDF gives the chain and the anchors independent keys.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from projections.audit.keys import AuditKeys

AUDIT_KEY_BYTES = 32


def audit_keys_from_text(text: str) -> AuditKeys:
    """The audit keys from 32 bytes given as hex or base64; ValueError says what is wrong."""
    secret = _decode(text.strip())
    return AuditKeys(chain=_derive(secret, "audit-chain"), anchor=_derive(secret, "audit-anchor"))


def new_audit_key_text() -> str:
    return base64.urlsafe_b64encode(os.urandom(AUDIT_KEY_BYTES)).decode()


def _decode(text: str) -> bytes:
    for decode in (bytes.fromhex, base64.urlsafe_b64decode, base64.b64decode):
        try:
            raw = decode(text)
        except ValueError:
            continue
        if len(raw) == AUDIT_KEY_BYTES:
            return raw
    raise ValueError("the audit key must be 32 bytes, as base64 or hex")


def _derive(secret: bytes, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(secret)
