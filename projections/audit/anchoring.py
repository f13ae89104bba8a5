"""Making an anchor, and adopting a chain that an earlier version built without the key.

Both first check the chain: an anchor signed over an altered chain would vouch for the
alteration, and adopting unkeyed links vouches for them from then on. Adoption also needs a
keyed link after the unkeyed ones: this version chained it on top of the older links, so they
were there before it ran, and nobody without the key can rewrite them without breaking it. A
chain that is unkeyed to its head (as an attacker without the key would leave one) is not
adopted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from projections.audit.anchor import sign_anchor
from projections.audit.chain import GENESIS, link
from projections.audit.keying import has_keying_record, keyed_from, record_keyed_from
from projections.audit.keys import AuditKeys
from projections.audit.verify import (
    PAGE,
    AuditVerification,
    chain_head,
    check_links,
    links_between,
    stored_digest_at,
    verify_audit_trail,
)


@dataclass(frozen=True, slots=True)
class AnchorAttempt:
    verification: AuditVerification
    anchor: str | None
    """The signed anchor; None when the chain is not intact or still empty."""


async def make_anchor(conn: AsyncConnection[Any], keys: AuditKeys, at: datetime) -> AnchorAttempt:
    """Check the whole chain, then sign its head (position and digest) as of ``at``."""
    result = await verify_audit_trail(conn, keys.chain)
    head = await stored_digest_at(conn, result.checked_to) if result.checked_to else None
    if not result.intact or head is None:
        return AnchorAttempt(result, None)
    return AnchorAttempt(result, sign_anchor(keys.anchor, result.checked_to, head, at))


@dataclass(frozen=True, slots=True)
class Adoption:
    keyed_from: int
    outcome: str
    """``adopted`` (recorded now), ``already adopted``, ``keyed from the start`` (nothing to
    record); or, with nothing recorded: ``refused`` (the chain is not intact), ``no keyed link
    yet`` (wait until this version has chained an event) or ``forged record`` (a keying record
    exists without a valid MAC)."""
    verification: AuditVerification


async def adopt_unkeyed_links(conn: AsyncConnection[Any], chain_key: bytes) -> Adoption:
    """Find where an older chain's unkeyed links end, check the whole chain with that boundary,
    and record the boundary under the key if it is intact."""
    if await has_keying_record(conn):
        recorded = await keyed_from(conn, chain_key)
        result = await verify_audit_trail(conn, chain_key)
        outcome = "already adopted" if recorded > 1 else "forged record"
        return Adoption(recorded, outcome, result)
    head = await chain_head(conn)
    boundary = await first_keyed_position(conn, chain_key, head)
    result = await check_links(conn, chain_key, boundary, 1, head, head)
    if not result.intact:
        return Adoption(boundary, "refused", result)
    if boundary == 1:
        return Adoption(boundary, "keyed from the start", result)
    if boundary > head:
        return Adoption(boundary, "no keyed link yet", result)
    await record_keyed_from(conn, chain_key, boundary)
    return Adoption(boundary, "adopted", result)


async def first_keyed_position(conn: AsyncConnection[Any], chain_key: bytes, head: int) -> int:
    """The first position whose stored link is keyed (``head + 1`` if none is)."""
    previous, start = GENESIS, 1
    while start <= head:
        for position, digest, stream, version, topic, state in await links_between(
            conn, start, min(head, start + PAGE - 1)
        ):
            if stream is not None and bytes(digest) == link(
                chain_key, previous, position, stream, version, topic, bytes(state)
            ):
                return int(position)
            previous = bytes(digest)
        start += PAGE
    return head + 1
