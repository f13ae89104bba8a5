"""From which position the audit chain is keyed.

A chain begun by this version is keyed from position 1 and has no keying record. A chain built
by an earlier version holds plain SHA-256 links up to some position and keyed links after it;
an operator adopts it once (``cxledger adopt-audit-chain``), which checks the unkeyed links and
records the first keyed position with an HMAC under the chain key. A record without a valid MAC
is ignored, so a role without the key can neither forge one nor move the boundary; deleting the
record makes the unkeyed links fail verification again.
"""

from __future__ import annotations

import hmac
from typing import Any

from psycopg import AsyncConnection

KEYED_FROM_THE_START = 1


def keying_mac(chain_key: bytes, keyed_from: int) -> bytes:
    message = f"cxledger audit chain keyed from {keyed_from}".encode()
    return hmac.new(chain_key, message, "sha256").digest()


async def keyed_from(conn: AsyncConnection[Any], chain_key: bytes) -> int:
    """The first keyed position, as recorded under the key (1 without a valid record)."""
    cursor = await conn.execute("SELECT keyed_from, mac FROM audit_chain_keying")
    found = await cursor.fetchone()
    if found is None:
        return KEYED_FROM_THE_START
    position, mac = int(found[0]), bytes(found[1])
    if not hmac.compare_digest(mac, keying_mac(chain_key, position)):
        return KEYED_FROM_THE_START
    return position


async def record_keyed_from(conn: AsyncConnection[Any], chain_key: bytes, position: int) -> None:
    """Record (once) that links before ``position`` are the unkeyed links of an earlier
    version."""
    await conn.execute(
        "INSERT INTO audit_chain_keying (keyed_from, mac) VALUES (%s, %s)"
        " ON CONFLICT (singleton) DO NOTHING",
        (position, keying_mac(chain_key, position)),
    )
    await conn.commit()


async def has_keying_record(conn: AsyncConnection[Any]) -> bool:
    cursor = await conn.execute("SELECT EXISTS (SELECT 1 FROM audit_chain_keying)")
    found = await cursor.fetchone()
    return bool(found and found[0])
