"""Property (real PostgreSQL): whatever the domain accepts, every read model and process
manager applies. Random accepted commands at and near the domain's bounds (the biggest purchase
in each kind of currency at the highest earning rate with every multiplier, refunds, the most
points an adjustment moves, many events on one account, a reward at its largest stock with the
dearest cost, referral rewards at their maximum, a much-escalated ticket, purchases on the
earliest accepted date, expiry run far in the future, a success plan at every bound, the
longest review, an order at every bound through every step) are followed by the process
managers, then by every projection of the registry, to the head of the log: nothing raises and
nothing is parked (issue 16: an accepted 3,000,000,000.00 EUR purchase stopped the loyalty
statements)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.billing.commands import RecordPaymentNotification
from domain.billing.values import NotificationKind
from domain.customer.commands import RegisterCustomer
from domain.exclusive_event.commands import RecordAttendance, RsvpToEvent, ScheduleEvent
from domain.exclusive_event.values import (
    MAX_CAPACITY,
    MAX_DURATION,
    MAX_PLACE,
    MAX_POINTS_FOR_ATTENDING,
    EventDetails,
)
from domain.exclusive_event.values import (
    MAX_TITLE as MAX_EVENT_TITLE,
)
from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.fulfilment.values import FulfilmentStep
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.reward import MAX_STOCK
from domain.loyalty.values import (
    MAX_POINTS,
    EarningRule,
    RewardKind,
    RuleDimension,
    RuleKind,
    Tier,
)
from domain.purchase.commands import EARLIEST_PURCHASE, OrderLineInput, RecordPurchase
from domain.purchase.values import MAX_AMOUNT_MINOR, PurchaseChannel, from_minor_units
from domain.referral.values import ReferralTerms
from domain.review.commands import ReviewProduct
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.success.commands import (
    CloseSuccessPlan,
    OpenSuccessPlan,
    ReachSuccessPlanMilestone,
    RecordSuccessPlanCheckIn,
)
from domain.success.values import (
    MAX_GOAL,
    MAX_GOALS,
    MAX_MILESTONE,
    MAX_NOTE,
    PlanOutcome,
)
from domain.success.values import (
    MAX_TITLE as MAX_PLAN_TITLE,
)
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from infrastructure.database import Database
from infrastructure.parking import RetryPolicy
from infrastructure.process_manager_runner import ALL_PROCESS_MANAGERS, process_manager_runners
from infrastructure.projection_runner import ProjectionRunner
from projections.parked import parked_events
from projections.registry import ALL_PROJECTIONS, build_projections
from projections.tracking import all_positions
from tests.support.ledgers import TEST_AUDIT_KEYS, postgres_ledger
from tests.support.postgres import fresh_database

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
SYSTEM = EventMetadata.system("jobs")
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
WHEN = {"earliest": EARLIEST_PURCHASE, "recent": NOW - timedelta(days=1)}
FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)  # the expiry job accepts any --now
AMOUNTS = {"largest": MAX_AMOUNT_MINOR, "just below": MAX_AMOUNT_MINOR - 1, "smallest": 1}
ONCE = RetryPolicy(max_attempts=1, backoff_seconds=0)  # a failure parks at once: fails the test

purchases = st.lists(
    st.tuples(
        st.sampled_from(["EUR", "JPY", "KWD"]),  # two, zero and three decimals
        st.sampled_from(sorted(AMOUNTS)),
        st.sampled_from(sorted(WHEN)),
        st.sampled_from([None, "part", "all"]),  # the refund
    ),
    min_size=1,
    max_size=3,
)


@pytest.fixture(scope="module")
def world(pg_admin: str) -> Iterator[tuple[Ledger, Database]]:
    """One database for every example (each uses customers of its own); referrals pay the
    most points the terms allow."""
    with fresh_database(pg_admin) as database, postgres_ledger(database) as ledger:
        terms = ReferralTerms(referrer_points=10_000_000, friend_points=10_000_000)
        ledger.change_referral_terms(terms, ADMIN, now=EARLIEST_PURCHASE)
        yield ledger, database


def register(ledger: Ledger, name: str) -> UUID:
    email = f"{name}-{uuid4().hex[:10]}@example.org"
    return ledger.register_customer(RegisterCustomer(name, email), AGENT).aggregate_id


def richest_rules(ledger: Ledger, rate: int, percent: int, bonus: int) -> None:
    """A base rate and a multiplier on every dimension, all at the chosen extremes."""
    rules = [
        EarningRule(uuid4(), "rate", RuleKind.BASE_RATE, points_per_unit=rate),
        EarningRule(uuid4(), "bonus", RuleKind.FIRST_PURCHASE_BONUS, bonus_points=bonus),
        *(
            EarningRule(uuid4(), f"x {match}", RuleKind.MULTIPLIER, dimension=dimension,
                        match=match, percent=percent)
            for dimension, match in (
                (RuleDimension.CHANNEL, "web"), (RuleDimension.TIER, "gold"),
                (RuleDimension.TIER, "bronze"), (RuleDimension.CATEGORY, "big"),
            )
        ),
    ]  # fmt: skip
    for rule in rules:
        ledger.define_earning_rule(rule, ADMIN, now=EARLIEST_PURCHASE)


def buy(ledger: Ledger, customer: UUID, purchase: tuple[str, str, str, str | None]) -> None:
    currency, amount, when, refund = purchase
    price = str(from_minor_units(AMOUNTS[amount], currency))
    order = f"order-{uuid4().hex}"
    line = OrderLineInput("SKU-1", 100_000, price, "big")  # the most units at the top price
    command = RecordPurchase(
        customer, order, price, currency, PurchaseChannel.WEB, WHEN[when], [line]
    )
    ledger.record_purchase(command, AGENT)
    if refund is not None:
        part = None if refund == "all" else str(from_minor_units(1, currency))
        ledger.refund_purchase(order, part, AGENT, refunded_at=WHEN[when])


def adjust_and_redeem(ledger: Ledger, customer: UUID, adjustments: int, restocks: int) -> None:
    """Many of the largest adjustments on one account; the dearest reward at its most stock,
    redeemed and given back."""
    for _ in range(adjustments):
        ledger.adjust_points(customer, MAX_POINTS, "goodwill", AGENT, now=NOW)
    command = AddReward(
        f"Prize {uuid4().hex[:6]}", RewardKind.EXPERIENCE, MAX_POINTS, stock=MAX_STOCK - restocks
    )
    prize = ledger.add_reward(command, ADMIN, now=NOW).aggregate_id
    for _ in range(restocks):
        ledger.change_reward(prize, lambda reward, at: reward.restock(1, at), ADMIN, now=NOW)
    if adjustments:
        ledger.adjust_points(customer, -MAX_POINTS, "correction", AGENT, now=NOW)
    if adjustments > 1:
        done = ledger.redeem_reward(customer, prize, AGENT, now=NOW)
        ledger.reverse_redemption(customer, done.redemption_id, "given back", AGENT, now=NOW)


def refer(ledger: Ledger, referrer: UUID, purchase: tuple[str, str, str, str | None]) -> None:
    """A friend converts through the referrer's code and buys: both sides get the most points."""
    friend = register(ledger, "friend")
    ledger.issue_referral_code(referrer, AGENT, now=NOW - timedelta(days=3))
    code = ledger.get_referrer(referrer).code
    ledger.convert_referral(friend, code, AGENT, now=NOW - timedelta(days=2))
    buy(ledger, friend, ("EUR", purchase[1], "recent", None))


