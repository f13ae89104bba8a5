"""The Testimonial aggregate: a marketer's decision on one promoter's survey comment.

Its id derives from the response's, so two reviews of one response meet in one stream. The
comment itself stays in the response's event, sealed under the customer's key; the decision
holds no personal value."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid5

from domain.shared.aggregate import LedgerAggregate

TESTIMONIAL_NAMESPACE = UUID("6d1c1f0e-8a43-4f5e-9a8e-31f1c2d5b7a4")


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class ReviewStatus(StrEnum):
    """Where a promoter's comment is: not reviewed yet, or the last decision on it."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class Testimonial(LedgerAggregate):
    class Reviewed(LedgerAggregate.Created):
        """The response was first reviewed: approved for publishing, or rejected."""

        response_id: UUID
        customer_id: UUID
        decision: str
        at: datetime

        def apply(self, testimonial: Testimonial) -> None:
            testimonial.response_id = self.response_id
            testimonial.customer_id = self.customer_id
            testimonial.decision = self.decision

    class Rereviewed(LedgerAggregate.Event):
        """The decision changed (an approved one withdrawn from publishing, or the reverse)."""

        decision: str
        at: datetime

        def apply(self, testimonial: Testimonial) -> None:
            testimonial.decision = self.decision

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    response_id: UUID
    customer_id: UUID
    decision: str

    @staticmethod
    def id_for(response_id: UUID) -> UUID:
        return uuid5(TESTIMONIAL_NAMESPACE, response_id.hex)

    @classmethod
    def review(
        cls, response_id: UUID, customer_id: UUID, decision: Decision, at: datetime
    ) -> Testimonial:
        return cls._create(
            cls.Reviewed,
            id=cls.id_for(response_id),
            response_id=response_id,
            customer_id=customer_id,
            decision=decision.value,
            at=at,
        )

    def decide(self, decision: Decision, at: datetime) -> None:
        if decision.value != self.decision:
            self.trigger_event(self.Rereviewed, decision=decision.value, at=at)
