"""Use cases on loyalty accounts, the rule book and rewards: command dataclasses, the handler
functions that run them (see :mod:`domain.shared.commands`), and the queries other slices ask
(a member's tier, their account, the rule book).

Commands on an account retry on a version conflict (reloading, so balance checks see the other
writer's points): money-like commands must not fail because someone else earned or spent at the
same instant, and a retried check can only refuse with a typed error such as
INSUFFICIENT_POINTS or OUT_OF_STOCK. The rule book and catalog commands take no version, so
they retry too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.customer.errors import CustomerNotFoundError
from domain.customer.model import Customer
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.earning import OrderFacts, compute_earning
from domain.loyalty.errors import (
    AlreadyEnrolledError,
    EarningRuleNotFoundError,
    IdempotencyKeyReusedError,
    LoyaltyAccountNotFoundError,
    RewardNotFoundError,
)
from domain.loyalty.program import PROGRAM_ID, LoyaltyProgram
from domain.loyalty.reward import Reward
from domain.loyalty.values import (
    EarningRule,
    ProgramTerms,
    RewardKind,
    Tier,
    check_points,
    check_reason,
)
from domain.purchase.commands import purchase_of
from domain.purchase.model import Purchase
from domain.shared.aggregate import LedgerAggregate
from domain.shared.application import CommandResult, LedgerCore, of_kind
from domain.shared.commands import Command
from domain.shared.errors import ConcurrencyConflictError, ValidationError
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.retry import retrying


@dataclass(frozen=True, slots=True)
class AddReward(Command[CommandResult]):
    name: str
    kind: RewardKind
    cost_points: int
    description: str = ""
    stock: int | None = None
    min_tier: Tier | None = None
    reward_id: UUID | None = None
    """Doubles as the idempotency key."""
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class Redemption:
    """What a redemption command did: the account's result and the points it cost."""

    result: CommandResult
    redemption_id: UUID
    points: int

    @property
    def position(self) -> int:
        """The log position a reader must reach to see the redemption."""
        return self.result.position


@dataclass(frozen=True, slots=True)
class EnrolInLoyalty(Command[CommandResult]):
    """Open the customer's one account; a second enrolment is ALREADY_ENROLLED."""

    customer_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class EarnPointsForOrder(Command["CommandResult | None"]):
    """Credit an order's points to its customer's account, once; None if not enrolled."""

    order_id: str
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClawBackPointsForOrder(Command["CommandResult | None"]):
    """Take back the refunded share of an order's points (idempotent: by the total)."""

    order_id: str
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class AwardPoints(Command[CommandResult]):
    """Bonus points (referrals), once per ``award`` key."""

    customer_id: UUID
    award: str
    points: int
    cause: dict[str, Any] = field(default_factory=dict)
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RedeemReward(Command[Redemption]):
    """Spend points on a reward, checking balance, stock and tier; ``redemption_id`` makes
    retries safe."""

    customer_id: UUID
    reward_id: UUID
    redemption_id: UUID | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReverseRedemption(Command[CommandResult]):
    """Give a redemption's points back (and its item back to stock), saying why."""

    customer_id: UUID
    redemption_id: UUID
    reason: str
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class AdjustPoints(Command[CommandResult]):
    """Add or remove points by hand, with a mandatory reason."""

    customer_id: UUID
    points: int
    reason: str
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ExpirePoints(Command[tuple[CommandResult, int]]):
    """Expire what is due on one account and review its tier; (result, points expired)."""

    customer_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class DefineEarningRule(Command[CommandResult]):
    rule: EarningRule
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RetireEarningRule(Command[CommandResult]):
    rule_id: UUID
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChangeProgramTerms(Command[CommandResult]):
    terms: ProgramTerms
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChangeReward(Command[CommandResult]):
    """Apply ``change`` (e.g. ``lambda r, at: r.restock(5, at)``) to a reward."""

    reward_id: UUID
    change: Callable[[Reward, datetime], None]
    now: datetime | None = None


