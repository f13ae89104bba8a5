"""Typed reads of erasure requests: the list for privacy officers (pending or completed, in
the order they were requested, paged by the request's log position) and one subject's
erasure certificate with the log positions it made unreadable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row

MAX_PAGE = 500
MAX_LISTED_POSITIONS = 10_000
"""A certificate lists at most this many positions; its count covers them all."""
_COLUMNS = """request_id, seq, subject_id, subject_kind, reason, requested_at, requested_by,
    requested_by_role, hold_until, completed_seq, completed_at, completed_by, completed_by_role,
    also_erased, categories, positions, first_position, last_position, digest"""


class ErasureStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"


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

    @property
    def status(self) -> ErasureStatus:
        return ErasureStatus.PENDING if self.completed_at is None else ErasureStatus.COMPLETED


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
    completed = None if status is None else status is ErasureStatus.COMPLETED
    async with conn.cursor(row_factory=class_row(ErasureRequestView)) as cur:
        # Two statements rather than an OR: each matches an index exactly.
        if completed is None:
            await cur.execute(
                f"SELECT {_COLUMNS} FROM privacy_erasure_requests WHERE seq > %s"
                " ORDER BY seq LIMIT %s",
                (after, limit + 1),
            )
        else:
            await cur.execute(
                f"SELECT {_COLUMNS} FROM privacy_erasure_requests"
                " WHERE (completed_at IS NOT NULL) = %s AND seq > %s ORDER BY seq LIMIT %s",
                (completed, after, limit + 1),
            )
        rows = await cur.fetchall()
    return ErasureRequestPage(items=rows[:limit], has_next_page=len(rows) > limit)


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
    # The index only grows; positions after the completion are not the certificate's.
    cur = await conn.execute(
        "SELECT DISTINCT position FROM personal_data_positions"
        " WHERE subject_id = ANY(%s) AND position < %s ORDER BY position LIMIT %s",
        ([request.subject_id, *request.also_erased], request.completed_seq, MAX_LISTED_POSITIONS),
    )
    return ErasureCertificate(request, [int(row[0]) for row in await cur.fetchall()])