def escalate(ledger: Ledger, customer: UUID, times: int) -> None:
    command = OpenTicket(customer, TicketChannel.WEB, "billing", "Help", "Please help")
    ticket = ledger.open_ticket(command, AGENT, now=NOW).aggregate_id
    for _ in range(times):
        ledger.escalate_ticket(ticket, "still waiting", AGENT, now=NOW)


def plan_at_bounds(ledger: Ledger, customer: UUID) -> None:
    """A success plan with the most goals, the longest texts and a note of the longest size."""
    goals = tuple(f"{n:02d}" + "g" * (MAX_GOAL - 2) for n in range(MAX_GOALS))
    opened = OpenSuccessPlan(customer, "t" * MAX_PLAN_TITLE, goals, now=NOW)
    plan_id = ledger.handle(opened, AGENT).aggregate_id
    goal_id = ledger.get_success_plan(plan_id).goal_ids[-1]
    ledger.handle(ReachSuccessPlanMilestone(plan_id, goal_id, "m" * MAX_MILESTONE), AGENT)
    ledger.handle(RecordSuccessPlanCheckIn(plan_id, "n" * MAX_NOTE), AGENT)
    ledger.handle(CloseSuccessPlan(plan_id, PlanOutcome.ABANDONED), AGENT)


def review_and_track(ledger: Ledger, customer: UUID) -> None:
    """The longest review the domain accepts (of the longest sku, in four-byte characters), and
    an order at every bound (the longest ids, 500 lines of the most units) through every step."""
    sku = "S" * 64
    text = "\n".join(["😀" * 999] * 5)  # 4,999 characters, 19,980 bytes
    as_them = EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
    ledger.review_product(ReviewProduct(customer, sku, 5, "😀" * 120, text), as_them)
    order_id = (uuid4().hex * 4)[:128]
    lines = [LineInput(f"{n:064d}", 100_000) for n in range(500)]
    placed = RecordFulfilment(
        order_id, FulfilmentStep.PLACED, EARLIEST_PURCHASE, customer, lines,
        idempotency_key="k" * 128,
    )  # fmt: skip
    ledger.record_fulfilment(placed, AGENT)
    for step in (FulfilmentStep.PAID, FulfilmentStep.PACKED):
        ledger.record_fulfilment(RecordFulfilment(order_id, step, NOW), AGENT)
    shipped = RecordFulfilment(
        order_id, FulfilmentStep.SHIPPED, NOW, carrier="c" * 32, tracking_number="T" * 40
    )
    ledger.record_fulfilment(shipped, AGENT)
    for step in (FulfilmentStep.DELIVERED, FulfilmentStep.RETURNED):
        ledger.record_fulfilment(RecordFulfilment(order_id, step, NOW), AGENT)


