"""Typed reads of erasure requests: the list for privacy officers (pending, erasing or
completed, in the order they were requested, paged by the request's log position), one
subject's erasure certificate with the log positions it made unreadable, and the completed
erasures the sweep has not vacuumed after yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

MAX_PAGE = 500
MAX_LISTED_POSITIONS = 10_000
"""A certificate lists at most this many positions; its count covers them all."""
_COLUMNS = """request_id, seq, subject_id, subject_kind, reason, requested_at, requested_by,
    requested_by_role, hold_until, completed_seq, completed_at, completed_by, completed_by_role,
    also_erased, categories, positions, first_position, last_position, digest, started_at,
    vacuumed_at, vacuumed_tables"""


class ErasureStatus(StrEnum):
    PENDING = "pending"
    ERASING = "erasing"
    """Started, not completed: its keys may be gone while read models still hold copies."""
    COMPLETED = "completed"


# Each status as a condition on the row; literals of this module, never input.
_STATUS = {
    ErasureStatus.PENDING: "completed_at IS NULL AND started_at IS NULL",
    ErasureStatus.ERASING: "completed_at IS NULL AND started_at IS NOT NULL",
    ErasureStatus.COMPLETED: "completed_at IS NOT NULL",
}


@dataclass(frozen=True, slots=True)
class ErasureRequestView:
    """One erasure request; the completion columns are None while it is pending."""

    request_id: UUID
    seq: int
    subject_id: UUID
    subject_kind: str
    reason: str
    requested_at: datetime
    requested_by: str
    requested_by_role: str
    hold_until: datetime
    completed_seq: int | None
    completed_at: datetime | None
    completed_by: str | None
    completed_by_role: str | None
    also_erased: list[UUID]
    categories: list[str] | None
    positions: int | None
    first_position: int | None
    last_position: int | None
    digest: str | None
    started_at: datetime | None
    vacuumed_at: datetime | None
    vacuumed_tables: list[str] | None

    @property
    def status(self) -> ErasureStatus:
        if self.completed_at is not None:
            return ErasureStatus.COMPLETED
        return ErasureStatus.PENDING if self.started_at is None else ErasureStatus.ERASING


@dataclass(frozen=True, slots=True)
class ErasureRequestPage:
    items: list[ErasureRequestView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class ErasureCertificate:
    """A completed erasure and the log positions whose sealed values its key destruction
    made unreadable (the subject's and those of the other subjects erased with it)."""

    request: ErasureRequestView
    position_list: list[int]


async def erasure_requests(
    conn: AsyncConnection[Any], status: ErasureStatus | None, first: int, after: int = 0
) -> ErasureRequestPage:
    """``first`` requests with ``status`` (None: any) requested after log position ``after``,
    oldest first."""
    limit = max(0, min(first, MAX_PAGE))
    wanted = "true" if status is None else _STATUS[ErasureStatus(status)]
    async with conn.cursor(row_factory=class_row(ErasureRequestView)) as cur:
        # Paged in seq order (a unique index); requests number in the thousands at most.
        await cur.execute(
            f"SELECT {_COLUMNS} FROM privacy_erasure_requests"
            f" WHERE {wanted} AND seq > %s ORDER BY seq LIMIT %s",
            (after, limit + 1),
        )
        rows = await cur.fetchall()
    return ErasureRequestPage(items=rows[:limit], has_next_page=len(rows) > limit)


async def erasure_requests_before(
    conn: AsyncConnection[Any], status: ErasureStatus | None, last: int, before: int | None
) -> ErasureRequestPage:
    """The ``last`` requests with ``status`` (None: any) requested just before log position
    ``before`` (None: the latest), oldest first; ``has_next_page`` says whether more precede
    them (the page was read backward)."""
    limit = max(0, min(last, MAX_PAGE))
    wanted = "true" if status is None else _STATUS[ErasureStatus(status)]
    bound = "true" if before is None else "seq < %s"
    arguments = (limit + 1,) if before is None else (before, limit + 1)
    async with conn.cursor(row_factory=class_row(ErasureRequestView)) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM privacy_erasure_requests"
            f" WHERE {wanted} AND {bound} ORDER BY seq DESC LIMIT %s",
            arguments,
        )
        rows = await cur.fetchall()
    return ErasureRequestPage(items=rows[:limit][::-1], has_next_page=len(rows) > limit)


async def erasure_request(
    conn: AsyncConnection[Any], subject_id: UUID
) -> ErasureRequestView | None:
    """The subject's erasure request (a subject has at most one)."""
    return await _one(conn, "subject_id", subject_id)


async def erasure_request_with_id(
    conn: AsyncConnection[Any], request_id: UUID
) -> ErasureRequestView | None:
    return await _one(conn, "request_id", request_id)


async def _one(conn: AsyncConnection[Any], column: str, value: UUID) -> ErasureRequestView | None:
    # ``column`` is one of this module's constants (both are keys), never input.
    async with conn.cursor(row_factory=class_row(ErasureRequestView)) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM privacy_erasure_requests WHERE {column} = %s", (value,)
        )
        return await cur.fetchone()


async def erasure_certificate(
    conn: AsyncConnection[Any], subject_id: UUID
) -> ErasureCertificate | None:
    """The certificate of the subject's completed erasure; None if it is not completed."""
    request = await erasure_request(conn, subject_id)
    if request is None or request.completed_seq is None:
        return None
    if request.last_position is None:
        return ErasureCertificate(request, [])
    # The index only grows: a position indexed after the completion read it (a write sealed
    # before the keys went and committed after) is past the last one the digest covers.
    cur = await conn.execute(
        "SELECT DISTINCT position FROM personal_data_positions"
        " WHERE subject_id = ANY(%s) AND position <= %s ORDER BY position LIMIT %s",
        ([request.subject_id, *request.also_erased], request.last_position, MAX_LISTED_POSITIONS),
    )
    return ErasureCertificate(request, [int(row[0]) for row in await cur.fetchall()])


@dataclass(frozen=True, slots=True)
class ErasureToVacuum:
    """A completed erasure whose read-model copies have not been vacuumed away yet."""

    subject_id: UUID
    completed_seq: int


def erasures_to_vacuum(conn: Connection[Any], limit: int = 1_000) -> list[ErasureToVacuum]:
    """Completed erasures not vacuumed after yet, in the order they were completed."""
    with conn.cursor(row_factory=class_row(ErasureToVacuum)) as cur:
        cur.execute(
            "SELECT subject_id, completed_seq FROM privacy_erasure_requests"
            " WHERE completed_seq IS NOT NULL AND vacuumed_at IS NULL"
            " ORDER BY completed_seq LIMIT %s",
            (limit,),
        )
        return cur.fetchall()


def erasing_since(conn: Connection[Any], before: datetime) -> list[UUID]:
    """Subjects whose erasure started before ``before`` and is not completed (stalled)."""
    rows = conn.execute(
        "SELECT subject_id FROM privacy_erasure_requests"
        " WHERE completed_at IS NULL AND started_at < %s ORDER BY seq",
        (before,),
    ).fetchall()
    return [subject for (subject,) in rows]
