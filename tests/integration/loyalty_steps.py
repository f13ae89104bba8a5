"""Steps shared by the loyalty process manager and job tests, on a real ledger."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.values import EarningRule, ProgramTerms, RuleKind
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.process_manager_runner import ProcessManagerRunner
from projections.tracking import all_positions

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
# Purchases must lie in the past, so the story starts 30 days ago.
T0 = (datetime.now(UTC) - timedelta(days=30)).replace(hour=0, minute=0, second=0, microsecond=0)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def one_point_per_euro(ledger: Ledger, terms: ProgramTerms | None = None) -> None:
    rule = EarningRule(uuid4(), "1 point per euro", RuleKind.BASE_RATE, points_per_unit=1)
    ledger.define_earning_rule(rule, ADMIN, now=day(-10))
    if terms is not None:
        ledger.change_program_terms(terms, ADMIN, now=day(-10))


def customer(ledger: Ledger, email: str, *, member: bool = True) -> UUID:
    customer_id = ledger.register_customer(RegisterCustomer("Ada", email), AGENT).aggregate_id
    if member:
        ledger.enrol_in_loyalty(customer_id, AGENT, now=day(-5))
    return customer_id


def bought(ledger: Ledger, customer_id: UUID, amount: str, at: datetime = T0) -> str:
    order_id = f"order-{uuid4().hex[:10]}"
    command = RecordPurchase(customer_id, order_id, amount, "EUR", PurchaseChannel.WEB, at)
    ledger.record_purchase(command, AGENT)
    return order_id


def account_events(ledger: Ledger, customer_id: UUID) -> list[object]:
    return list(ledger.events.get(LoyaltyAccount.id_for(customer_id)))


def earned_for(
    ledger: Ledger, customer_id: UUID, order_id: str
) -> list[LoyaltyAccount.PointsEarned]:
    return [
        event
        for event in account_events(ledger, customer_id)
        if isinstance(event, LoyaltyAccount.PointsEarned)
        and event.cause.get("order_id") == order_id
    ]


def catch_up(runner: ProcessManagerRunner, database: Database) -> int:
    with database.connect() as conn:
        return runner.catch_up(conn)


def position_of(database: Database, name: str) -> int:
    with database.connect() as conn:
        return all_positions(conn).get(name, 0)


def wait_until(condition: Callable[[], bool], deadline_seconds: float = 20.0) -> None:
    """Poll (bounded) until ``condition`` holds; the asserts that follow say whether it did."""
    deadline = time.monotonic() + deadline_seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
