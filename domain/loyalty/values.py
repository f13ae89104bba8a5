"""Values of the loyalty program: tiers and their benefits, rules, rewards, limits."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.purchase.values import CURRENCY_MINOR_UNITS
from domain.shared.errors import ValidationError

MAX_POINTS = 10_000_000
"""The most points one command may move: a typo guard, far above any real transaction."""
MAX_ORDER_POINTS = 1_000_000_000_000
"""The most points one order earns, whatever the rules say (the earning is then marked capped):
the largest purchase the product accepts (10,000,000,000.00) at a generous rate still earns in
full, and a statement's sums stay far inside 64 bits."""
MAX_REASON = 500
MAX_NAME = 120
MAX_DESCRIPTION = 2_000
TIER_WINDOW = timedelta(days=365)
"""Tiers follow the points earned (from purchases and bonuses) in this trailing window."""


class Tier(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"


class SupportPriority(StrEnum):
    """The ticket priority a tier's members get by default."""

    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class TierBenefits:
    """What a tier takes and gives. The earning multiplier per tier is an earning rule."""

    tier: Tier
    threshold: int
    """Points earned in the trailing window needed to hold the tier."""
    support_priority: SupportPriority
    rank: int
    """Order of tiers: a reward restricted to a tier is open to it and every higher one."""


TIERS: tuple[TierBenefits, ...] = (
    TierBenefits(Tier.BRONZE, 0, SupportPriority.NORMAL, 0),
    TierBenefits(Tier.SILVER, 1_000, SupportPriority.HIGH, 1),
    TierBenefits(Tier.GOLD, 5_000, SupportPriority.URGENT, 2),
)


def benefits_of(tier: Tier) -> TierBenefits:
    return next(t for t in TIERS if t.tier == tier)


def tier_for(qualifying_points: int) -> Tier:
    """The highest tier whose threshold the points reach."""
    return [t.tier for t in TIERS if qualifying_points >= t.threshold][-1]


def next_tier(tier: Tier) -> TierBenefits | None:
    rank = benefits_of(tier).rank
    return next((t for t in TIERS if t.rank == rank + 1), None)


class RewardKind(StrEnum):
    DISCOUNT = "discount"
    FREE_PRODUCT = "free_product"
    EARLY_ACCESS = "early_access"
    EXPERIENCE = "experience"


class RuleKind(StrEnum):
    BASE_RATE = "base_rate"
    """Points per whole unit of a currency (or of any currency without a rate of its own)."""
    MULTIPLIER = "multiplier"
    """Multiplies the points of purchases matching a tier, a product category or a channel."""
    FIRST_PURCHASE_BONUS = "first_purchase_bonus"
    """Extra points for the first purchase that earns on an account."""
    CAP = "cap"
    """At most so many points from purchases per day, month or year."""


class RuleDimension(StrEnum):
    TIER = "tier"
    CATEGORY = "category"
    CHANNEL = "channel"


class CapPeriod(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"

    def key(self, at: datetime) -> str:
        """The calendar period (UTC) ``at`` falls in, e.g. ``month:2026-11``."""
        pattern = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[self.value]
        return f"{self.value}:{at.strftime(pattern)}"


@dataclass(frozen=True, slots=True)
class EarningRule:
    """One rule of the earning rule book; only the fields of its kind matter."""

    rule_id: UUID
    name: str
    kind: RuleKind
    points_per_unit: int = 0
    currency: str | None = None
    dimension: RuleDimension | None = None
    match: str | None = None
    percent: int = 100
    bonus_points: int = 0
    period: CapPeriod | None = None
    max_points: int = 0

    def checked(self) -> EarningRule:
        check_name(self.name)
        checks = {
            RuleKind.BASE_RATE: self._check_base_rate,
            RuleKind.MULTIPLIER: self._check_multiplier,
            RuleKind.FIRST_PURCHASE_BONUS: lambda: check_points(self.bonus_points, "bonusPoints"),
            RuleKind.CAP: self._check_cap,
        }
        checks[self.kind]()
        return self

    def _check_base_rate(self) -> None:
        check_points(self.points_per_unit, "pointsPerUnit")
        if self.currency is not None and self.currency not in CURRENCY_MINOR_UNITS:
            # Exact codes only: a lower-case or unknown code would never match an order.
            raise ValidationError(f"unknown currency {self.currency[:8]!r}", field="currency")

    def _check_multiplier(self) -> None:
        if self.dimension is None or not self.match:
            raise ValidationError("a multiplier names a dimension and a value", field="match")
        check_name(self.match, "match")
        if self.dimension is RuleDimension.TIER and self.match not in set(Tier):
            raise ValidationError(f"unknown tier {self.match[:20]!r}", field="match")
        if not 1 <= self.percent <= 1_000:
            raise ValidationError("percent must be between 1 and 1000", field="percent")

    def _check_cap(self) -> None:
        if self.period is None:
            raise ValidationError("a cap names its period", field="period")
        check_points(self.max_points, "maxPoints")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EarningRule:
        return cls(
            **{
                **data,
                "kind": RuleKind(data["kind"]),
                "dimension": data["dimension"] and RuleDimension(data["dimension"]),
                "period": data["period"] and CapPeriod(data["period"]),
            }
        )


@dataclass(frozen=True, slots=True)
class ProgramTerms:
    """How long points live, and how long purchase points stay pending (the return window)."""

    points_lifetime_days: int = 365
    return_window_days: int = 14

    def checked(self) -> ProgramTerms:
        if not 1 <= self.points_lifetime_days <= 3_650:
            raise ValidationError("points live 1 to 3650 days", field="pointsLifetimeDays")
        if not 0 <= self.return_window_days < self.points_lifetime_days:
            raise ValidationError(
                "the return window is 0 days or more, and shorter than the points' lifetime",
                field="returnWindowDays",
            )
        return self


def check_points(points: int, field: str = "points") -> int:
    if not 1 <= points <= MAX_POINTS:
        raise ValidationError(f"{field} must be between 1 and {MAX_POINTS}", field=field)
    return points


def check_reason(reason: str, field: str = "reason") -> str:
    text = reason.strip()
    if not text:
        raise ValidationError("say why", field=field)
    if len(text) > MAX_REASON or "\x00" in text:
        raise ValidationError(f"{field} is at most {MAX_REASON} characters", field=field)
    return text


def check_name(name: str, field: str = "name") -> str:
    text = name.strip()
    if not text or len(text) > MAX_NAME or "\x00" in text:
        raise ValidationError(f"{field} must be 1 to {MAX_NAME} characters", field=field)
    return text


def check_description(text: str) -> str:
    if len(text) > MAX_DESCRIPTION or "\x00" in text:
        raise ValidationError(
            f"description is at most {MAX_DESCRIPTION} characters", field="description"
        )
    return text.strip()
