"""Refusals specific to feedback."""

from __future__ import annotations

from domain.shared.errors import DomainError


class FeedbackIdReusedError(DomainError):
    """A ``feedbackId`` sent again by someone else, or naming another kind of stream."""

    code = "FEEDBACK_ID_REUSED"