def attend_and_bill(ledger: Ledger, member: UUID) -> None:
    """An event at its largest capacity and points for attending, which the member attends;
    the largest invoices a notification may carry (in a three-decimal currency), paid, then
    refunded in full."""
    starts = NOW + timedelta(days=2)
    details = EventDetails.checked(
        title="T" * MAX_EVENT_TITLE, description="", starts_at=starts,
        ends_at=starts + MAX_DURATION, place="P" * MAX_PLACE, capacity=MAX_CAPACITY,
        invited_tiers=list(Tier), points_for_attending=MAX_POINTS_FOR_ATTENDING,
    )  # fmt: skip
    event = ledger.schedule_event(ScheduleEvent(details), ADMIN).aggregate_id
    ledger.rsvp_to_event(RsvpToEvent(event, member), AGENT)
    ledger.record_attendance(RecordAttendance(event, member), AGENT)
    provider = EventMetadata.system("payment-provider")
    kind, key = NotificationKind, uuid4().hex
    notes = [
        *(
            RecordPaymentNotification(f"{key}-i{n}", kind.INVOICE_ISSUED, member, "KWD",
                                      MAX_AMOUNT_MINOR, invoice_id=f"i{n}")
            for n in range(3)
        ),
        RecordPaymentNotification(f"{key}-p", kind.PAYMENT_RECEIVED, member, "KWD",
                                  MAX_AMOUNT_MINOR, invoice_id="i0", payment_id="p"),
        RecordPaymentNotification(f"{key}-r", kind.REFUND_ISSUED, member, "KWD",
                                  MAX_AMOUNT_MINOR, payment_id="p", refund_id="r"),
    ]  # fmt: skip
    for note in notes:
        ledger.record_payment_notification(note, provider)


def follow_everything(ledger: Ledger, database: Database) -> None:
    """The process managers first (they add events), then every read model, to the head."""
    with database.connect() as conn:
        for manager in process_manager_runners(ledger, database, 100, ONCE):
            manager.catch_up(conn)
        for projection in build_projections(TEST_AUDIT_KEYS.chain):
            ProjectionRunner(ledger, database, projection, 100, ONCE).catch_up(conn)


@example(  # the corner of every bound at once, always tried first
    rate=MAX_POINTS,
    percent=1_000,
    bonus=MAX_POINTS,
    bought=[("JPY", "largest", "earliest", "part"), ("EUR", "largest", "recent", "all")],
    adjustments=120,  # past the account's snapshot interval (100 events)
    restocks=3,
    escalations=12,
)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rate=st.sampled_from([1, 1_000, MAX_POINTS]),
    percent=st.sampled_from([100, 1_000]),
    bonus=st.sampled_from([1, MAX_POINTS]),
    bought=purchases,
    adjustments=st.integers(0, 25),
    restocks=st.integers(0, 3),
    escalations=st.integers(0, 12),
)
def test_every_read_model_and_process_manager_applies_every_accepted_command(
    world: tuple[Ledger, Database],
    rate: int,
    percent: int,
    bonus: int,
    bought: list[tuple[str, str, str, str | None]],
    adjustments: int,
    restocks: int,
    escalations: int,
) -> None:
    ledger, database = world
    richest_rules(ledger, rate, percent, bonus)
    member = register(ledger, "member")
    ledger.enrol_in_loyalty(member, AGENT, now=EARLIEST_PURCHASE)
    for purchase in bought:
        buy(ledger, member, purchase)
    adjust_and_redeem(ledger, member, adjustments, restocks)
    refer(ledger, member, bought[0])
    escalate(ledger, member, escalations)
    plan_at_bounds(ledger, member)
    review_and_track(ledger, member)
    attend_and_bill(ledger, member)
    follow_everything(ledger, database)
    ledger.expire_points(member, SYSTEM, now=FAR_FUTURE)

    follow_everything(ledger, database)

    head = ledger.head_position()
    with database.connect() as conn:
        assert parked_events(conn) == []
        positions = all_positions(conn)
    followers = [p.name for p in ALL_PROJECTIONS] + [m.name for m in ALL_PROCESS_MANAGERS]
    assert {name: positions.get(name) for name in followers} == dict.fromkeys(followers, head)
