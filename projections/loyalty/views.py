"""The shapes the loyalty read model answers with (shared by its queries and the GraphQL types).

Times are timezone-aware; points are whole numbers; a rate over nothing is None, never 0.
``reason`` is the clear text of an adjustment or reversal reason, None once the customer is
erased; who may see it is the API's decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID


class TransactionKind(StrEnum):
    EARNED = "earned"
    REDEEMED = "redeemed"
    REDEMPTION_REVERSED = "redemption_reversed"
    CLAWED_BACK = "clawed_back"
    EXPIRED = "expired"
    ADJUSTED = "adjusted"
    AWARD_REVOKED = "award_revoked"


@dataclass(frozen=True, slots=True)
class BalanceView:
    """Points an account held at ``at``: spendable now, pending (inside a return window)."""

    at: datetime
    spendable: int
    pending: int


@dataclass(frozen=True, slots=True)
class ExpiryView:
    expires_at: datetime
    points: int


@dataclass(frozen=True, slots=True)
class LoyaltyAccountView:
    customer_id: UUID
    account_id: UUID
    enrolled_at: datetime
    tier: str
    tier_since: datetime
    balance: BalanceView
    qualifying_points: int
    """Points earned in the trailing 12 months (after clawbacks): what tiers follow."""
    next_tier: str | None
    points_to_next_tier: int | None
    next_expiry: ExpiryView | None
    points_earned: int
    points_redeemed: int
    points_expired: int


@dataclass(frozen=True, slots=True)
class TransactionView:
    seq: int
    at: datetime
    kind: TransactionKind
    points: int
    """Signed change of the points the account holds."""
    order_id: str | None
    reward_id: UUID | None
    reward_name: str | None
    redemption_id: UUID | None
    rule_ids: list[str]
    award: str | None
    reason: str | None
    unrecovered: int
    actor_id: str
    actor_role: str
    channel: str


@dataclass(frozen=True, slots=True)
class TransactionPage:
    """Newest first; the next page holds the transactions with ``seq`` below the last one."""

    items: list[TransactionView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class TierChangeView:
    seq: int
    at: datetime
    from_tier: str
    to_tier: str
    qualifying_points: int


@dataclass(frozen=True, slots=True)
class RewardView:
    reward_id: UUID
    seq: int
    name: str
    description: str
    kind: str
    cost_points: int
    stock: int | None
    min_tier: str | None
    retired: bool
    added_at: datetime
    redemptions: int


@dataclass(frozen=True, slots=True)
class RewardPage:
    """In the order rewards were added; the next page holds those with ``seq`` above."""

    items: list[RewardView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class EarningRuleView:
    rule_id: UUID
    name: str
    kind: str
    definition: dict[str, Any]
    defined_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProgramTermsView:
    points_lifetime_days: int
    return_window_days: int
    changed_at: datetime | None
    """None: the program still runs on its default terms."""


@dataclass(frozen=True, slots=True)
class ProgramMetricsView:
    at: datetime
    customers: int
    members: int
    enrolment_rate: float | None
    """Members as a percentage (0-100) of registered customers."""
    active_members: int
    """Members who earned or redeemed in the 90 days before ``at``."""
    points_earned: int
    points_redeemed: int
    redemption_rate: float | None
    """Points redeemed (net of reversals) as a percentage of points earned."""
    points_liability: int
    """Points outstanding: held by members and not yet expired (pending included)."""
    repeat_purchase_rate_members: float | None
    """Percentage of members with two or more orders."""
    repeat_purchase_rate_non_members: float | None
