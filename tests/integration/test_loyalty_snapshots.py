"""A long-lived loyalty account loads from a snapshot plus the events after it, and that
state is exactly the state a full replay of its events gives (on a real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.commands import AddReward
from domain.loyalty.values import RewardKind
from domain.shared.metadata import Channel, EventMetadata, Role

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def replayed(ledger: Ledger, account_id: Any) -> LoyaltyAccount:
    aggregate: Any = None
    for event in ledger.events.get(account_id):
        aggregate = cast(Any, event).mutate(aggregate)
    assert isinstance(aggregate, LoyaltyAccount)
    return aggregate


def test_an_account_past_the_interval_loads_from_its_snapshot_with_the_same_state(
    ledger: Ledger,
) -> None:
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    customer_id = ada.aggregate_id
    ledger.enrol_in_loyalty(customer_id, AGENT, now=T0)
    coffee = ledger.add_reward(AddReward("Coffee", RewardKind.FREE_PRODUCT, 5), AGENT, now=T0)
    for day in range(130):  # 1 enrolment + 130 days of a gift and most days a coffee
        at = T0 + timedelta(days=day)
        ledger.adjust_points(customer_id, 7, "daily gift", AGENT, now=at)
        if day % 4:
            ledger.redeem_reward(customer_id, coffee.aggregate_id, AGENT, now=at)

    account = ledger.get_loyalty_account(customer_id)
    assert ledger.snapshots is not None
    snapshots = list(ledger.snapshots.get(account.id, desc=True, limit=1))
    assert snapshots and snapshots[0].originator_version == 200
    full = replayed(ledger, account.id)
    assert account.version == full.version > 200
    for name in ("lots", "redemptions", "orders", "earned_by_period", "tier_name"):
        assert getattr(account, name) == getattr(full, name), name
    assert account.balance(T0 + timedelta(days=130)) == full.balance(T0 + timedelta(days=130))
