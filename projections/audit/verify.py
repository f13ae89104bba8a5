"""Check the stored log against the audit chain: the first position where they disagree.

Every link is recomputed from the stored row and the previous stored digest, under the chain
key (or unkeyed, before the position an adopted older chain recorded), so an altered row shows
at its own position. A link made without the key where a keyed one belongs (a chain recomputed
by someone without the key) is reported as unkeyed; a chained position whose row is gone as
missing; a row inside the chained range without a link (a forged insert) as unchained.
Positions after the chain's head are not yet chained and cannot be checked.

An anchor (a signed checkpoint kept outside the database) catches what the key alone cannot: a
rewrite by someone who holds the key and recomputed every link after it. When every link from
the genesis to the anchor's position matches its row, the stored digest there *is* the chain
recomputed from the stored rows, so comparing it with the anchor's head checks the whole prefix.
The log is read in pages of ``PAGE`` positions, never whole.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from typing import Any

import anyio.to_thread
from psycopg import AsyncConnection

from projections.audit.anchor import Anchor
from projections.audit.chain import GENESIS, link
from projections.audit.keying import keyed_from

PAGE = 5_000


@dataclass(frozen=True, slots=True)
class AuditVerification:
    checked_from: int
    checked_to: int
    events_checked: int
    chained_up_to: int
    first_altered_position: int | None
    problem: str | None
    """``altered``, ``missing``, ``unchained``, ``unkeyed`` or ``anchor_mismatch`` (then the
    first altered position is the anchor's: some row at or before it changed); None when
    intact."""
    keyed_from: int = 1
    """Links from here on are keyed; earlier ones are an adopted older chain's unkeyed links."""
    anchor_position: int | None = None
    """The position of the anchor checked against, once the check has reached it."""
    continue_from: int | None = None
    """The first position left unchecked because of ``max_positions``; None when the range
    asked for (up to the chain's head) was covered, or a problem ended the check."""

    @property
    def intact(self) -> bool:
        return self.first_altered_position is None


async def verify_audit_trail(
    conn: AsyncConnection[Any],
    chain_key: bytes,
    first: int = 1,
    last: int | None = None,
    anchor: Anchor | None = None,
    max_positions: int | None = None,
) -> AuditVerification:
    """Check positions ``first`` to ``last`` (default: the chain's head), at most
    ``max_positions`` of them (a request must not hold a connection for the whole log; the
    answer's ``continue_from`` says where to go on). With an anchor (whose signature the caller
    has checked) the check reaches at least the anchor's position, and the stored digest there
    is compared with the anchor's head once a call covers it; a whole check starts at 1."""
    head = await chain_head(conn)
    keyed = await keyed_from(conn, chain_key)
    if anchor is not None:
        last = None if last is None else max(last, anchor.position)
    wanted = head if last is None else min(last, head)
    last = wanted if max_positions is None else min(wanted, first + max_positions - 1)
    result = await check_links(conn, chain_key, keyed, first, last, head)
    if result.intact and last < wanted:
        result = replace(result, continue_from=last + 1)
    if anchor is None or not result.intact:
        return result
    if result.continue_from is not None and result.continue_from <= anchor.position:
        return result  # not at the anchor yet: the next call goes on towards it
    return await _against_anchor(conn, anchor, result)


async def check_links(
    conn: AsyncConnection[Any], chain_key: bytes, keyed: int, first: int, last: int, head: int
) -> AuditVerification:
    """Recompute each link in ``first..last``, keyed from position ``keyed`` on."""
    unchained = await _scalar(
        conn,
        "SELECT min(e.notification_id) FROM ledger_events e WHERE e.notification_id"
        " BETWEEN %s AND %s AND NOT EXISTS"
        " (SELECT 1 FROM audit_chain c WHERE c.position = e.notification_id)",
        (first, last),
    )
    stop = last if unchained is None else unchained - 1
    progress, start = _Progress(chain_key, keyed, await stored_digest_before(conn, first)), first
    while start <= stop and progress.problem is None:
        rows = await links_between(conn, start, min(stop, start + PAGE - 1))
        # Hashing a page is CPU work: off the event loop, so other requests go on meanwhile.
        await anyio.to_thread.run_sync(progress.check, rows)
        start += PAGE
    if progress.problem is not None:
        return AuditVerification(
            first, last, progress.checked, head, progress.problem_at, progress.problem, keyed
        )
    problem = None if unchained is None else "unchained"
    return AuditVerification(first, last, progress.checked, head, unchained, problem, keyed)


@dataclass(slots=True)
class _Progress:
    """How far the check got: the last digest matched, and the first problem met."""

    chain_key: bytes
    keyed: int
    previous: bytes
    checked: int = 0
    problem_at: int | None = None
    problem: str | None = None

    def check(self, rows: list[tuple[Any, ...]]) -> None:
        for row in rows:
            problem = link_problem(self.chain_key, self.keyed, self.previous, row)
            if problem is not None:
                self.problem_at, self.problem = row[0], problem
                return
            self.previous, self.checked = bytes(row[1]), self.checked + 1


def link_problem(chain_key: bytes, keyed: int, previous: bytes, row: tuple[Any, ...]) -> str | None:
    """What is wrong with one stored link (``links_between`` row), or None."""
    position, digest, stream, version, topic, state = row
    if stream is None:
        return "missing"
    key = chain_key if position >= keyed else None
    if link(key, previous, position, stream, version, topic, bytes(state)) == bytes(digest):
        return None
    unkeyed = link(None, previous, position, stream, version, topic, bytes(state))
    return "unkeyed" if key is not None and unkeyed == bytes(digest) else "altered"


async def _against_anchor(
    conn: AsyncConnection[Any], anchor: Anchor, result: AuditVerification
) -> AuditVerification:
    anchored = replace(result, anchor_position=anchor.position)
    stored = await stored_digest_at(conn, anchor.position)
    if stored is not None and hmac.compare_digest(stored, anchor.head):
        return anchored
    return replace(anchored, first_altered_position=anchor.position, problem="anchor_mismatch")


async def links_between(conn: AsyncConnection[Any], first: int, last: int) -> list[tuple[Any, ...]]:
    """(position, digest, stream, version, topic, state) per link; the row's columns are null
    when the row is gone."""
    cursor = await conn.execute(
        """
        SELECT c.position, c.digest, e.originator_id, e.originator_version, e.topic, e.state
        FROM audit_chain c LEFT JOIN ledger_events e ON e.notification_id = c.position
        WHERE c.position BETWEEN %s AND %s ORDER BY c.position
        """,
        (first, last),
    )
    return list(await cursor.fetchall())


async def stored_digest_before(conn: AsyncConnection[Any], first: int) -> bytes:
    cursor = await conn.execute(
        "SELECT digest FROM audit_chain WHERE position < %s ORDER BY position DESC LIMIT 1",
        (first,),
    )
    found = await cursor.fetchone()
    return GENESIS if found is None else bytes(found[0])


async def stored_digest_at(conn: AsyncConnection[Any], position: int) -> bytes | None:
    cursor = await conn.execute("SELECT digest FROM audit_chain WHERE position = %s", (position,))
    found = await cursor.fetchone()
    return None if found is None else bytes(found[0])


async def chain_head(conn: AsyncConnection[Any]) -> int:
    return int(await _scalar(conn, "SELECT coalesce(max(position), 0) FROM audit_chain"))


async def _scalar(conn: AsyncConnection[Any], query: str, params: tuple[Any, ...] = ()) -> Any:
    cursor = await conn.execute(query, params)
    found = await cursor.fetchone()
    return None if found is None else found[0]
