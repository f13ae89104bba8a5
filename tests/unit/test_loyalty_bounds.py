"""Loyalty values stay within documented bounds, so every read model column holds them: an
order earns at most MAX_ORDER_POINTS whatever the rules, and a reward holds at most MAX_STOCK
items however often it is restocked."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.loyalty.commands import AddReward
from domain.loyalty.earning import OrderFacts, compute_earning
from domain.loyalty.reward import MAX_STOCK
from domain.loyalty.values import (
    MAX_ORDER_POINTS,
    MAX_POINTS,
    EarningRule,
    RewardKind,
    RuleDimension,
    RuleKind,
    Tier,
)
from domain.purchase.values import MAX_AMOUNT_MINOR
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.ledgers import in_memory_ledger

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AT = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def test_the_biggest_purchase_at_the_highest_rate_earns_the_ceiling_marked_capped() -> None:
    rules = [
        EarningRule(uuid4(), "rich", RuleKind.BASE_RATE, points_per_unit=MAX_POINTS),
        *(
            EarningRule(uuid4(), "x10", RuleKind.MULTIPLIER, dimension=dim, match=m, percent=1000)
            for dim, m in ((RuleDimension.CHANNEL, "web"), (RuleDimension.TIER, "gold"))
        ),
    ]
    order = OrderFacts("order-1", MAX_AMOUNT_MINOR, "EUR", "web")
    earning = compute_earning(order, rules, Tier.GOLD, True, {}, AT)
    assert (earning.points, earning.capped) == (MAX_ORDER_POINTS, True)


def test_an_earning_below_the_ceiling_is_not_touched() -> None:
    rate = EarningRule(uuid4(), "1 per euro", RuleKind.BASE_RATE, points_per_unit=1)
    order = OrderFacts("order-1", 300_000_000_000, "EUR", "web")  # 3,000,000,000.00 EUR
    earning = compute_earning(order, [rate], Tier.BRONZE, False, {}, AT)
    assert (earning.points, earning.capped) == (3_000_000_000, False)


def test_restocking_beyond_the_most_a_reward_holds_is_refused_naming_the_quantity() -> None:
    ledger = in_memory_ledger()
    command = AddReward("Mug", RewardKind.FREE_PRODUCT, 10, stock=MAX_STOCK - 5)
    mug = ledger.add_reward(command, ADMIN, now=AT).aggregate_id
    ledger.change_reward(mug, lambda r, at: r.restock(5, at), ADMIN, now=AT)
    with pytest.raises(ValidationError) as refused:
        ledger.change_reward(mug, lambda r, at: r.restock(1, at), ADMIN, now=AT)
    assert refused.value.field == "quantity"
    assert ledger.get_reward(mug).stock == MAX_STOCK
