"""The Reward aggregate: one item of the rewards catalog, with its cost, stock and tier.

A reward with limited stock records each claim in its own stream, so two redemptions of the
last item collide on its version and stock can never go below zero; a reward without a stock
limit records nothing per redemption (its stream stays short).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.loyalty.errors import OutOfStockError, RewardUnavailableError, TierTooLowError
from domain.loyalty.values import (
    RewardKind,
    Tier,
    benefits_of,
    check_description,
    check_name,
    check_points,
)
from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ValidationError

MAX_STOCK = 1_000_000
"""The most items a reward holds, added at once or by restocking."""


class Reward(LedgerAggregate):
    """Something members can spend points on."""

    class Added(LedgerAggregate.Created):
        """A reward joined the catalog; ``stock`` None means unlimited."""

        name: str
        description: str
        kind: str
        cost_points: int
        stock: int | None
        min_tier: str | None
        at: datetime

        def apply(self, reward: Reward) -> None:
            reward.name, reward.description = self.name, self.description
            reward.kind = RewardKind(self.kind)
            reward.cost_points, reward.stock = self.cost_points, self.stock
            reward.min_tier = None if self.min_tier is None else Tier(self.min_tier)
            reward.retired = False

    class Changed(LedgerAggregate.Event):
        """Name, description, cost or tier restriction changed (for redemptions from now on)."""

        name: str
        description: str
        cost_points: int
        min_tier: str | None
        at: datetime

        def apply(self, reward: Reward) -> None:
            reward.name, reward.description = self.name, self.description
            reward.cost_points = self.cost_points
            reward.min_tier = None if self.min_tier is None else Tier(self.min_tier)

    class Restocked(LedgerAggregate.Event):
        quantity: int
        at: datetime

        def apply(self, reward: Reward) -> None:
            reward.stock = (reward.stock or 0) + self.quantity

    class Retired(LedgerAggregate.Event):
        """No more redemptions; past ones stand."""

        at: datetime

        def apply(self, reward: Reward) -> None:
            reward.retired = True

    class Claimed(LedgerAggregate.Event):
        """One item of a stocked reward went to a redemption."""

        redemption_id: UUID
        at: datetime

        def apply(self, reward: Reward) -> None:
            assert reward.stock is not None
            reward.stock -= 1

    class Returned(LedgerAggregate.Event):
        """A reversed redemption gave its item back."""

        redemption_id: UUID
        at: datetime

        def apply(self, reward: Reward) -> None:
            assert reward.stock is not None
            reward.stock += 1

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    name: str
    description: str
    kind: RewardKind
    cost_points: int
    stock: int | None
    min_tier: Tier | None
    retired: bool

    @classmethod
    def add(
        cls,
        reward_id: UUID,
        *,
        name: str,
        description: str,
        kind: RewardKind,
        cost_points: int,
        stock: int | None,
        min_tier: Tier | None,
        at: datetime,
    ) -> Reward:
        return cls._create(
            cls.Added,
            id=reward_id,
            name=check_name(name),
            description=check_description(description),
            kind=kind.value,
            cost_points=check_points(cost_points, "costPoints"),
            stock=None if stock is None else _check_stock(stock, "stock", allow_zero=True),
            min_tier=None if min_tier is None else min_tier.value,
            at=at,
        )

    def change(
        self, name: str, description: str, cost_points: int, min_tier: Tier | None, at: datetime
    ) -> None:
        changed = (
            check_name(name),
            check_description(description),
            check_points(cost_points, "costPoints"),
            min_tier,
        )
        if changed == (self.name, self.description, self.cost_points, self.min_tier):
            return
        self._check_active()
        self.trigger_event(
            self.Changed,
            name=changed[0],
            description=changed[1],
            cost_points=changed[2],
            min_tier=None if min_tier is None else min_tier.value,
            at=at,
        )

    def restock(self, quantity: int, at: datetime) -> None:
        self._check_active()
        if self.stock is None:
            raise ValidationError("this reward has no stock limit", field="quantity")
        _check_stock(quantity, "quantity")
        if self.stock + quantity > MAX_STOCK:
            raise ValidationError(
                f"a reward holds at most {MAX_STOCK} items; {self.stock} are in stock",
                field="quantity",
            )
        self.trigger_event(self.Restocked, quantity=quantity, at=at)

    def retire(self, at: datetime) -> None:
        if not self.retired:
            self.trigger_event(self.Retired, at=at)

    def claim(self, redemption_id: UUID, tier: Tier, at: datetime) -> None:
        """Check the reward can go to a member of ``tier``; take one item if stocked."""
        self._check_active()
        if self.min_tier is not None and benefits_of(tier).rank < benefits_of(self.min_tier).rank:
            raise TierTooLowError(
                f"this reward is for {self.min_tier.value} members and above", field="rewardId"
            )
        if self.stock is None:
            return
        if self.stock <= 0:
            raise OutOfStockError("this reward is out of stock", field="rewardId")
        self.trigger_event(self.Claimed, redemption_id=redemption_id, at=at)

    def give_back(self, redemption_id: UUID, at: datetime) -> None:
        if self.stock is not None:
            self.trigger_event(self.Returned, redemption_id=redemption_id, at=at)

    def _check_active(self) -> None:
        if self.retired:
            raise RewardUnavailableError("this reward was retired", field="rewardId")


def _check_stock(quantity: int, field: str, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    if not low <= quantity <= MAX_STOCK:
        raise ValidationError(f"{field} must be between {low} and {MAX_STOCK}", field=field)
    return quantity
