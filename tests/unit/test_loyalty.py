"""Loyalty accounts, earning rules, rewards, expiry and tiers, given-when-then, in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.commands import AddReward
from domain.loyalty.errors import (
    AlreadyEnrolledError,
    IdempotencyKeyReusedError,
    InsufficientPointsError,
    LoyaltyAccountNotFoundError,
    OutOfStockError,
    RedemptionAlreadyReversedError,
    RewardUnavailableError,
    TierTooLowError,
)
from domain.loyalty.values import (
    CapPeriod,
    EarningRule,
    ProgramTerms,
    RewardKind,
    RuleDimension,
    RuleKind,
    Tier,
)
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.ledgers import in_memory_ledger

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
SYSTEM = EventMetadata.system("loyalty-earning")
T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
SPENDABLE = T0 + timedelta(days=15)  # after the default 14-day return window


@pytest.fixture
def ledger() -> Ledger:
    ledger = in_memory_ledger()
    rate = EarningRule(uuid4(), "1 point per euro", RuleKind.BASE_RATE, points_per_unit=1)
    ledger.define_earning_rule(rate, ADMIN, now=T0)
    return ledger


def member(ledger: Ledger, email: str = "ada@example.org") -> UUID:
    customer_id = ledger.register_customer(RegisterCustomer("Ada", email), AGENT).aggregate_id
    ledger.enrol_in_loyalty(customer_id, AGENT, now=T0)
    return customer_id


def bought(
    ledger: Ledger,
    customer_id: UUID,
    amount: str,
    order_id: str | None = None,
    at: datetime = T0,
    channel: PurchaseChannel = PurchaseChannel.WEB,
    items: list[OrderLineInput] | None = None,
) -> str:
    order = order_id or f"order-{uuid4().hex[:8]}"
    ledger.record_purchase(
        RecordPurchase(
            customer_id=customer_id,
            order_id=order,
            amount=amount,
            currency="EUR",
            channel=channel,
            purchased_at=at,
            items=items or [],
        ),
        AGENT,
    )
    ledger.earn_points_for_order(order, SYSTEM, now=at)
    return order


def reward(ledger: Ledger, cost: int, stock: int | None = None, tier: Tier | None = None) -> UUID:
    command = AddReward("Coffee", RewardKind.FREE_PRODUCT, cost, stock=stock, min_tier=tier)
    return ledger.add_reward(command, ADMIN, now=T0).aggregate_id


def account(ledger: Ledger, customer_id: UUID) -> LoyaltyAccount:
    return ledger.get_loyalty_account(customer_id)


def test_a_customer_has_one_account() -> None:
    ledger = in_memory_ledger()
    customer_id = member(ledger)
    with pytest.raises(AlreadyEnrolledError):
        ledger.enrol_in_loyalty(customer_id, AGENT, now=T0)


def test_a_purchase_earns_pending_points_that_become_spendable_after_the_return_window(
    ledger: Ledger,
) -> None:
    ada = member(ledger)
    bought(ledger, ada, "120.50")
    assert account(ledger, ada).pending(T0) == 120
    assert account(ledger, ada).balance(T0) == 0
    assert account(ledger, ada).balance(SPENDABLE) == 120


def test_earning_twice_for_one_order_credits_it_once(ledger: Ledger) -> None:
    ada = member(ledger)
    order = bought(ledger, ada, "50")
    assert ledger.earn_points_for_order(order, SYSTEM, now=T0) is None
    assert account(ledger, ada).pending(T0) == 50


def test_a_purchase_before_enrolling_earns_nothing(ledger: Ledger) -> None:
    bo = ledger.register_customer(RegisterCustomer("Bo", "bo@example.org"), AGENT).aggregate_id
    order = bought(ledger, bo, "80")
    assert ledger.earn_points_for_order(order, SYSTEM, now=T0) is None
    with pytest.raises(LoyaltyAccountNotFoundError):
        ledger.get_loyalty_account(bo)


def test_multipliers_by_category_channel_and_tier_and_a_first_purchase_bonus(
    ledger: Ledger,
) -> None:
    rules = [
        EarningRule(uuid4(), "shoes x2", RuleKind.MULTIPLIER, dimension=RuleDimension.CATEGORY,
                    match="shoes", percent=200),
        EarningRule(uuid4(), "app +50%", RuleKind.MULTIPLIER, dimension=RuleDimension.CHANNEL,
                    match="app", percent=150),
        EarningRule(uuid4(), "welcome", RuleKind.FIRST_PURCHASE_BONUS, bonus_points=25),
    ]  # fmt: skip
    for rule in rules:
        ledger.define_earning_rule(rule, ADMIN, now=T0)
    ada = member(ledger)
    lines = [OrderLineInput("SHOE-1", 1, "60", "shoes"), OrderLineInput("SOCK-1", 1, "40", "socks")]
    bought(ledger, ada, "100", channel=PurchaseChannel.APP, items=lines)
    # 100 EUR: shoes share 60 x2 + socks 40 = 160, x1.5 on the app = 240, + 25 welcome.
    assert account(ledger, ada).pending(T0) == 265
    bought(ledger, ada, "10", at=T0)
    assert account(ledger, ada).pending(T0) == 265 + 10


def test_a_cap_limits_points_per_period(ledger: Ledger) -> None:
    cap = EarningRule(uuid4(), "300 a month", RuleKind.CAP, period=CapPeriod.MONTH, max_points=300)
    ledger.define_earning_rule(cap, ADMIN, now=T0)
    ada = member(ledger)
    bought(ledger, ada, "200")
    bought(ledger, ada, "200")
    bought(ledger, ada, "200", at=T0 + timedelta(days=31))
    assert account(ledger, ada).pending(T0) == 300
    assert account(ledger, ada).pending(T0 + timedelta(days=31)) == 200


def test_redeeming_draws_from_the_soonest_expiring_lots(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "100", "first", at=T0)
    bought(ledger, ada, "100", "second", at=T0 + timedelta(days=1))
    coffee = reward(ledger, 150)
    later = T0 + timedelta(days=20)
    ledger.redeem_reward(ada, coffee, AGENT, now=later)
    redeemed = account(ledger, ada)
    remaining = sorted(lot["remaining"] for lot in redeemed.lots.values())
    assert remaining == [0, 50]
    assert redeemed.balance(later) == 50


def test_redeeming_more_than_the_balance_is_refused(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "100")
    coffee = reward(ledger, 150)
    with pytest.raises(InsufficientPointsError):
        ledger.redeem_reward(ada, coffee, AGENT, now=SPENDABLE)
    assert account(ledger, ada).redemptions == {}


def test_pending_points_cannot_be_spent(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "500")
    with pytest.raises(InsufficientPointsError):
        ledger.redeem_reward(ada, reward(ledger, 100), AGENT, now=T0 + timedelta(days=1))


def test_a_redemption_id_makes_a_retry_safe(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "300")
    coffee, key = reward(ledger, 100), uuid4()
    ledger.redeem_reward(ada, coffee, AGENT, redemption_id=key, now=SPENDABLE)
    ledger.redeem_reward(ada, coffee, AGENT, redemption_id=key, now=SPENDABLE)
    assert account(ledger, ada).balance(SPENDABLE) == 200
    with pytest.raises(IdempotencyKeyReusedError):
        ledger.redeem_reward(ada, reward(ledger, 50), AGENT, redemption_id=key, now=SPENDABLE)


def test_stock_never_goes_below_zero(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "1000")
    scarce = reward(ledger, 10, stock=1)
    ledger.redeem_reward(ada, scarce, AGENT, now=SPENDABLE)
    with pytest.raises(OutOfStockError):
        ledger.redeem_reward(ada, scarce, AGENT, now=SPENDABLE)
    assert ledger.get_reward(scarce).stock == 0
    assert account(ledger, ada).balance(SPENDABLE) == 990


def test_an_exclusive_reward_needs_the_tier(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "500")
    gold_only = reward(ledger, 10, tier=Tier.GOLD)
    with pytest.raises(TierTooLowError):
        ledger.redeem_reward(ada, gold_only, AGENT, now=SPENDABLE)


def test_reversing_a_redemption_restores_points_and_stock(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "100")
    scarce = reward(ledger, 60, stock=1)
    done = ledger.redeem_reward(ada, scarce, AGENT, now=SPENDABLE)
    ledger.reverse_redemption(ada, done.redemption_id, "item damaged", AGENT, now=SPENDABLE)
    assert account(ledger, ada).balance(SPENDABLE) == 100
    assert ledger.get_reward(scarce).stock == 1
    with pytest.raises(RedemptionAlreadyReversedError):
        ledger.reverse_redemption(ada, done.redemption_id, "again", AGENT, now=SPENDABLE)


def test_a_refund_claws_back_its_share_once(ledger: Ledger) -> None:
    ada = member(ledger)
    order = bought(ledger, ada, "200")
    ledger.refund_purchase(order, "50", AGENT, T0 + timedelta(days=2))
    ledger.claw_back_points_for_order(order, SYSTEM, now=T0 + timedelta(days=2))
    ledger.claw_back_points_for_order(order, SYSTEM, now=T0 + timedelta(days=2))
    assert account(ledger, ada).pending(T0 + timedelta(days=2)) == 150


def test_a_refund_of_spent_points_never_makes_the_balance_negative(ledger: Ledger) -> None:
    ada = member(ledger)
    order = bought(ledger, ada, "100")
    ledger.redeem_reward(ada, reward(ledger, 100), AGENT, now=SPENDABLE)
    ledger.refund_purchase(order, "100", AGENT, SPENDABLE)
    ledger.claw_back_points_for_order(order, SYSTEM, now=SPENDABLE)
    clawed = account(ledger, ada)
    assert clawed.balance(SPENDABLE) == 0
    assert clawed.qualifying_points(SPENDABLE) == 0


def test_points_expire_after_their_lifetime(ledger: Ledger) -> None:
    ledger.change_program_terms(ProgramTerms(90, 0), ADMIN, now=T0)
    ada = member(ledger)
    bought(ledger, ada, "100", at=T0)
    bought(ledger, ada, "40", at=T0 + timedelta(days=30))
    _, expired = ledger.expire_points(ada, SYSTEM, now=T0 + timedelta(days=90))
    assert expired == 100
    assert account(ledger, ada).balance(T0 + timedelta(days=90)) == 40
    _, again = ledger.expire_points(ada, SYSTEM, now=T0 + timedelta(days=90))
    assert again == 0


def test_an_adjustment_needs_a_reason_and_cannot_overdraw(ledger: Ledger) -> None:
    ada = member(ledger)
    with pytest.raises(ValidationError):
        ledger.adjust_points(ada, 50, "   ", AGENT, now=T0)
    ledger.adjust_points(ada, 50, "goodwill after a late delivery", AGENT, now=T0)
    with pytest.raises(InsufficientPointsError):
        ledger.adjust_points(ada, -60, "correction", AGENT, now=T0)
    ledger.adjust_points(ada, -20, "correction", AGENT, now=T0)
    adjusted = account(ledger, ada)
    assert adjusted.balance(T0) == 30
    assert adjusted.qualifying_points(T0) == 0  # goodwill does not buy a tier


def test_tiers_go_up_with_points_earned_and_down_when_they_age_out(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "1200", at=T0)
    assert account(ledger, ada).tier is Tier.SILVER
    bought(ledger, ada, "4000", at=T0 + timedelta(days=100))
    assert account(ledger, ada).tier is Tier.GOLD
    ledger.expire_points(ada, SYSTEM, now=T0 + timedelta(days=366))
    assert account(ledger, ada).tier is Tier.SILVER  # only the 4,000 remain in the window


def test_a_retired_reward_cannot_be_redeemed(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "100")
    coffee = reward(ledger, 10)
    ledger.change_reward(coffee, lambda r, at: r.retire(at), ADMIN, now=T0)
    with pytest.raises(RewardUnavailableError):
        ledger.redeem_reward(ada, coffee, AGENT, now=SPENDABLE)


def test_an_invalid_rule_is_refused(ledger: Ledger) -> None:
    bad = EarningRule(uuid4(), "no value", RuleKind.MULTIPLIER, dimension=RuleDimension.TIER,
                      match="platinum", percent=150)  # fmt: skip
    with pytest.raises(ValidationError):
        ledger.define_earning_rule(bad, ADMIN, now=T0)


def test_a_purchase_dated_before_enrolment_earns_nothing(ledger: Ledger) -> None:
    ada = member(ledger)  # enrolled at T0
    order = bought(ledger, ada, "300", at=T0 - timedelta(days=3))
    assert order not in account(ledger, ada).orders
    assert account(ledger, ada).pending(T0) == 0


def test_an_older_purchase_credited_late_does_not_drop_the_tier(ledger: Ledger) -> None:
    ada = member(ledger)
    bought(ledger, ada, "1200", at=T0 + timedelta(days=10))
    late = f"late-{uuid4().hex[:6]}"
    ledger.record_purchase(
        RecordPurchase(ada, late, "10", "EUR", PurchaseChannel.WEB, T0 + timedelta(days=1)), AGENT
    )
    ledger.earn_points_for_order(late, SYSTEM, now=T0 + timedelta(days=1))
    assert account(ledger, ada).tier is Tier.SILVER


BASE, MULTIPLIER = RuleKind.BASE_RATE, RuleKind.MULTIPLIER
CATEGORY, CHANNEL = RuleDimension.CATEGORY, RuleDimension.CHANNEL
BAD_RULES = [
    EarningRule(uuid4(), "nul currency", BASE, points_per_unit=1, currency="E\x00R"),
    EarningRule(uuid4(), "lower case", BASE, points_per_unit=1, currency="eur"),
    EarningRule(uuid4(), "huge", MULTIPLIER, dimension=CATEGORY, match="x" * 100_000, percent=150),
    EarningRule(uuid4(), "nul match", MULTIPLIER, dimension=CHANNEL, match="we\x00b", percent=150),
]


@pytest.mark.parametrize("rule", BAD_RULES, ids=[r.name for r in BAD_RULES])
def test_a_rule_with_a_bad_currency_or_match_is_refused(ledger: Ledger, rule: EarningRule) -> None:
    with pytest.raises(ValidationError):
        ledger.define_earning_rule(rule, ADMIN, now=T0)