# --- handlers -------------------------------------------------------------------------------


def enrol_in_loyalty(
    ledger: LedgerCore, command: EnrolInLoyalty, metadata: EventMetadata
) -> CommandResult:
    ledger.load(command.customer_id, Customer, _no_customer)
    if enrolled(ledger, command.customer_id) is not None:
        raise AlreadyEnrolledError("the customer is already enrolled", field="customerId")
    with acting_as(metadata):
        account = LoyaltyAccount.enrol(command.customer_id, command.now or datetime.now(UTC))
    try:
        return CommandResult(account.id, account.version, ledger.commit(account))
    except ConcurrencyConflictError:
        raise AlreadyEnrolledError("the customer is already enrolled", field="customerId") from None


def earn_points_for_order(
    ledger: LedgerCore, command: EarnPointsForOrder, metadata: EventMetadata
) -> CommandResult | None:
    purchase = purchase_of(ledger, command.order_id)

    def attempt() -> CommandResult | None:
        account = enrolled(ledger, purchase.customer_id)
        if account is None or command.order_id in account.orders:
            return None
        if purchase.purchased_at < account.enrolled_at:
            return None  # bought before joining: the program starts at enrolment
        at = command.now or datetime.now(UTC)
        rules, terms = rules_and_terms(ledger)
        earning = compute_earning(
            _facts(purchase), rules, account.tier, not account.orders,
            account.earned_by_period, at,
        )  # fmt: skip
        with acting_as(metadata):
            account.earn_for_order(command.order_id, earning, terms, at)
        return _committed(ledger, account)

    return retrying(attempt)


def claw_back_points_for_order(
    ledger: LedgerCore, command: ClawBackPointsForOrder, metadata: EventMetadata
) -> CommandResult | None:
    purchase = purchase_of(ledger, command.order_id)

    def attempt() -> CommandResult | None:
        account = enrolled(ledger, purchase.customer_id)
        if account is None:
            return None
        share = (purchase.refunded_minor, purchase.amount_minor)
        at = command.now or datetime.now(UTC)
        with acting_as(metadata):
            account.claw_back(command.order_id, share, at)
            account.review_tier(at)
        return _committed(ledger, account)

    return retrying(attempt)


def award_points(
    ledger: LedgerCore, command: AwardPoints, metadata: EventMetadata
) -> CommandResult:
    check_points(command.points)

    def attempt() -> CommandResult:
        account = account_of(ledger, command.customer_id)
        _, terms = rules_and_terms(ledger)
        at = command.now or datetime.now(UTC)
        with acting_as(metadata):
            account.award(command.award, command.points, command.cause, terms, at)
        return _committed(ledger, account)

    return retrying(attempt)


def redeem_reward(ledger: LedgerCore, command: RedeemReward, metadata: EventMetadata) -> Redemption:
    key = command.redemption_id or new_id()

    def attempt() -> Redemption:
        account = account_of(ledger, command.customer_id)
        if account.redemption(key) is not None:
            return _replayed_redemption(ledger, account, key, command.reward_id)
        reward = reward_of(ledger, command.reward_id)
        at = command.now or datetime.now(UTC)
        with acting_as(metadata):
            reward.claim(key, account.tier, at)
            account.redeem(key, command.reward_id, reward.cost_points, at)
        result = CommandResult(account.id, account.version, ledger.commit(account, reward))
        return Redemption(result, key, reward.cost_points)

    return retrying(attempt)


def reverse_redemption(
    ledger: LedgerCore, command: ReverseRedemption, metadata: EventMetadata
) -> CommandResult:
    why = check_reason(command.reason)

    def attempt() -> CommandResult:
        account = account_of(ledger, command.customer_id)
        at = command.now or datetime.now(UTC)
        with acting_as(metadata):
            reward = reward_of(ledger, account.reverse_redemption(command.redemption_id, why, at))
            reward.give_back(command.redemption_id, at)
        return CommandResult(account.id, account.version, ledger.commit(account, reward))

    return retrying(attempt)


