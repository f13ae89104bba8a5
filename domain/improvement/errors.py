"""Refusals specific to improvements."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class UnknownTopicError(DomainError):
    """No survey asks about the aspect, or no comment mentions the theme: nobody's feedback
    is on it, so there is no one to tell (a typo, most likely)."""

    code = "UNKNOWN_TOPIC"


class ImprovementNotFoundError(NotFoundError):
    code = "IMPROVEMENT_NOT_FOUND"
