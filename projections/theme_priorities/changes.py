"""A run of folded survey answers of one batch, written with a few multi-row statements.

An answer's rows are keyed by its response (``ON CONFLICT DO NOTHING``), and a version's totals
grow by the answers that went in: one statement inserts the run's NPS answers and adds what
went in to the totals, grouped by version; one more inserts the themes its comments mention.
Nothing an answer writes depends on another answer, so the run's order among its answers does
not matter; the events the projection applies one at a time (feedback, decisions, erasures)
write what was folded before them first (see ``projections.base``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.bulk import Column, as_columns, insert_rows

MENTION_COLUMNS: tuple[Column, ...] = (
    ("source_id", "uuid"),
    ("theme", "text"),
    ("subject_id", "uuid"),
    ("product_version", "text"),
    ("score", "smallint"),
)

_ANSWERS = """
    WITH added AS (
        INSERT INTO theme_priority_answers (response_id, subject_id, product_version, score)
        SELECT * FROM unnest(%b::uuid[], %b::uuid[], %b::text[], %b::smallint[])
        ON CONFLICT (response_id) DO NOTHING
        RETURNING product_version, score
    )
    INSERT INTO theme_priority_totals (product_version, answers, score_sum, score_squares)
    SELECT product_version, count(*), sum(score), sum(score * score) FROM added
    GROUP BY product_version
    ON CONFLICT (product_version) DO UPDATE SET
        answers = theme_priority_totals.answers + excluded.answers,
        score_sum = theme_priority_totals.score_sum + excluded.score_sum,
        score_squares = theme_priority_totals.score_squares + excluded.score_squares
"""


@dataclass
class AnswerChanges:
    """What a run of folded answers does to the answers, totals and mentions."""

    answers: list[tuple[UUID, UUID, str, int]] = field(default_factory=list)
    """(response, subject, version, score) of each NPS answer."""
    mentions: list[tuple[UUID, str, UUID, str, int | None]] = field(default_factory=list)
    """(source, theme, subject, version, score) of each theme a comment mentions."""

    def answer(self, response_id: UUID, subject_id: UUID, version: str, score: int) -> None:
        self.answers.append((response_id, subject_id, version, score))

    def mention(
        self, source_id: UUID, themes: list[str], subject_id: UUID, version: str, score: int | None
    ) -> None:
        self.mentions.extend((source_id, theme, subject_id, version, score) for theme in themes)

    def write(self, cursor: Cursor[Any]) -> None:
        if self.answers:
            cursor.execute(_ANSWERS, as_columns(self.answers, 4))
        insert_rows(
            cursor,
            "theme_priority_mentions",
            MENTION_COLUMNS,
            self.mentions,
            "ON CONFLICT (source_id, theme) DO NOTHING",
        )
