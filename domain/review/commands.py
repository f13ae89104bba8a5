"""Reviewing a product and moderating reviews.

The read side offers the orders of the customer that hold the product (``purchases``); the
command reads each from the log and badges the review with the first that is really theirs and
really holds the sku. A review of a product the customer has no recorded order of is accepted
without the badge: a gift, or a purchase in a shop that sends no orders here, is still an
experience worth hearing, and nothing is shown before a moderator publishes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.errors import CustomerNotFoundError
from domain.customer.model import Customer
from domain.purchase.model import Purchase
from domain.review.errors import ReviewNotFoundError
from domain.review.model import Review
from domain.review.values import (
    MAX_REASON,
    MAX_TEXT,
    MAX_VERIFYING_ORDERS,
    ReviewDecision,
    check_paragraphs,
    check_rating,
    check_sku,
    check_title,
    shown_name,
)
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ValidationError
from domain.shared.metadata import EventMetadata, Role, acting_as


@dataclass(frozen=True, slots=True)
class ReviewProduct(Command[CommandResult]):
    """Write (or edit) the customer's review of ``sku``."""

    customer_id: UUID
    sku: str
    rating: int
    title: str
    text: str
    purchases: tuple[str, ...] = ()
    """Order ids the read side knows of this customer holding the sku (a hint, checked)."""
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ModerateReview(Command[CommandResult]):
    """Publish or reject a review; a rejection needs a reason."""

    review_id: UUID
    decision: ReviewDecision
    reason: str | None = None
    expected_version: int | None = None
    now: datetime | None = None


def review_product(
    ledger: LedgerCore, command: ReviewProduct, metadata: EventMetadata
) -> CommandResult:
    if metadata.actor_role is not Role.CUSTOMER or metadata.actor_id != str(command.customer_id):
        raise ValidationError("only customers review, for themselves", field="customerId")
    sku = check_sku(command.sku)
    rating = check_rating(command.rating)
    title = check_title(command.title)
    text = check_paragraphs(command.text, "text", MAX_TEXT)
    customer = ledger.load(command.customer_id, Customer, _no_customer)
    verified = _verifying_order(ledger, command.customer_id, sku, command.purchases)
    at = command.now or datetime.now(UTC)
    review = ledger.find(Review.id_for(command.customer_id, sku), Review, _not_a_review)
    with acting_as(metadata):
        if review is None:
            review = Review.write(
                customer_id=command.customer_id,
                sku=sku,
                rating=rating,
                title=title,
                text=text,
                shown_name=shown_name(customer.name.reveal()),
                verified_order_id=verified,
                at=at,
            )
        else:
            review.edit(rating=rating, title=title, text=text, verified_order_id=verified, at=at)
    if not review.pending_events:
        return CommandResult(review.id, review.version, ledger.head_position())
    return CommandResult(review.id, review.version, ledger.commit(review))


def moderate_review(
    ledger: LedgerCore, command: ModerateReview, metadata: EventMetadata
) -> CommandResult:
    reason = _checked_reason(command.decision, command.reason)
    review = ledger.load(command.review_id, Review, _no_review, command.expected_version)
    with acting_as(metadata):
        review.moderate(command.decision, reason, command.now or datetime.now(UTC))
    if not review.pending_events:
        return CommandResult(review.id, review.version, ledger.head_position())
    return CommandResult(review.id, review.version, ledger.commit(review))


def review_of(ledger: LedgerCore, review_id: UUID) -> Review:
    return ledger.load(review_id, Review, _no_review)


def _verifying_order(
    ledger: LedgerCore, customer_id: UUID, sku: str, order_ids: tuple[str, ...]
) -> str | None:
    """The first of ``order_ids`` that the log shows is this customer's and holds ``sku``."""
    for order_id in sorted(set(order_ids))[:MAX_VERIFYING_ORDERS]:
        purchase = ledger.find(Purchase.id_for(order_id))
        if not isinstance(purchase, Purchase) or purchase.customer_id != customer_id:
            continue
        if any(line.get("sku") == sku for line in purchase.items):
            return order_id
    return None


def _checked_reason(decision: ReviewDecision, reason: str | None) -> str | None:
    if decision is ReviewDecision.PUBLISH:
        if reason is not None:
            raise ValidationError("a published review takes no reason", field="reason")
        return None
    if reason is None:
        raise ValidationError("a rejection needs a reason for the reviewer", field="reason")
    return check_paragraphs(reason, "reason", MAX_REASON)


def _no_customer() -> CustomerNotFoundError:
    return CustomerNotFoundError("no such customer", field="customerId")


def _no_review() -> ReviewNotFoundError:
    return ReviewNotFoundError("no such review", field="reviewId")


def _not_a_review() -> ReviewNotFoundError:
    return ReviewNotFoundError("no such review", field="sku")
