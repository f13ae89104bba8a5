"""Typed reads of the privacy reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True, slots=True)
class DataExportView:
    """One recorded export: whose data, why, which sections, when, by whom, through what."""

    export_id: UUID
    seq: int
    subject_id: UUID
    reason: str
    sections: list[str]
    exported_at: datetime
    actor_id: str
    actor_role: str
    channel: str


async def data_exports_of(conn: AsyncConnection[Any], subject_id: UUID) -> list[DataExportView]:
    """Every recorded export of the subject's data, in log order."""
    async with conn.cursor(row_factory=class_row(DataExportView)) as cur:
        await cur.execute(
            "SELECT export_id, seq, subject_id, reason, sections, exported_at, actor_id,"
            " actor_role, channel FROM privacy_data_exports WHERE subject_id = %s ORDER BY seq",
            (subject_id,),
        )
        return await cur.fetchall()
