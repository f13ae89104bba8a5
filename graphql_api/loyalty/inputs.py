"""Inputs of the loyalty mutations. A field left out of changeReward keeps its value;
minTier sent as null opens the reward to every tier."""

from __future__ import annotations

from uuid import UUID

import strawberry

from graphql_api.enums import CapPeriod, LoyaltyTier, RewardKind, RuleDimension, RuleKind

CUSTOMER = "The member."
REWARD = "The reward."
REASON = "Why, 1-500 characters; the customer sees it on their statement."


@strawberry.input(description="Enrol a customer in the loyalty program (once).")
class EnrolInLoyaltyInput:
    customer_id: UUID = strawberry.field(description="The customer to enrol.")


@strawberry.input(description="Spend a member's points on a reward.")
class RedeemRewardInput:
    customer_id: UUID = strawberry.field(description=CUSTOMER)
    reward_id: UUID = strawberry.field(description=REWARD)
    redemption_id: UUID | None = strawberry.field(
        default=None,
        description="Client-chosen id; retrying with the same id spends nothing more and "
        "answers the same.",
    )


@strawberry.input(description="Give a redemption's points (and its item) back.")
class ReverseRedemptionInput:
    customer_id: UUID = strawberry.field(description=CUSTOMER)
    redemption_id: UUID = strawberry.field(description="The redemption to reverse.")
    reason: str = strawberry.field(description=REASON)


@strawberry.input(description="Add or remove points by hand.")
class AdjustPointsInput:
    customer_id: UUID = strawberry.field(description=CUSTOMER)
    points: int = strawberry.field(
        description="Points to add (positive) or remove (negative, soonest-expiring first); "
        "not zero, at most 10000000 either way."
    )
    reason: str = strawberry.field(description=REASON)


@strawberry.input(
    description="A rule of the earning rule book; only the fields of its kind matter. "
    "Defining a rule with an existing ruleId replaces that rule."
)
class DefineEarningRuleInput:
    name: str = strawberry.field(description="What admins call it, 1-120 characters.")
    kind: RuleKind = strawberry.field(description="How it shapes earnings.")
    rule_id: UUID | None = strawberry.field(
        default=None, description="Client-chosen id; the same definition again writes nothing."
    )
    points_per_unit: int = strawberry.field(
        default=0, description="BASE_RATE: points per whole currency unit, 1 or more."
    )
    currency: str | None = strawberry.field(
        default=None, description="BASE_RATE: ISO 4217 code; left out: any currency."
    )
    dimension: RuleDimension | None = strawberry.field(
        default=None, description="MULTIPLIER: what it matches on."
    )
    match: str | None = strawberry.field(
        default=None,
        description="MULTIPLIER: the tier (bronze, silver, gold), category slug or channel.",
    )
    percent: int = strawberry.field(default=100, description="MULTIPLIER: 1-1000; 150 is x1.5.")
    bonus_points: int = strawberry.field(
        default=0, description="FIRST_PURCHASE_BONUS: the bonus, 1 or more."
    )
    period: CapPeriod | None = strawberry.field(default=None, description="CAP: the period.")
    max_points: int = strawberry.field(default=0, description="CAP: the most points per period.")


@strawberry.input(description="Stop an earning rule applying to new earnings.")
class RetireEarningRuleInput:
    rule_id: UUID = strawberry.field(description="The active rule.")


@strawberry.input(description="The program's terms, for points earned from now on.")
class ChangeProgramTermsInput:
    points_lifetime_days: int = strawberry.field(
        description="Points expire this many days after they were earned, 1-3650."
    )
    return_window_days: int = strawberry.field(
        description="Purchase points stay pending this many days, shorter than the lifetime."
    )


@strawberry.input(description="A new reward in the catalog.")
class AddRewardInput:
    name: str = strawberry.field(description="Its name, 1-120 characters.")
    kind: RewardKind = strawberry.field(description="What kind of reward.")
    cost_points: int = strawberry.field(description="Points a redemption costs, 1 or more.")
    description: str = strawberry.field(default="", description="Up to 2000 characters.")
    stock: int | None = strawberry.field(
        default=None, description="Items available, 0 or more; left out: unlimited."
    )
    min_tier: LoyaltyTier | None = strawberry.field(
        default=None, description="Only members of this tier and above; left out: everyone."
    )
    reward_id: UUID | None = strawberry.field(
        default=None, description="Client-chosen id; retrying with it writes nothing."
    )


@strawberry.input(description="Changes to a reward; fields left out stay as they are.")
class ChangeRewardInput:
    reward_id: UUID = strawberry.field(description=REWARD)
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description."
    )
    cost_points: int | None = strawberry.field(
        default=strawberry.UNSET, description="New cost, for redemptions from now on."
    )
    min_tier: LoyaltyTier | None = strawberry.field(
        default=strawberry.UNSET, description="New tier restriction; null: everyone."
    )


@strawberry.input(description="More items of a stocked reward.")
class RestockRewardInput:
    reward_id: UUID = strawberry.field(description=REWARD)
    quantity: int = strawberry.field(description="Items to add, 1 or more.")


@strawberry.input(description="Take a reward out of the catalog (past redemptions stand).")
class RetireRewardInput:
    reward_id: UUID = strawberry.field(description=REWARD)
