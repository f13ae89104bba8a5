"""The Review aggregate: one customer's review of one product, its edits and moderation.

Its id derives from the customer and the sku, so a customer has one review per product: a
second ``reviewProduct`` lands on the same stream as an edit. The reviewer's words and shown
name are personal data sealed with the customer's key; the rating is not, so an erased
customer's rating still counts in the product's figures.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.review.values import ReviewDecision, ReviewStatus
from domain.shared.aggregate import LedgerAggregate
from domain.shared.personal_data import PersonalData

REVIEW_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/review")


class Review(LedgerAggregate):
    """A customer's review of a product they may have bought (``verified_order_id``: the
    order of theirs, read from the log, that holds the product)."""

    class Written(LedgerAggregate.Created):
        """A customer reviewed a product; it waits for a moderator."""

        customer_id: UUID
        sku: str
        rating: int
        title: PersonalData
        text: PersonalData
        shown_name: PersonalData
        verified_order_id: str | None
        at: datetime

        def apply(self, review: Review) -> None:
            review.customer_id = self.customer_id
            review.sku = self.sku
            review.rating = self.rating
            review.title = self.title.value
            review.text = self.text.value
            review.verified_order_id = self.verified_order_id
            review.status = ReviewStatus.PENDING
            review.reason = None

    class Edited(LedgerAggregate.Event):
        """The reviewer changed their review; it waits for a moderator again."""

        rating: int
        title: PersonalData
        text: PersonalData
        verified_order_id: str | None
        at: datetime

        def apply(self, review: Review) -> None:
            review.rating = self.rating
            review.title = self.title.value
            review.text = self.text.value
            review.verified_order_id = self.verified_order_id
            review.status = ReviewStatus.PENDING
            review.reason = None

    class Moderated(LedgerAggregate.Event):
        """A moderator published or rejected the review (``reason``: staff's words to the
        reviewer on a rejection, not personal data)."""

        decision: str
        reason: str | None
        at: datetime

        def apply(self, review: Review) -> None:
            review.status = ReviewDecision(self.decision).status
            review.reason = self.reason

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    customer_id: UUID
    sku: str
    rating: int
    title: str | None
    text: str | None
    verified_order_id: str | None
    status: ReviewStatus
    reason: str | None

    @staticmethod
    def id_for(customer_id: UUID, sku: str) -> UUID:
        return uuid5(REVIEW_NAMESPACE, f"{customer_id}/{sku}")

    @classmethod
    def write(
        cls,
        *,
        customer_id: UUID,
        sku: str,
        rating: int,
        title: str,
        text: str,
        shown_name: str,
        verified_order_id: str | None,
        at: datetime,
    ) -> Review:
        return cls._create(
            cls.Written,
            id=cls.id_for(customer_id, sku),
            customer_id=customer_id,
            sku=sku,
            rating=rating,
            title=PersonalData(customer_id, title),
            text=PersonalData(customer_id, text),
            shown_name=PersonalData(customer_id, shown_name),
            verified_order_id=verified_order_id,
            at=at,
        )

    def edit(
        self, *, rating: int, title: str, text: str, verified_order_id: str | None, at: datetime
    ) -> None:
        """Record the new wording; the same wording again (a retried request) records
        nothing."""
        unchanged = (self.rating, self.title, self.text) == (rating, title, text)
        if unchanged and self.verified_order_id == verified_order_id:
            return
        self.trigger_event(
            self.Edited,
            rating=rating,
            title=PersonalData(self.customer_id, title),
            text=PersonalData(self.customer_id, text),
            verified_order_id=verified_order_id,
            at=at,
        )

    def moderate(self, decision: ReviewDecision, reason: str | None, at: datetime) -> None:
        """Publish or reject; the same decision again (with the same reason) records nothing."""
        if self.status is decision.status and self.reason == reason:
            return
        self.trigger_event(self.Moderated, decision=decision.value, reason=reason, at=at)