def adjust_points(
    ledger: LedgerCore, command: AdjustPoints, metadata: EventMetadata
) -> CommandResult:
    if command.points == 0:
        raise ValidationError("adjust by a number of points other than zero", field="points")
    check_points(abs(command.points))
    why = check_reason(command.reason)

    def attempt() -> CommandResult:
        account = account_of(ledger, command.customer_id)
        _, terms = rules_and_terms(ledger)
        with acting_as(metadata):
            account.adjust(command.points, why, terms, command.now or datetime.now(UTC))
        return _committed(ledger, account)

    return retrying(attempt)


def expire_points(
    ledger: LedgerCore, command: ExpirePoints, metadata: EventMetadata
) -> tuple[CommandResult, int]:
    def attempt() -> tuple[CommandResult, int]:
        account = account_of(ledger, command.customer_id)
        at = command.now or datetime.now(UTC)
        with acting_as(metadata):
            expired = account.expire(at)
            account.review_tier(at)
        return _committed(ledger, account), expired

    return retrying(attempt)


def define_earning_rule(
    ledger: LedgerCore, command: DefineEarningRule, metadata: EventMetadata
) -> CommandResult:
    return _change_program(
        ledger, metadata, command.now, lambda p, at: p.define_rule(command.rule, at)
    )


def retire_earning_rule(
    ledger: LedgerCore, command: RetireEarningRule, metadata: EventMetadata
) -> CommandResult:
    return _change_program(
        ledger, metadata, command.now, lambda p, at: p.retire_rule(command.rule_id, at)
    )


def change_program_terms(
    ledger: LedgerCore, command: ChangeProgramTerms, metadata: EventMetadata
) -> CommandResult:
    return _change_program(
        ledger, metadata, command.now, lambda p, at: p.change_terms(command.terms, at)
    )


def add_reward(ledger: LedgerCore, command: AddReward, metadata: EventMetadata) -> CommandResult:
    """Add a reward to the catalog; the same ``reward_id`` again is a retry."""
    reward_id = command.reward_id or new_id()

    def attempt() -> CommandResult:
        existing = ledger.find(reward_id, Reward, _not_a_reward)
        if existing is not None:
            if (existing.name, existing.cost_points) != (command.name.strip(), command.cost_points):
                raise IdempotencyKeyReusedError("rewardId names another reward", field="rewardId")
            return CommandResult(existing.id, existing.version, ledger.head_position())
        with acting_as(metadata):
            reward = Reward.add(
                reward_id,
                name=command.name,
                description=command.description,
                kind=command.kind,
                cost_points=command.cost_points,
                stock=command.stock,
                min_tier=command.min_tier,
                at=command.now or datetime.now(UTC),
            )
        return _committed(ledger, reward)

    return retrying(attempt)


def change_reward(
    ledger: LedgerCore, command: ChangeReward, metadata: EventMetadata
) -> CommandResult:
    def attempt() -> CommandResult:
        reward = reward_of(ledger, command.reward_id)
        with acting_as(metadata):
            command.change(reward, command.now or datetime.now(UTC))
        return _committed(ledger, reward)

    return retrying(attempt)


# --- queries other slices ask ---------------------------------------------------------------


def account_of(ledger: LedgerCore, customer_id: UUID) -> LoyaltyAccount:
    """The member's account; LOYALTY_ACCOUNT_NOT_FOUND when they are not a member."""
    return ledger.load(LoyaltyAccount.id_for(customer_id), LoyaltyAccount, _not_enrolled)


