"""Check the stored log against the audit chain: the first position where they disagree.

Every link is recomputed from the stored row and the previous stored digest, so an altered
row shows at its own position (and only there). A chained position whose row is gone is
reported as missing; a row inside the chained range without a link (a forged insert) as
unchained. Positions after the chain's head are not yet chained and cannot be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio.to_thread
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
    continue_from: int | None = None
    """The first position left unchecked because of ``max_positions``; None when the range
    asked for (up to the chain's head) was covered, or a problem ended the check."""

    @property
    def intact(self) -> bool:
        return self.first_altered_position is None


async def verify_audit_trail(
    conn: AsyncConnection[Any],
    first: int = 1,
    last: int | None = None,
    max_positions: int | None = None,
) -> AuditVerification:
    """Check positions ``first`` to ``last`` (default: the chain's head), at most
    ``max_positions`` of them: a request must not hold a connection for the whole log."""
    head = await _scalar(conn, "SELECT coalesce(max(position), 0) FROM audit_chain")
    wanted = head if last is None else min(last, head)
    last = wanted if max_positions is None else min(wanted, first + max_positions - 1)
    unchained = await _scalar(
        conn,
        "SELECT min(e.notification_id) FROM ledger_events e WHERE e.notification_id"
        " BETWEEN %s AND %s AND NOT EXISTS"
        " (SELECT 1 FROM audit_chain c WHERE c.position = e.notification_id)",
        (first, last),
    )
    stop = last if unchained is None else unchained - 1
    progress, start = _Progress(await _previous(conn, first)), first
    while start <= stop and progress.problem is None:
        rows = await _links(conn, start, min(stop, start + PAGE - 1))
        # Hashing a page is CPU work: off the event loop, so other requests go on meanwhile.
        await anyio.to_thread.run_sync(progress.check, rows)
        start += PAGE
    if progress.problem is not None:
        return AuditVerification(
            first, last, progress.checked, head, progress.problem_at, progress.problem
        )
    if unchained is not None:
        return AuditVerification(first, last, progress.checked, head, unchained, "unchained")
    continue_from = last + 1 if last < wanted else None
    return AuditVerification(first, last, progress.checked, head, None, None, continue_from)


@dataclass(slots=True)
class _Progress:
    """How far the check got: the last digest matched, and the first problem met."""

    previous: bytes
    checked: int = 0
    problem_at: int | None = None
    problem: str | None = None

    def check(self, rows: list[tuple[Any, ...]]) -> None:
        for position, digest, stream, version, topic, state in rows:
            if stream is None:
                self.problem_at, self.problem = position, "missing"
                return
            stored = bytes(digest)
            if link(self.previous, position, stream, version, topic, bytes(state)) != stored:
                self.problem_at, self.problem = position, "altered"
                return
            self.previous, self.checked = stored, self.checked + 1


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
