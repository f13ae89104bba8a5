"""Check the stored log against the audit chain: the first position where they disagree.

Every link is recomputed from the stored row and the previous stored digest, so an altered
row shows at its own position (and only there). A chained position whose row is gone is
reported as missing; a row inside the chained range without a link (a forged insert) as
unchained. Positions after the chain's head are not yet chained and cannot be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection

from projections.audit.chain import GENESIS, link

PAGE = 5_000


@dataclass(frozen=True, slots=True)
class AuditVerification:
    checked_from: int
    checked_to: int
    events_checked: int
    chained_up_to: int
    first_altered_position: int | None
    problem: str | None
    """``altered``, ``missing`` or ``unchained``; None when the range is intact."""

    @property
    def intact(self) -> bool:
        return self.first_altered_position is None


async def verify_audit_trail(
    conn: AsyncConnection[Any], first: int = 1, last: int | None = None
) -> AuditVerification:
    head = await _scalar(conn, "SELECT coalesce(max(position), 0) FROM audit_chain")
    last = head if last is None else min(last, head)
    unchained = await _scalar(
        conn,
        "SELECT min(e.notification_id) FROM ledger_events e WHERE e.notification_id"
        " BETWEEN %s AND %s AND NOT EXISTS"
        " (SELECT 1 FROM audit_chain c WHERE c.position = e.notification_id)",
        (first, last),
    )
    stop = last if unchained is None else unchained - 1
    previous, checked, start = await _previous(conn, first), 0, first
    while start <= stop:
        for position, digest, stream, version, topic, state in await _links(
            conn, start, min(stop, start + PAGE - 1)
        ):
            if stream is None:
                return AuditVerification(first, last, checked, head, position, "missing")
            if link(previous, position, stream, version, topic, bytes(state)) != bytes(digest):
                return AuditVerification(first, last, checked, head, position, "altered")
            previous, checked = bytes(digest), checked + 1
        start += PAGE
    problem = None if unchained is None else "unchained"
    return AuditVerification(first, last, checked, head, unchained, problem)


async def _links(conn: AsyncConnection[Any], first: int, last: int) -> list[tuple[Any, ...]]:
    cursor = await conn.execute(
        """
        SELECT c.position, c.digest, e.originator_id, e.originator_version, e.topic, e.state
        FROM audit_chain c LEFT JOIN ledger_events e ON e.notification_id = c.position
        WHERE c.position BETWEEN %s AND %s ORDER BY c.position
        """,
        (first, last),
    )
    return list(await cursor.fetchall())


async def _previous(conn: AsyncConnection[Any], first: int) -> bytes:
    cursor = await conn.execute(
        "SELECT digest FROM audit_chain WHERE position < %s ORDER BY position DESC LIMIT 1",
        (first,),
    )
    found = await cursor.fetchone()
    return GENESIS if found is None else bytes(found[0])


async def _scalar(conn: AsyncConnection[Any], query: str, params: tuple[Any, ...] = ()) -> Any:
    cursor = await conn.execute(query, params)
    found = await cursor.fetchone()
    return None if found is None else found[0]