def member_of_account(ledger: LedgerCore, account_id: UUID) -> UUID:
    """The member whose account this is, from its first event (``Enrolled``): one event read,
    not the account's history replayed."""
    account = ledger.as_of_version(account_id, 1)
    if not isinstance(account, LoyaltyAccount):
        raise _not_enrolled()
    return account.customer_id


def enrolled(ledger: LedgerCore, customer_id: UUID) -> LoyaltyAccount | None:
    """The member's account, or None when they are not a member."""
    return ledger.find(LoyaltyAccount.id_for(customer_id), LoyaltyAccount, _not_enrolled)


def tier_of(ledger: LedgerCore, customer_id: UUID) -> Tier | None:
    """The customer's tier now; None when they are not a member."""
    account = enrolled(ledger, customer_id)
    return None if account is None else account.tier


def tier_in(found: Mapping[UUID, LedgerAggregate], customer_id: UUID) -> Tier | None:
    """The customer's tier in aggregates read together (see ``LedgerCore.find_together``,
    which must have been asked for ``LoyaltyAccount.id_for(customer_id)``); None when they are
    not a member. What :func:`tier_of` answers, without a read of its own."""
    found_account = found.get(LoyaltyAccount.id_for(customer_id))
    account = of_kind(found_account, LoyaltyAccount, _not_enrolled)
    return None if account is None else account.tier


def reward_of(ledger: LedgerCore, reward_id: UUID) -> Reward:
    return ledger.load(reward_id, Reward, _not_a_reward)


def rules_and_terms(ledger: LedgerCore) -> tuple[list[EarningRule], ProgramTerms]:
    """The rule book now; before any rule is defined, no rules and the default terms."""
    program = ledger.find(PROGRAM_ID, LoyaltyProgram, _no_program)
    if program is None:
        return [], ProgramTerms()
    return program.active_rules(), program.terms


# --- helpers --------------------------------------------------------------------------------


def _change_program(
    ledger: LedgerCore,
    metadata: EventMetadata,
    now: datetime | None,
    change: Callable[[LoyaltyProgram, datetime], None],
) -> CommandResult:
    def attempt() -> CommandResult:
        at = now or datetime.now(UTC)
        with acting_as(metadata):
            program = ledger.find(PROGRAM_ID, LoyaltyProgram, _no_program)
            program = program or LoyaltyProgram.start(at)
            change(program, at)
        return _committed(ledger, program)

    return retrying(attempt)


def _committed(
    ledger: LedgerCore, aggregate: LoyaltyAccount | LoyaltyProgram | Reward
) -> CommandResult:
    return CommandResult(aggregate.id, aggregate.version, ledger.commit(aggregate))


def _replayed_redemption(
    ledger: LedgerCore, account: LoyaltyAccount, key: UUID, reward_id: UUID
) -> Redemption:
    done = account.redemption(key)
    assert done is not None  # the caller found it
    if done["reward_id"] != reward_id:
        raise IdempotencyKeyReusedError(
            "redemptionId was used for another reward", field="redemptionId"
        )
    result = CommandResult(account.id, account.version, ledger.head_position())
    return Redemption(result, key, int(done["points"]))


def _facts(purchase: Purchase) -> OrderFacts:
    lines = [
        (item.get("category"), int(item["quantity"]) * int(item["unit_amount_minor"]))
        for item in purchase.items
    ]
    return OrderFacts(
        purchase.order_id, purchase.amount_minor, purchase.currency, purchase.channel, lines
    )


def _no_customer() -> CustomerNotFoundError:
    return CustomerNotFoundError("no such customer", field="customerId")


def _not_enrolled() -> LoyaltyAccountNotFoundError:
    return LoyaltyAccountNotFoundError(
        "the customer is not enrolled in the loyalty program", field="customerId"
    )


def _not_a_reward() -> RewardNotFoundError:
    return RewardNotFoundError("no such reward", field="rewardId")


def _no_program() -> EarningRuleNotFoundError:
    return EarningRuleNotFoundError("no loyalty program yet")
