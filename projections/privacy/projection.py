"""Events -> the privacy reports: one row per data export, keyed by its stream."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.privacy.model import DataExport
from projections.base import Projection, handles

PROJECTION_NAME = "privacy_reports"

DDL = """
    CREATE TABLE IF NOT EXISTS privacy_data_exports (
        export_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        subject_id uuid NOT NULL,
        reason text NOT NULL,
        sections text[] NOT NULL,
        exported_at timestamptz NOT NULL,
        actor_id text NOT NULL,
        actor_role text NOT NULL,
        channel text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS privacy_data_exports_subject_idx
        ON privacy_data_exports (subject_id, seq);
"""


class PrivacyReports(Projection):
    """Who exported whose data, when and why (the log holds the same; this indexes it by
    subject). The rows hold no personal data of the subject: only their id."""

    name = PROJECTION_NAME
    tables = ("privacy_data_exports",)
    ddl = DDL

    @handles(DataExport.Exported)
    def exported(self, cursor: Cursor[Any], event: DataExport.Exported, position: int) -> None:
        meta = event.metadata
        cursor.execute(
            """
            INSERT INTO privacy_data_exports (export_id, seq, subject_id, reason, sections,
                exported_at, actor_id, actor_role, channel)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (export_id) DO NOTHING
            """,
            (event.originator_id, position, event.subject_id, event.reason, event.sections,
             event.at, meta.actor_id, meta.actor_role.value, meta.channel.value),
        )  # fmt: skip
