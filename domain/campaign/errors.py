"""Refusals specific to campaigns."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class CampaignNotFoundError(NotFoundError):
    code = "CAMPAIGN_NOT_FOUND"


class CampaignStateError(DomainError):
    """The command does not fit where the campaign is (launching a cancelled one...)."""

    code = "CAMPAIGN_WRONG_STATE"


class StaleRecipientBatchError(DomainError):
    """A batch computed from a cursor the campaign has moved past: recorded already (a
    re-run after a crash) or by another sender. Nothing is written; the sender reloads."""

    code = "CAMPAIGN_BATCH_STALE"
