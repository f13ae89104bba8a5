"""Reviewing a testimonial: the command and the handler function that runs it (see
:mod:`domain.shared.commands`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.model import Customer
from domain.customer.profile import ConsentPurpose
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.metadata import EventMetadata, acting_as
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind
from domain.testimonial.errors import (
    NotAPromoterCommentError,
    ResponseNotFoundError,
    TestimonialConsentMissingError,
)
from domain.testimonial.model import Decision, Testimonial

PROMOTER_SCORE = 9


@dataclass(frozen=True, slots=True)
class ReviewTestimonial(Command[CommandResult]):
    """Approve (or reject) the comment of the survey response ``response_id`` (an
    invitation's id) as a testimonial."""

    response_id: UUID
    decision: Decision
    expected_version: int | None = None
    """The testimonial's version you saw (0: never reviewed); CONCURRENCY_CONFLICT if it moved."""


def review_testimonial(
    ledger: LedgerCore, command: ReviewTestimonial, metadata: EventMetadata
) -> CommandResult:
    response = ledger.load(command.response_id, Invitation, _no_response)
    if (
        response.responded_at is None
        or response.kind != SurveyKind.NPS.value
        or (response.score or 0) < PROMOTER_SCORE
        or not response.commented
    ):
        raise NotAPromoterCommentError(
            "only an NPS promoter's answer with a comment can be a testimonial",
            field="responseId",
        )
    if command.decision is Decision.APPROVED:
        customer = ledger.load(response.customer_id, Customer, _no_response)
        # An erased customer's consent outlives their data, but there is nothing to publish.
        consented = customer.consents.get(ConsentPurpose.TESTIMONIALS.value) is True
        if not consented or customer.name.is_erased:
            raise TestimonialConsentMissingError(
                "the customer has not consented to testimonials", field="responseId"
            )
    testimonial = ledger.find(Testimonial.id_for(command.response_id), Testimonial, _no_response)
    current = 0 if testimonial is None else testimonial.version
    if command.expected_version is not None and command.expected_version != current:
        raise ConcurrencyConflictError(
            "the testimonial was reviewed since", current_version=current
        )
    now = datetime.now(UTC)
    with acting_as(metadata):
        if testimonial is None:
            testimonial = Testimonial.review(
                command.response_id, response.customer_id, command.decision, now
            )
        else:
            testimonial.decide(command.decision, now)
    if not testimonial.pending_events:
        return CommandResult(testimonial.id, testimonial.version, ledger.head_position())
    return CommandResult(testimonial.id, testimonial.version, ledger.commit(testimonial))


def _no_response() -> ResponseNotFoundError:
    return ResponseNotFoundError("no such survey response", field="responseId")
