"""Refusals specific to testimonials."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class ResponseNotFoundError(NotFoundError):
    code = "RESPONSE_NOT_FOUND"


class NotAPromoterCommentError(DomainError):
    """Only an NPS promoter's (9 or 10) answer with a comment can be a testimonial."""

    code = "NOT_A_PROMOTER_COMMENT"


class TestimonialConsentMissingError(DomainError):
    """The customer has not given (or has withdrawn) their testimonial consent."""

    code = "TESTIMONIAL_CONSENT_MISSING"
