"""Events -> the privacy reports: one row per data export, and one per erasure request."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.privacy.erasure import ErasureRequest
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
    CREATE TABLE IF NOT EXISTS privacy_erasure_requests (
        request_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        subject_id uuid NOT NULL UNIQUE,
        subject_kind text NOT NULL,
        reason text NOT NULL,
        requested_at timestamptz NOT NULL,
        requested_by text NOT NULL,
        requested_by_role text NOT NULL,
        hold_until timestamptz NOT NULL,
        completed_seq bigint,
        completed_at timestamptz,
        completed_by text,
        completed_by_role text,
        also_erased uuid[] NOT NULL DEFAULT '{}',
        categories text[],
        positions bigint,
        first_position bigint,
        last_position bigint,
        digest text
    );
    CREATE INDEX IF NOT EXISTS privacy_erasure_requests_status_idx
        ON privacy_erasure_requests ((completed_at IS NOT NULL), seq);
    -- Erasing (started, not completed) and vacuumed: events that came later than the table.
    -- Earlier logs hold neither, so the columns are simply added (no rebuild needed).
    ALTER TABLE privacy_erasure_requests ADD COLUMN IF NOT EXISTS started_at timestamptz;
    ALTER TABLE privacy_erasure_requests ADD COLUMN IF NOT EXISTS vacuumed_at timestamptz;
    ALTER TABLE privacy_erasure_requests ADD COLUMN IF NOT EXISTS vacuumed_tables text[];
    CREATE INDEX IF NOT EXISTS privacy_erasure_requests_unvacuumed_idx
        ON privacy_erasure_requests (completed_seq)
        WHERE completed_seq IS NOT NULL AND vacuumed_at IS NULL;
"""


class PrivacyReports(Projection):
    """Who exported whose data, when and why; and every erasure request, pending or completed,
    with its certificate facts (the log holds the same; this indexes it). The rows hold no
    personal data of the subject: only their id."""

    name = PROJECTION_NAME
    # 2: erasure requests. Rebuilt so that requests recorded before this table existed show.
    # 3: an erasure's count of positions is bigint.
    version = 3
    tables = ("privacy_data_exports", "privacy_erasure_requests")
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

    @handles(ErasureRequest.Requested)
    def erasure_requested(
        self, cursor: Cursor[Any], event: ErasureRequest.Requested, position: int
    ) -> None:
        meta = event.metadata
        cursor.execute(
            """
            INSERT INTO privacy_erasure_requests (request_id, seq, subject_id, subject_kind,
                reason, requested_at, requested_by, requested_by_role, hold_until)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (request_id) DO NOTHING
            """,
            (event.originator_id, position, event.subject_id, event.subject_kind, event.reason,
             event.at, meta.actor_id, meta.actor_role.value, event.hold_until),
        )  # fmt: skip

    @handles(ErasureRequest.Started)
    def erasure_started(self, cursor: Cursor[Any], event: ErasureRequest.Started, _: int) -> None:
        cursor.execute(
            "UPDATE privacy_erasure_requests SET started_at = %s WHERE request_id = %s",
            (event.at, event.originator_id),
        )

    @handles(ErasureRequest.Vacuumed)
    def erasure_vacuumed(self, cursor: Cursor[Any], event: ErasureRequest.Vacuumed, _: int) -> None:
        cursor.execute(
            "UPDATE privacy_erasure_requests SET vacuumed_at = %s, vacuumed_tables = %s"
            " WHERE request_id = %s",
            (event.at, event.tables, event.originator_id),
        )

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, position: int
    ) -> None:
        meta = event.metadata
        cursor.execute(
            """
            UPDATE privacy_erasure_requests SET completed_seq = %s, completed_at = %s,
                completed_by = %s, completed_by_role = %s, also_erased = %s, categories = %s,
                positions = %s, first_position = %s, last_position = %s, digest = %s
            WHERE request_id = %s
            """,
            (position, event.at, meta.actor_id, meta.actor_role.value, event.also_erased,
             event.categories, event.positions, event.first_position, event.last_position,
             event.digest, event.originator_id),
        )  # fmt: skip
