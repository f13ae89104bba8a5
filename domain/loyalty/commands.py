"""Use cases on loyalty accounts, the rule book and rewards, mixed into the Ledger application.

Commands on an account retry on a version conflict (reloading, so balance checks see the other
writer's points): money-like commands must not fail because someone else earned or spent at the
same instant, and a retried check can only refuse with a typed error such as
INSUFFICIENT_POINTS or OUT_OF_STOCK. The rule book and catalog commands take no version, so
they retry too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.customer.commands import CustomerCommands
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
from domain.purchase.commands import PurchaseCommands
from domain.purchase.model import Purchase
from domain.shared.application import CommandResult
from domain.shared.errors import ConcurrencyConflictError, ValidationError
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.retry import retried_unless_pinned, retrying


@dataclass(frozen=True, slots=True)
class AddReward:
    name: str
    kind: RewardKind
    cost_points: int
    description: str = ""
    stock: int | None = None
    min_tier: Tier | None = None
    reward_id: UUID | None = None
    """Doubles as the idempotency key."""


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


class LoyaltyCommands(PurchaseCommands, CustomerCommands):
    """Commands on :class:`LoyaltyAccount`, :class:`LoyaltyProgram` and :class:`Reward`."""

    def enrol_in_loyalty(
        self, customer_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        """Open the customer's one account; a second enrolment is ALREADY_ENROLLED."""
        self._customer_at(customer_id, None)
        if self.exists(LoyaltyAccount.id_for(customer_id)):
            raise AlreadyEnrolledError("the customer is already enrolled", field="customerId")
        with acting_as(metadata):
            account = LoyaltyAccount.enrol(customer_id, now or datetime.now(UTC))
        try:
            return CommandResult(account.id, account.version, self.commit(account))
        except ConcurrencyConflictError:
            raise AlreadyEnrolledError(
                "the customer is already enrolled", field="customerId"
            ) from None

    def earn_points_for_order(
        self, order_id: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult | None:
        """Credit an order's points to its customer's account, once; None if not enrolled."""
        purchase = self.get_purchase(order_id)

        def attempt() -> CommandResult | None:
            account = self._enrolled(purchase.customer_id)
            if account is None or order_id in account.orders:
                return None
            if purchase.purchased_at < account.enrolled_at:
                return None  # bought before joining: the program starts at enrolment
            at = now or datetime.now(UTC)
            rules, terms = self.program_rules_and_terms()
            earning = compute_earning(
                _facts(purchase), rules, account.tier, not account.orders,
                account.earned_by_period, at,
            )  # fmt: skip
            with acting_as(metadata):
                account.earn_for_order(order_id, earning, terms, at)
            return self._committed(account)

        return retrying(attempt)

    def claw_back_points_for_order(
        self, order_id: str, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult | None:
        """Take back the refunded share of an order's points (idempotent: by the total)."""
        purchase = self.get_purchase(order_id)

        def attempt() -> CommandResult | None:
            account = self._enrolled(purchase.customer_id)
            if account is None:
                return None
            share = (purchase.refunded_minor, purchase.amount_minor)
            with acting_as(metadata):
                account.claw_back(order_id, share, now or datetime.now(UTC))
                account.review_tier(now or datetime.now(UTC))
            return self._committed(account)

        return retrying(attempt)

    def award_points(
        self,
        customer_id: UUID,
        award: str,
        points: int,
        cause: dict[str, Any],
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        """Bonus points (referrals), once per ``award`` key."""
        check_points(points)

        def attempt() -> CommandResult:
            account = self.get_loyalty_account(customer_id)
            _, terms = self.program_rules_and_terms()
            with acting_as(metadata):
                account.award(award, points, cause, terms, now or datetime.now(UTC))
            return self._committed(account)

        return retrying(attempt)

    def redeem_reward(
        self,
        customer_id: UUID,
        reward_id: UUID,
        metadata: EventMetadata,
        redemption_id: UUID | None = None,
        now: datetime | None = None,
    ) -> Redemption:
        """Spend points on a reward, checking balance, stock and tier; ``redemption_id``
        makes retries safe."""
        key = redemption_id or uuid4()

        def attempt() -> Redemption:
            account = self.get_loyalty_account(customer_id)
            if account.redemption(key) is not None:
                return self._replayed_redemption(account, key, reward_id)
            reward = self.get_reward(reward_id)
            at = now or datetime.now(UTC)
            with acting_as(metadata):
                reward.claim(key, account.tier, at)
                account.redeem(key, reward_id, reward.cost_points, at)
            result = CommandResult(account.id, account.version, self.commit(account, reward))
            return Redemption(result, key, reward.cost_points)

        return retrying(attempt)

    def reverse_redemption(
        self,
        customer_id: UUID,
        redemption_id: UUID,
        reason: str,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        """Give a redemption's points back (and its item back to stock), saying why."""
        why = check_reason(reason)

        def attempt() -> CommandResult:
            account = self.get_loyalty_account(customer_id)
            at = now or datetime.now(UTC)
            with acting_as(metadata):
                reward = self.get_reward(account.reverse_redemption(redemption_id, why, at))
                reward.give_back(redemption_id, at)
            return CommandResult(account.id, account.version, self.commit(account, reward))

        return retrying(attempt)

    def adjust_points(
        self,
        customer_id: UUID,
        points: int,
        reason: str,
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        """Add or remove points by hand, with a mandatory reason."""
        if points == 0:
            raise ValidationError("adjust by a number of points other than zero", field="points")
        check_points(abs(points))
        why = check_reason(reason)

        def attempt() -> CommandResult:
            account = self.get_loyalty_account(customer_id)
            _, terms = self.program_rules_and_terms()
            with acting_as(metadata):
                account.adjust(points, why, terms, now or datetime.now(UTC))
            return self._committed(account)

        return retrying(attempt)

    def expire_points(
        self, customer_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> tuple[CommandResult, int]:
        """Expire what is due on one account and review its tier; (result, points expired)."""

        def attempt() -> tuple[CommandResult, int]:
            account = self.get_loyalty_account(customer_id)
            at = now or datetime.now(UTC)
            with acting_as(metadata):
                expired = account.expire(at)
                account.review_tier(at)
            return self._committed(account), expired

        return retrying(attempt)

    @retried_unless_pinned
    def define_earning_rule(
        self, rule: EarningRule, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        with acting_as(metadata):
            program = self._program_or_new(now)
            program.define_rule(rule, now or datetime.now(UTC))
        return self._committed(program)

    @retried_unless_pinned
    def retire_earning_rule(
        self, rule_id: UUID, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        with acting_as(metadata):
            program = self._program_or_new(now)
            program.retire_rule(rule_id, now or datetime.now(UTC))
        return self._committed(program)

    @retried_unless_pinned
    def change_program_terms(
        self, terms: ProgramTerms, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        with acting_as(metadata):
            program = self._program_or_new(now)
            program.change_terms(terms, now or datetime.now(UTC))
        return self._committed(program)

    @retried_unless_pinned
    def add_reward(
        self, command: AddReward, metadata: EventMetadata, now: datetime | None = None
    ) -> CommandResult:
        """Add a reward to the catalog; the same ``reward_id`` again is a retry."""
        reward_id = command.reward_id or uuid4()
        if self.exists(reward_id):
            existing = self.get_reward(reward_id)
            if (existing.name, existing.cost_points) != (command.name.strip(), command.cost_points):
                raise IdempotencyKeyReusedError("rewardId names another reward", field="rewardId")
            return CommandResult(existing.id, existing.version, self.head_position())
        with acting_as(metadata):
            reward = Reward.add(
                reward_id,
                name=command.name,
                description=command.description,
                kind=command.kind,
                cost_points=command.cost_points,
                stock=command.stock,
                min_tier=command.min_tier,
                at=now or datetime.now(UTC),
            )
        return self._committed(reward)

    def change_reward(
        self,
        reward_id: UUID,
        change: Callable[[Reward, datetime], None],
        metadata: EventMetadata,
        now: datetime | None = None,
    ) -> CommandResult:
        """Apply ``change`` (e.g. ``lambda r, at: r.restock(5, at)``) to a reward."""

        def attempt() -> CommandResult:
            reward = self.get_reward(reward_id)
            with acting_as(metadata):
                change(reward, now or datetime.now(UTC))
            return self._committed(reward)

        return retrying(attempt)

    def get_loyalty_account(self, customer_id: UUID) -> LoyaltyAccount:
        return self.load(
            LoyaltyAccount.id_for(customer_id),
            LoyaltyAccount,
            lambda: LoyaltyAccountNotFoundError(
                "the customer is not enrolled in the loyalty program", field="customerId"
            ),
        )

    def loyalty_tier(self, customer_id: UUID) -> Tier | None:
        """The customer's tier now; None when they are not a member."""
        if not self.exists(LoyaltyAccount.id_for(customer_id)):
            return None
        return self.get_loyalty_account(customer_id).tier

    def get_reward(self, reward_id: UUID) -> Reward:
        return self.load(
            reward_id, Reward, lambda: RewardNotFoundError("no such reward", field="rewardId")
        )

    def program_rules_and_terms(self) -> tuple[list[EarningRule], ProgramTerms]:
        """The rule book now; before any rule is defined, no rules and the default terms."""
        if not self.exists(PROGRAM_ID):
            return [], ProgramTerms()
        program = self._program()
        return program.active_rules(), program.terms

    def _program(self) -> LoyaltyProgram:
        return self.load(
            PROGRAM_ID, LoyaltyProgram, lambda: EarningRuleNotFoundError("no loyalty program yet")
        )

    def _program_or_new(self, now: datetime | None) -> LoyaltyProgram:
        if self.exists(PROGRAM_ID):
            return self._program()
        return LoyaltyProgram.start(now or datetime.now(UTC))

    def _enrolled(self, customer_id: UUID) -> LoyaltyAccount | None:
        account_id = LoyaltyAccount.id_for(customer_id)
        return self.get_loyalty_account(customer_id) if self.exists(account_id) else None

    def _committed(self, aggregate: LoyaltyAccount | LoyaltyProgram | Reward) -> CommandResult:
        return CommandResult(aggregate.id, aggregate.version, self.commit(aggregate))

    def _replayed_redemption(
        self, account: LoyaltyAccount, key: UUID, reward_id: UUID
    ) -> Redemption:
        done = account.redemption(key)
        assert done is not None  # the caller found it
        if done["reward_id"] != reward_id:
            raise IdempotencyKeyReusedError(
                "redemptionId was used for another reward", field="redemptionId"
            )
        result = CommandResult(account.id, account.version, self.head_position())
        return Redemption(result, key, int(done["points"]))


def _facts(purchase: Purchase) -> OrderFacts:
    lines = [
        (item.get("category"), int(item["quantity"]) * int(item["unit_amount_minor"]))
        for item in purchase.items
    ]
    return OrderFacts(
        purchase.order_id, purchase.amount_minor, purchase.currency, purchase.channel, lines
    )
