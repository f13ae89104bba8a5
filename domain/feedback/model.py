"""The Feedback aggregate: one piece of feedback, given once."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.shared.aggregate import LedgerAggregate
from domain.shared.personal_data import PersonalData


class Feedback(LedgerAggregate):
    """What a customer (or an anonymous person known by an email) told us, outside a survey."""

    class Submitted(LedgerAggregate.Created):
        """Feedback arrived. ``text`` (and an anonymous sender's ``email``) are sealed with
        the sender's key; the sentiment score is a number computed when it arrived, so it
        outlives the text's erasure (as a survey comment's does). ``ticket_id`` names the
        ticket a complaint opened in the same commit."""

        kind: str
        topic: str
        text: PersonalData
        email: PersonalData | None
        customer_id: UUID | None
        subject_id: UUID
        product_version: str | None
        sentiment: float
        ticket_id: UUID | None
        at: datetime

        def apply(self, feedback: Feedback) -> None:
            feedback.kind, feedback.topic = self.kind, self.topic
            feedback.customer_id, feedback.subject_id = self.customer_id, self.subject_id
            feedback.ticket_id = self.ticket_id

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    kind: str
    topic: str
    customer_id: UUID | None
    subject_id: UUID
    ticket_id: UUID | None

    @classmethod
    def submit(
        cls,
        feedback_id: UUID,
        *,
        kind: str,
        topic: str,
        text: PersonalData,
        email: PersonalData | None,
        customer_id: UUID | None,
        product_version: str | None,
        sentiment: float,
        ticket_id: UUID | None,
        at: datetime,
    ) -> Feedback:
        return cls._create(
            cls.Submitted,
            id=feedback_id,
            kind=kind,
            topic=topic,
            text=text,
            email=email,
            customer_id=customer_id,
            subject_id=text.subject_id,
            product_version=product_version,
            sentiment=sentiment,
            ticket_id=ticket_id,
            at=at,
        )
