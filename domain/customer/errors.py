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


class ResetLinkExpiredError(InvalidResetTokenError):
    """The latest reset link, unused, but past its time. The API answers it like any invalid
    link (same code); the reset page, shown to the link's holder, says it expired."""


class InvalidCredentialsError(DomainError):
    """Wrong password and unknown email answer with this same error."""

    code = "INVALID_CREDENTIALS"


class TooManyAttemptsError(DomainError):
    """Too many failed log-ins for one email lately: no password is checked until later."""

    code = "TOO_MANY_ATTEMPTS"


class InvalidEmailChangeTokenError(DomainError):
    """The email-change confirmation link is unknown, used, replaced or expired."""

    code = "INVALID_CONFIRMATION_TOKEN"


class InvalidRefreshTokenError(DomainError):
    """The refresh token is unknown, expired or revoked, or its session ended (a password
    change or reset, an erasure, a log-out): log in again."""

    code = "INVALID_REFRESH_TOKEN"


class RefreshTokenReusedError(DomainError):
    """A refresh token that was already rotated came back: someone holds a copy, so its whole
    family (every token from that log-in) is revoked."""

    code = "REFRESH_TOKEN_REUSED"


class RefreshTokenAlreadyUsedError(DomainError):
    """A concurrent request rotated this refresh token an instant ago: that one won; this one
    gets nothing and revokes nothing (a client that sent the same refresh twice at once)."""

    code = "REFRESH_TOKEN_ALREADY_USED"


class RefreshTokensUnavailableError(DomainError):
    """This server was started without refresh tokens (a test or benchmark composition)."""

    code = "REFRESH_TOKENS_UNAVAILABLE"
