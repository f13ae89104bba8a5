"""Loyalty set-ups that tests of other features need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import EarningRule, RewardKind, RuleKind, Tier
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)


def make_silver(ledger: Ledger, customer_id: UUID, now: datetime | None = None) -> None:
    """Enrol the customer (if not yet a member) and earn them 1,500 points: silver."""
    at = now or datetime.now(UTC)
    rule = EarningRule(uuid4(), "1 per euro", RuleKind.BASE_RATE, points_per_unit=1)
    ledger.define_earning_rule(rule, ADMIN, now=at)
    if ledger.loyalty_tier(customer_id) is None:
        ledger.enrol_in_loyalty(customer_id, AGENT, now=at)
    order = f"silver-{customer_id.hex[:8]}"
    purchase = RecordPurchase(customer_id, order, "1500", "EUR", PurchaseChannel.WEB, at)
    ledger.record_purchase(purchase, AGENT)
    ledger.earn_points_for_order(order, AGENT, now=at)
    assert ledger.loyalty_tier(customer_id) is Tier.SILVER


def busy_member(ledger: Ledger, customer_id: UUID, round_: int = 1) -> None:
    """Many changes of one account, close together in the log: enrolled (if not yet), a year-old
    order earns silver, its points expire (bronze again), then orders earn, a reward is
    redeemed, a redemption reversed with a reason, points adjusted both ways (reasons are the
    customer's personal data), a refund claws points back."""
    now = datetime.now(UTC)
    year_ago = now - timedelta(days=400)
    ledger.define_earning_rule(
        EarningRule(uuid4(), f"1 per euro {round_}", RuleKind.BASE_RATE, points_per_unit=1),
        ADMIN, now=year_ago,
    )  # fmt: skip
    reward = AddReward(f"Mug {round_}", RewardKind.FREE_PRODUCT, 20, stock=5)
    reward_id = ledger.add_reward(reward, ADMIN, now=year_ago).aggregate_id
    if ledger.loyalty_tier(customer_id) is None:
        ledger.enrol_in_loyalty(customer_id, AGENT, now=year_ago)
    old = f"busy-{customer_id.hex[:8]}-{round_}-old"
    purchase = RecordPurchase(customer_id, old, "1500", "EUR", PurchaseChannel.WEB, year_ago)
    ledger.record_purchase(purchase, AGENT)
    ledger.earn_points_for_order(old, AGENT, now=year_ago)
    ledger.expire_points(customer_id, AGENT, now=now)
    for n in range(3):
        order = f"busy-{customer_id.hex[:8]}-{round_}-{n}"
        bought = now - timedelta(days=30 - n)
        purchase = RecordPurchase(customer_id, order, "40", "EUR", PurchaseChannel.WEB, bought)
        ledger.record_purchase(purchase, AGENT)
        ledger.earn_points_for_order(order, AGENT, now=bought)
    ledger.redeem_reward(customer_id, reward_id, AGENT, now=now)
    reversed_ = ledger.redeem_reward(customer_id, reward_id, AGENT, now=now).redemption_id
    ledger.reverse_redemption(customer_id, reversed_, f"Changed my mind {round_}", AGENT, now=now)
    ledger.adjust_points(customer_id, 15, f"Goodwill {round_}", AGENT, now=now)
    ledger.adjust_points(customer_id, -5, f"Double credit {round_}", AGENT, now=now)
    ledger.refund_purchase(f"busy-{customer_id.hex[:8]}-{round_}-0", "20", AGENT)
    ledger.claw_back_points_for_order(f"busy-{customer_id.hex[:8]}-{round_}-0", AGENT, now=now)
