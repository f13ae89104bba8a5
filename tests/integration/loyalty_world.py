"""A small loyalty program driven by real commands, for the read model's tests: who did what
and when is in the docstring of each member of :class:`World`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID, uuid4

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import EarningRule, RewardKind, RuleKind
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from projections.loyalty.projection import LoyaltyStatements
from tests.support import read_models

T = TypeVar("T")
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
SYSTEM = EventMetadata.system("loyalty-earning")
# Purchases must lie in the past; registrations happen now, so the story starts 60 days ago.
T0 = (datetime.now(UTC) - timedelta(days=60)).replace(hour=0, minute=0, second=0, microsecond=0)
NOW = T0 + timedelta(days=62)
"""A day past the next midnight: registrations happen at the real time, after this module is
imported (a run that crosses midnight must still find them registered by ``NOW``)."""
DUE = T0 + timedelta(days=365, hours=1)  # the first order's points have expired


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def project(ledger: Ledger, database: Database, batch_size: int = 4) -> None:
    read_models.project(ledger, database, LoyaltyStatements(), batch_size)


@dataclass
class World:
    rule: UUID
    coffee: UUID  # 100 points, 3 in stock
    tote: UUID  # 50 points, unlimited
    ada: UUID  # member: silver then bronze again, redeems, reverses, refunds, adjustments
    bob: UUID  # member: redeems half his points, then his order is refunded in full
    eve: UUID  # member without activity
    cy: UUID  # not a member, two orders
    di: UUID  # not a member, one order


def register(ledger: Ledger, name: str) -> UUID:
    command = RegisterCustomer(name, f"{name.lower()}@example.org")
    return ledger.register_customer(command, AGENT).aggregate_id


def buy(ledger: Ledger, customer_id: UUID, order: str, amount: str, at: datetime) -> str:
    ledger.record_purchase(
        RecordPurchase(customer_id, order, amount, "EUR", PurchaseChannel.WEB, at), AGENT
    )
    ledger.earn_points_for_order(order, SYSTEM, now=at)
    return order


def refund(ledger: Ledger, order: str, amount: str, at: datetime) -> None:
    ledger.refund_purchase(order, amount, AGENT, refunded_at=at)
    ledger.claw_back_points_for_order(order, SYSTEM, now=at)


def populate(ledger: Ledger) -> World:
    rule = uuid4()
    ledger.define_earning_rule(
        EarningRule(rule, "1 point per euro", RuleKind.BASE_RATE, points_per_unit=1), ADMIN, T0
    )
    coffee = AddReward("Coffee", RewardKind.FREE_PRODUCT, 100, stock=3)
    tote = AddReward("Tote bag", RewardKind.FREE_PRODUCT, 50)
    w = World(
        rule, ledger.add_reward(coffee, ADMIN, T0).aggregate_id,
        ledger.add_reward(tote, ADMIN, T0).aggregate_id,
        *(register(ledger, name) for name in ("Ada", "Bob", "Eve", "Cy", "Di")),
    )  # fmt: skip
    for member in (w.ada, w.bob, w.eve):
        ledger.enrol_in_loyalty(member, AGENT, now=T0)
    buy(ledger, w.ada, "ada-1", "1200", T0)  # 1200 pending until day 14: silver
    buy(ledger, w.ada, "ada-2", "100", day(1))
    ledger.redeem_reward(w.ada, w.coffee, AGENT, now=day(20))
    tote_redemption = ledger.redeem_reward(w.ada, w.tote, AGENT, now=day(21)).redemption_id
    ledger.reverse_redemption(w.ada, tote_redemption, "wrong colour", AGENT, now=day(22))
    refund(ledger, "ada-2", "50", day(25))  # half of 100 points back
    ledger.adjust_points(w.ada, 30, "goodwill", AGENT, now=day(26))
    ledger.adjust_points(w.ada, -10, "double credit", AGENT, now=day(27))
    refund(ledger, "ada-1", "600", day(28))  # 650 qualifying points left: bronze again
    buy(ledger, w.bob, "bob-1", "100", T0)
    ledger.redeem_reward(w.bob, w.tote, AGENT, now=day(20))
    refund(ledger, "bob-1", "100", day(25))  # 100 due, 50 already spent
    for customer, orders in ((w.cy, 2), (w.di, 1)):
        for n in range(orders):
            buy(ledger, customer, f"{customer.hex[:6]}-{n}", "40", day(n))
    return w
