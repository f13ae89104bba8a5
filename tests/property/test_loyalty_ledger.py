"""Property: whatever members do, every point is accounted for.

Random sequences of purchases (earning through the rule book), redemptions, reversals, refunds
(claw-backs), expiries, adjustments and the passing of time, on an in-memory ledger. After every
step, recomputed from the events alone, independently of the aggregate's own arithmetic:
the points held equal the sum of the ledger's signed movements; no lot holds less than zero or
more than it brought; the balance is never negative; every spend drew from the soonest-expiring
spendable lots first; and an expiry leaves nothing past its time.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.commands import AddReward
from domain.loyalty.values import EarningRule, ProgramTerms, RewardKind, RuleKind
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.ledgers import in_memory_ledger

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
SYSTEM = EventMetadata.system("loyalty-earning")
T0 = datetime(2025, 1, 1, tzinfo=UTC)
COSTS = (20, 60, 150)

Step = tuple[str, int, int]
# Each step is (what, a number, a percentage); kinds repeat to weight the mix towards
# earning, spending and time passing, which make the other steps meaningful.
KINDS = ("buy", "buy", "adjust", "wait", "wait", "redeem", "redeem", "reverse", "refund", "expire")
steps = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 600), st.integers(1, 100)),
    min_size=5,
    max_size=40,
)


class Member:
    """One member's ledger, driven by the steps, with the clock the steps move."""

    def __init__(self) -> None:
        self.ledger: Ledger = in_memory_ledger()
        admin = EventMetadata(actor_id="admin", actor_role=Role.ADMIN, channel=Channel.WEB)
        rate = EarningRule(uuid4(), "1 per euro", RuleKind.BASE_RATE, points_per_unit=1)
        self.ledger.define_earning_rule(rate, admin, now=T0)
        self.ledger.change_program_terms(ProgramTerms(90, 5), admin, now=T0)
        self.rewards = {
            cost: self.ledger.add_reward(
                AddReward(f"reward {cost}", RewardKind.DISCOUNT, cost), admin, now=T0
            ).aggregate_id
            for cost in COSTS
        }
        ada = RegisterCustomer("Ada", "ada@example.org")
        self.customer_id = self.ledger.register_customer(ada, AGENT).aggregate_id
        self.ledger.enrol_in_loyalty(self.customer_id, AGENT, now=T0)
        self.now = T0
        self.orders: list[str] = []
        self.redemptions: list[UUID] = []

    def account(self) -> LoyaltyAccount:
        return self.ledger.get_loyalty_account(self.customer_id)

    def run(self, step: Step) -> None:
        # A refusal (not enough points, already reversed...) writes nothing: checked after.
        with contextlib.suppress(DomainError):
            getattr(self, f"do_{step[0]}")(step[1], step[2])

    def do_buy(self, euros: int, _: int) -> None:
        order = f"o-{len(self.orders)}"
        self.ledger.record_purchase(
            RecordPurchase(self.customer_id, order, str(euros), "EUR", PurchaseChannel.WEB, T0),
            AGENT,
        )
        self.orders.append(order)
        self.ledger.earn_points_for_order(order, SYSTEM, now=self.now)

    def do_wait(self, hours: int, _: int) -> None:
        self.now += timedelta(hours=hours * 2)  # up to 50 days

    def do_redeem(self, n: int, _: int) -> None:
        reward = self.rewards[COSTS[n % len(COSTS)]]
        before = self.account()
        done = self.ledger.redeem_reward(self.customer_id, reward, AGENT, now=self.now)
        self.redemptions.append(done.redemption_id)
        check_fifo(before, self.account(), self.now)

    def do_reverse(self, index: int, _: int) -> None:
        if self.redemptions:
            chosen = self.redemptions[index % len(self.redemptions)]
            self.ledger.reverse_redemption(self.customer_id, chosen, "returned", AGENT, self.now)

    def do_refund(self, index: int, percent: int) -> None:
        if self.orders:
            order = self.orders[index % len(self.orders)]
            left = self.ledger.get_purchase(order).refundable_minor
            amount = max(1, left * percent // 100)
            self.ledger.refund_purchase(order, f"{amount / 100:.2f}", AGENT)
            self.ledger.claw_back_points_for_order(order, SYSTEM, now=self.now)

    def do_expire(self, _: int, __: int) -> None:
        self.ledger.expire_points(self.customer_id, SYSTEM, now=self.now)
        assert all(
            lot["remaining"] == 0
            for lot in self.account().lots.values()
            if lot["expires_at"] <= self.now
        )

    def do_adjust(self, points: int, percent: int) -> None:
        signed = -(points // 2) if percent <= 25 else points  # a quarter remove points
        self.ledger.adjust_points(self.customer_id, signed, "correction", AGENT, now=self.now)


def check_fifo(before: LoyaltyAccount, after: LoyaltyAccount, at: datetime) -> None:
    """A spend left no points in a spendable lot that expires sooner than one it drew from."""
    drawn = [
        lot_id
        for lot_id, lot in before.lots.items()
        if after.lots[lot_id]["remaining"] < lot["remaining"]
    ]
    latest = max(before.lots[lot_id]["expires_at"] for lot_id in drawn)
    for lot_id, lot in after.lots.items():
        was = before.lots.get(lot_id)
        spendable = was is not None and was["available_at"] <= at < was["expires_at"]
        if spendable and lot["expires_at"] < latest:
            assert lot["remaining"] == 0, "a sooner-expiring lot was passed over"


def new_lot(event: object) -> tuple[UUID, int] | None:
    """The lot an event creates: an earning, or an adjustment that adds points."""
    if isinstance(event, LoyaltyAccount.PointsEarned | LoyaltyAccount.PointsAdjusted):
        return None if event.lot_id is None else (event.lot_id, event.points)
    return None


def ledger_movements(member: Member) -> tuple[int, dict[UUID, int]]:
    """From the events alone: net points held, and each lot's remainder."""
    events = list(member.ledger.repository.event_store.get(member.account().id))
    held, per_lot = 0, defaultdict[UUID, int](int)
    for event in events:
        created = new_lot(event)
        if created is not None:
            held += created[1]
            per_lot[created[0]] += created[1]
        sign = +1 if isinstance(event, LoyaltyAccount.RedemptionReversed) else -1
        for draw in getattr(event, "draws", []):
            held += sign * draw["points"]
            per_lot[draw["lot_id"]] += sign * draw["points"]
    return held, dict(per_lot)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_every_point_is_accounted_for(sequence: list[Step]) -> None:
    member = Member()
    for step in sequence:
        member.run(step)
        account = member.account()
        held, per_lot = ledger_movements(member)
        assert held == sum(lot["remaining"] for lot in account.lots.values())
        for lot in account.lots.values():
            assert lot["remaining"] == per_lot[lot["lot_id"]]
            assert 0 <= lot["remaining"] <= lot["points"]
        assert account.balance(member.now) >= 0
        assert account.pending(member.now) >= 0
