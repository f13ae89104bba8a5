"""Refusals specific to loyalty."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class LoyaltyAccountNotFoundError(NotFoundError):
    code = "LOYALTY_ACCOUNT_NOT_FOUND"


class AlreadyEnrolledError(DomainError):
    """A customer has one loyalty account; enrolling again is refused."""

    code = "ALREADY_ENROLLED"


class InsufficientPointsError(DomainError):
    """Spendable points (earned, past their return window, not expired) do not cover it."""

    code = "INSUFFICIENT_POINTS"


class RewardNotFoundError(NotFoundError):
    code = "REWARD_NOT_FOUND"


class RewardUnavailableError(DomainError):
    """The reward was retired: it can no longer be redeemed or restocked."""

    code = "REWARD_UNAVAILABLE"


class OutOfStockError(DomainError):
    code = "OUT_OF_STOCK"


class TierTooLowError(DomainError):
    """The reward is exclusive to a higher tier than the account's."""

    code = "TIER_TOO_LOW"


class RedemptionNotFoundError(NotFoundError):
    code = "REDEMPTION_NOT_FOUND"


class RedemptionAlreadyReversedError(DomainError):
    code = "REDEMPTION_ALREADY_REVERSED"


class EarningRuleNotFoundError(NotFoundError):
    code = "EARNING_RULE_NOT_FOUND"


class IdempotencyKeyReusedError(DomainError):
    """The key was first used for a different request (another reward or amount)."""

    code = "IDEMPOTENCY_KEY_REUSED"
