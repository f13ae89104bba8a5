"""Base errors of the domain: every refusal is one of these, with a stable code."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by a rule. ``code`` is stable; ``field`` names the bad input."""

    code: str = "DOMAIN_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    code = "INVALID_INPUT"


class NotFoundError(DomainError):
    code = "NOT_FOUND"


class ConcurrencyConflictError(DomainError):
    """Someone else changed the aggregate first; the client may reload and retry."""

    code = "CONCURRENCY_CONFLICT"

    def __init__(self, message: str, *, current_version: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.current_version = current_version
