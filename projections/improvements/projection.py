"""Events -> the improvements read model.

Every write is keyed (ON CONFLICT), so applying an event a second time leaves the same rows.
It reads no personal value: an erasure changes nothing here (the audience is ids, the answers
scores; an erased customer's answers still count, as on the survey dashboard). Answers are
folded: a run of them goes in with one statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from domain.improvement.model import Improvement
from domain.reactions.model import ImprovementNotice
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind, nps_category
from projections.base import Projection, folds, handles
from projections.bulk import Column, insert_rows
from projections.improvements.schema import DDL, TABLES

NPS_ANSWER_COLUMNS: tuple[Column, ...] = (
    ("response_id", "uuid"),
    ("customer_id", "uuid"),
    ("nps_category", "text"),
    ("responded_at", "timestamptz"),
)


class ImprovementImpact(Projection):
    """Announcements, their audiences, who was told, and the NPS answers of everyone (only
    an audience's are read, but an audience is known only when announced, after its answers)."""

    name = "improvement_impact"
    reads_personal_data = False
    tables = TABLES
    ddl = DDL

    @handles(Improvement.Announced)
    def announced(self, cursor: Cursor[Any], event: Improvement.Announced, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO improvement_announcements (improvement_id, seq, topic_kind, topic,
                product_version, message, announced_at, audience_size)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (improvement_id) DO NOTHING
            """,
            (
                event.originator_id,
                position,
                event.topic_kind,
                event.topic,
                event.product_version,
                event.message,
                event.at,
                event.audience_size,
            ),
        )

    @handles(Improvement.AudienceRecorded)
    def audience_recorded(
        self, cursor: Cursor[Any], event: Improvement.AudienceRecorded, _: int
    ) -> None:
        cursor.executemany(
            "INSERT INTO improvement_audience (improvement_id, customer_id) VALUES (%s, %s)"
            " ON CONFLICT DO NOTHING",
            [(event.originator_id, customer_id) for customer_id in event.customer_ids],
        )

    @handles(ImprovementNotice.Queued)
    def notice_queued(self, cursor: Cursor[Any], event: ImprovementNotice.Queued, _: int) -> None:
        cursor.execute(
            "INSERT INTO improvement_notices (notice_id, improvement_id) VALUES (%s, %s)"
            " ON CONFLICT (notice_id) DO NOTHING",
            (event.originator_id, event.improvement_id),
        )

    def changes(self) -> NpsAnswers:
        return NpsAnswers()

    @folds(Invitation.Responded)
    def responded(self, changes: NpsAnswers, event: Invitation.Responded, _: int) -> None:
        if event.kind != SurveyKind.NPS.value:
            return
        changes.rows.append(
            (event.originator_id, event.customer_id, nps_category(event.score), event.timestamp)
        )


@dataclass
class NpsAnswers:
    """A run of folded NPS answers of one batch: one multi-row INSERT, keyed by response (an
    answer depends on no other, so their order within the run does not matter)."""

    rows: list[tuple[UUID, UUID, str, datetime]] = field(default_factory=list)

    def write(self, cursor: Cursor[Any]) -> None:
        on_conflict = "ON CONFLICT (response_id) DO NOTHING"
        insert_rows(cursor, "improvement_nps_answers", NPS_ANSWER_COLUMNS, self.rows, on_conflict)
