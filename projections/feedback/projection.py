"""Events -> the feedback inbox: one row per piece of feedback, and its themes (the terms of
its text, as survey comments' are computed). Erasure clears the text and email and deletes the
themes (they are the person's words); kind, topic, sentiment and times stay."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.feedback.model import Feedback
from projections.base import Projection, handles
from projections.erasure import ErasureCompleted, erased_subjects
from projections.feedback.views import FEEDBACK_NOTICE, PROJECTION_NAME
from projections.surveys.projection import NOTIFY_CHANNEL
from projections.surveys.text import sentiment_bucket, terms

DDL = """
    CREATE TABLE IF NOT EXISTS feedback_inbox (
        feedback_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        kind text NOT NULL,
        topic text NOT NULL,
        text text,
        email text,
        customer_id uuid,
        subject_id uuid NOT NULL,
        product_version text,
        sentiment double precision NOT NULL,
        sentiment_bucket text NOT NULL,
        ticket_id uuid,
        submitted_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS feedback_inbox_subject_idx ON feedback_inbox (subject_id);
    CREATE INDEX IF NOT EXISTS feedback_inbox_kind_idx ON feedback_inbox (kind, seq);
    CREATE INDEX IF NOT EXISTS feedback_inbox_topic_idx ON feedback_inbox (topic, seq);
    CREATE INDEX IF NOT EXISTS feedback_inbox_time_idx ON feedback_inbox (submitted_at);
    CREATE TABLE IF NOT EXISTS feedback_terms (
        feedback_id uuid NOT NULL,
        term text NOT NULL,
        PRIMARY KEY (feedback_id, term)
    );
    CREATE INDEX IF NOT EXISTS feedback_terms_term_idx ON feedback_terms (term);
"""


class FeedbackInbox(Projection):
    """The inbox staff read and agents follow live."""

    name = PROJECTION_NAME
    tables = ("feedback_inbox", "feedback_terms")
    ddl = DDL
    erasure_purges = ("feedback_inbox", "feedback_terms")

    @handles(Feedback.Submitted)
    def submitted(self, cursor: Cursor[Any], event: Feedback.Submitted, position: int) -> None:
        text = event.text.value
        email = None if event.email is None else event.email.value
        cursor.execute(
            """
            INSERT INTO feedback_inbox (feedback_id, seq, kind, topic, text, email, customer_id,
                subject_id, product_version, sentiment, sentiment_bucket, ticket_id, submitted_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (feedback_id) DO NOTHING
            """,
            (event.originator_id, position, event.kind, event.topic, text, email,
             event.customer_id, event.subject_id, event.product_version, event.sentiment,
             sentiment_bucket(event.sentiment), event.ticket_id, event.at),
        )  # fmt: skip
        if text is not None:
            cursor.executemany(
                "INSERT INTO feedback_terms (feedback_id, term) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                [(event.originator_id, term) for term in sorted(terms(text))],
            )
        cursor.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, str(FEEDBACK_NOTICE)))

    @handles(ErasureCompleted)
    def erasure_completed(self, cursor: Cursor[Any], event: ErasureCompleted, _: int) -> None:
        subjects = erased_subjects(event)
        cursor.execute(
            "DELETE FROM feedback_terms WHERE feedback_id IN"
            " (SELECT feedback_id FROM feedback_inbox WHERE subject_id = ANY(%s))",
            (subjects,),
        )
        cursor.execute(
            "UPDATE feedback_inbox SET text = NULL, email = NULL WHERE subject_id = ANY(%s)"
            " AND (text IS NOT NULL OR email IS NOT NULL)",
            (subjects,),
        )
