"""Refusals specific to order tracking."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class TrackedOrderNotFoundError(NotFoundError):
    code = "ORDER_NOT_FOUND"


class IllegalFulfilmentStepError(DomainError):
    """The step does not follow the order's current one (e.g. delivered before shipped)."""

    code = "ILLEGAL_TRANSITION"


class IdempotencyKeyReusedError(DomainError):
    """The idempotency key was used for another step of this order."""

    code = "IDEMPOTENCY_KEY_REUSED"
