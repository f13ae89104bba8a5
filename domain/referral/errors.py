"""Refusals specific to referrals."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class InvalidReferralCodeError(NotFoundError):
    """Unknown, revoked and expired codes get this same answer."""

    code = "INVALID_REFERRAL_CODE"


class SelfReferralError(DomainError):
    """The friend is the referrer (same customer, or the same email up to dots and tags)."""

    code = "SELF_REFERRAL"


class AlreadyReferredError(DomainError):
    """A friend converts once: a second conversion of the same person is refused."""

    code = "ALREADY_REFERRED"


class DisposableEmailError(DomainError):
    code = "DISPOSABLE_EMAIL"


class InvitationLimitError(DomainError):
    """Too many invitations today, or in total."""

    code = "INVITATION_LIMIT"


class ReferralNotFoundError(NotFoundError):
    code = "REFERRAL_NOT_FOUND"


class AlreadyInvitedError(DomainError):
    """This referrer already invited this email."""

    code = "ALREADY_INVITED"
