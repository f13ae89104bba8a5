"""Refusals specific to customers."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class EmailAlreadyRegisteredError(DomainError):
    code = "EMAIL_ALREADY_REGISTERED"


class CustomerNotFoundError(NotFoundError):
    code = "CUSTOMER_NOT_FOUND"


class IdempotencyKeyReusedError(DomainError):
    """The idempotency key was first used for a different registration."""

    code = "IDEMPOTENCY_KEY_REUSED"


class InvalidResetTokenError(DomainError):
    code = "INVALID_RESET_TOKEN"


class InvalidCredentialsError(DomainError):
    """Wrong password and unknown email answer with this same error."""

    code = "INVALID_CREDENTIALS"


class TooManyAttemptsError(DomainError):
    """Too many failed log-ins for one email lately: no password is checked until later."""

    code = "TOO_MANY_ATTEMPTS"


class InvalidEmailChangeTokenError(DomainError):
    """The email-change confirmation link is unknown, used, replaced or expired."""

    code = "INVALID_CONFIRMATION_TOKEN"
