"""Events -> the enhancement priorities read model.

Every write is keyed (ON CONFLICT), so applying an event a second time leaves the same rows:
the per-version totals grow only with an answer that was not recorded before. Themes are the
terms of a text as the survey dashboard finds them (:func:`projections.surveys.text.terms`),
so a theme here is a theme there. An erased person's text arrives unreadable (no themes), and
their erasure deletes the mentions already drawn from it; their NPS scores stay, as on the
dashboard, so live and rebuilt rows agree. Answers are folded (``changes``): a run of them
is written with a few multi-row statements, not two per answer.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Cursor

from domain.feedback.model import Feedback
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind
from domain.theme_priority.model import ThemePriority
from domain.theme_priority.values import ThemeStatus
from projections.base import Projection, folds, handles
from projections.erasure import ErasureCompleted, erased_subjects
from projections.surveys.text import terms
from projections.theme_priorities.changes import AnswerChanges
from projections.theme_priorities.schema import DDL, NO_VERSION, TABLES


class ThemePriorities(Projection):
    """Themes of comments and feedback, who raised them, the NPS answers they came with, and
    the decisions on them."""

    name = "theme_priorities"
    tables = TABLES
    ddl = DDL
    erasure_purges = ("theme_priority_mentions",)

    def changes(self) -> AnswerChanges:
        return AnswerChanges()

    @folds(Invitation.Responded)
    def responded(self, changes: AnswerChanges, event: Invitation.Responded, _: int) -> None:
        is_nps = event.kind == SurveyKind.NPS.value
        version = event.product_version or NO_VERSION
        if is_nps:
            changes.answer(event.originator_id, event.customer_id, version, event.score)
        text = None if event.comment is None else event.comment.value
        if text is not None:  # no comment, or an erased person's: nothing of theirs to count
            score = event.score if is_nps else None
            themes = sorted(terms(text))
            changes.mention(event.originator_id, themes, event.customer_id, version, score)

    @handles(Feedback.Submitted)
    def submitted(self, cursor: Cursor[Any], event: Feedback.Submitted, _: int) -> None:
        version = event.product_version or NO_VERSION
        self._mention(
            cursor, event.originator_id, event.text.value, event.subject_id, version, None
        )

    @handles(ThemePriority.Tracked)
    def tracked(self, cursor: Cursor[Any], event: ThemePriority.Tracked, position: int) -> None:
        cursor.execute(
            "INSERT INTO theme_priority_status (theme, priority_id, status, note, decided_at, seq)"
            " VALUES (%s, %s, %s, '', %s, %s) ON CONFLICT (theme) DO NOTHING",
            (event.theme, event.originator_id, ThemeStatus.OPEN.value, event.timestamp, position),
        )

    @handles(ThemePriority.MarkedPlanned)
    def marked_planned(
        self, cursor: Cursor[Any], event: ThemePriority.MarkedPlanned, position: int
    ) -> None:
        self._decided(cursor, event.originator_id, ThemeStatus.PLANNED, event, position)

    @handles(ThemePriority.MarkedDone)
    def marked_done(
        self, cursor: Cursor[Any], event: ThemePriority.MarkedDone, position: int
    ) -> None:
        self._decided(cursor, event.originator_id, ThemeStatus.DONE, event, position)

    @handles(ErasureCompleted)
    def erasure_completed(self, cursor: Cursor[Any], event: ErasureCompleted, _: int) -> None:
        cursor.execute(
            "DELETE FROM theme_priority_mentions WHERE subject_id = ANY(%s)",
            (erased_subjects(event),),
        )

    def _mention(
        self,
        cursor: Cursor[Any],
        source_id: UUID,
        text: str | None,
        subject_id: UUID,
        version: str,
        score: int | None,
    ) -> None:
        if text is None:  # no comment, or an erased person's: nothing of theirs to count
            return
        cursor.executemany(
            "INSERT INTO theme_priority_mentions (source_id, theme, subject_id, product_version,"
            " score) VALUES (%s, %s, %s, %s, %s) ON CONFLICT (source_id, theme) DO NOTHING",
            [(source_id, term, subject_id, version, score) for term in sorted(terms(text))],
        )

    def _decided(
        self,
        cursor: Cursor[Any],
        priority_id: UUID,
        status: ThemeStatus,
        event: ThemePriority.MarkedPlanned | ThemePriority.MarkedDone,
        position: int,
    ) -> None:
        # The theme is in the stream's first event, so its row is found by the stream's id.
        # Keyed by position: a decision applied again (or an older one) changes nothing.
        cursor.execute(
            """
            UPDATE theme_priority_status SET status = %(status)s, note = %(note)s,
                decided_at = %(at)s, seq = %(seq)s
            WHERE priority_id = %(id)s AND seq < %(seq)s
            """,
            {"status": status.value, "note": event.note, "at": event.at, "seq": position,
             "id": priority_id},
        )  # fmt: skip
