"""Loyalty set-ups that tests of other features need."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.ledger import Ledger
from domain.loyalty.values import EarningRule, RuleKind, Tier
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
