"""The loyalty program's catalog as frontends see it: tiers and their benefits, rewards,
earning rules, terms and program metrics. Built from the loyalty read model's views
(`projections.loyalty.views`); the account and its statement are in `account.py`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import strawberry

from domain.loyalty.values import TIERS, benefits_of
from graphql_api.context import RequestContext
from graphql_api.enums import (
    CapPeriod,
    LoyaltyTier,
    RewardKind,
    RuleDimension,
    RuleKind,
    SupportPriority,
)
from graphql_api.node_interface import Node
from graphql_api.pagination import PageInfo
from graphql_api.scalars import Long
from projections.loyalty.queries import earning_rules
from projections.loyalty.views import (
    EarningRuleView,
    ProgramMetricsView,
    ProgramTermsView,
    RewardView,
)

Info = strawberry.Info[RequestContext, None]


def tier_of(tier: str | None) -> LoyaltyTier | None:
    return None if tier is None else LoyaltyTier(tier)


E = TypeVar("E", RuleDimension, CapPeriod)


def _enum_or_none(kind: type[E], value: Any) -> E | None:
    return None if value is None else kind(value)


@strawberry.type(
    name="EarningRule", description="One rule of the earning rule book; fields of other kinds "
    "are null."
)  # fmt: skip
class EarningRuleType:
    id: UUID = strawberry.field(description="The rule's id.")
    name: str = strawberry.field(description="What admins call it.")
    kind: RuleKind = strawberry.field(description="How it shapes earnings.")
    points_per_unit: int | None = strawberry.field(description="BASE_RATE: points per unit.")
    currency: str | None = strawberry.field(
        description="BASE_RATE: the currency it applies to; null: any currency without a rate "
        "of its own."
    )
    dimension: RuleDimension | None = strawberry.field(
        description="MULTIPLIER: what it matches on."
    )
    match: str | None = strawberry.field(
        description="MULTIPLIER: the tier, category or channel matched."
    )
    percent: int | None = strawberry.field(description="MULTIPLIER: 150 means x1.5.")
    bonus_points: int | None = strawberry.field(description="FIRST_PURCHASE_BONUS: the bonus.")
    period: CapPeriod | None = strawberry.field(description="CAP: the period.")
    max_points: int | None = strawberry.field(description="CAP: the most points per period.")
    defined_at: datetime = strawberry.field(description="When it was (last) defined.")
    retired_at: datetime | None = strawberry.field(description="When it stopped applying.")

    @classmethod
    def from_view(cls, view: EarningRuleView) -> EarningRuleType:
        rule, kind = view.definition, RuleKind(view.kind)

        def of(wanted: RuleKind, key: str) -> Any:
            return rule.get(key) if kind is wanted else None

        return cls(
            id=view.rule_id,
            name=view.name,
            kind=kind,
            points_per_unit=of(RuleKind.BASE_RATE, "points_per_unit"),
            currency=of(RuleKind.BASE_RATE, "currency"),
            dimension=_enum_or_none(RuleDimension, of(RuleKind.MULTIPLIER, "dimension")),
            match=of(RuleKind.MULTIPLIER, "match"),
            percent=of(RuleKind.MULTIPLIER, "percent"),
            bonus_points=of(RuleKind.FIRST_PURCHASE_BONUS, "bonus_points"),
            period=_enum_or_none(CapPeriod, of(RuleKind.CAP, "period")),
            max_points=of(RuleKind.CAP, "max_points"),
            defined_at=view.defined_at,
            retired_at=view.retired_at,
        )


@strawberry.type(name="TierBenefits", description="What a tier takes and gives.")
class TierBenefitsType:
    tier: LoyaltyTier = strawberry.field(description="The tier.")
    threshold: int = strawberry.field(
        description="Points earned in the trailing 365 days needed to hold it."
    )
    support_priority: SupportPriority = strawberry.field(
        description="Default priority of its members' support tickets."
    )

    @classmethod
    def of(cls, tier: str) -> TierBenefitsType:
        benefits = benefits_of(LoyaltyTier(tier))
        return cls(
            tier=LoyaltyTier(tier),
            threshold=benefits.threshold,
            support_priority=benefits.support_priority,
        )

    @strawberry.field(
        description="The active MULTIPLIER rules for this tier: its earning multiplier (they "
        "multiply together, with the channel's and categories'). Empty: x1."
    )
    async def earning_multipliers(self, info: Info) -> list[EarningRuleType]:
        async with info.context.pool.connection() as conn:
            rules = await earning_rules(conn, False)
        return [
            EarningRuleType.from_view(r)
            for r in rules
            if r.kind == "multiplier"
            and r.definition.get("dimension") == "tier"
            and r.definition.get("match") == self.tier.value
        ]


def all_tiers() -> list[TierBenefitsType]:
    return [TierBenefitsType.of(t.tier.value) for t in TIERS]


@strawberry.type(name="Reward", description="Something members can spend points on.")
class RewardType(Node):
    reward_id: strawberry.Private[UUID]

    @strawberry.field(description="The reward's id (a UUID; the same value as ever).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.reward_id))

    name: str = strawberry.field(description="Its name.")
    description: str = strawberry.field(description="What the member gets.")
    kind: RewardKind = strawberry.field(description="What kind of reward.")
    cost_points: int = strawberry.field(description="Points a redemption costs now.")
    stock: int | None = strawberry.field(description="Items left; null: unlimited.")
    min_tier: LoyaltyTier | None = strawberry.field(
        description="Only members of this tier and above may redeem it; null: everyone."
    )
    retired: bool = strawberry.field(description="No longer redeemable.")
    added_at: datetime = strawberry.field(description="When it joined the catalog.")
    redemptions: Long = strawberry.field(description="Redemptions not reversed.")

    @classmethod
    def from_view(cls, view: RewardView) -> RewardType:
        return cls(
            reward_id=view.reward_id,
            name=view.name,
            description=view.description,
            kind=RewardKind(view.kind),
            cost_points=view.cost_points,
            stock=view.stock,
            min_tier=tier_of(view.min_tier),
            retired=view.retired,
            added_at=view.added_at,
            redemptions=view.redemptions,
        )


@strawberry.type(description="An edge of a reward connection.")
class RewardEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: RewardType = strawberry.field(description="The reward.")


@strawberry.type(description="A page of the rewards catalog, in the order rewards were added.")
class RewardConnection:
    edges: list[RewardEdge] = strawberry.field(description="The rewards of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(
    name="LoyaltyProgramTerms", description="How long points live, and the tiers' benefits."
)
class LoyaltyProgramTermsType:
    points_lifetime_days: int = strawberry.field(
        description="Points expire this many days after they were earned."
    )
    return_window_days: int = strawberry.field(
        description="Purchase points stay pending (not spendable) this many days."
    )
    changed_at: datetime | None = strawberry.field(
        description="When the terms last changed; null: the default terms."
    )
    tiers: list[TierBenefitsType] = strawberry.field(description="The tiers, lowest first.")

    @classmethod
    def from_view(cls, view: ProgramTermsView) -> LoyaltyProgramTermsType:
        return cls(
            points_lifetime_days=view.points_lifetime_days,
            return_window_days=view.return_window_days,
            changed_at=view.changed_at,
            tiers=all_tiers(),
        )


@strawberry.type(
    name="LoyaltyProgramMetrics",
    description="How the program is doing at a moment. Rates are percentages (0-100); null "
    "when there is nothing to divide by.",
)
class LoyaltyProgramMetricsType:
    at: datetime = strawberry.field(description="The moment the figures describe.")
    customers: Long = strawberry.field(description="Registered customers.")
    members: Long = strawberry.field(description="Customers enrolled in the program.")
    enrolment_rate: float | None = strawberry.field(description="Members per customer, in %.")
    active_members: Long = strawberry.field(
        description="Members who earned or redeemed in the 90 days before `at`."
    )
    points_earned: Long = strawberry.field(description="Points earned, all time.")
    points_redeemed: Long = strawberry.field(description="Points redeemed, net of reversals.")
    redemption_rate: float | None = strawberry.field(
        description="Points redeemed per point earned, in %."
    )
    points_liability: Long = strawberry.field(
        description="Points outstanding: held by members, not yet expired (pending included)."
    )
    repeat_purchase_rate_members: float | None = strawberry.field(
        description="Members with two or more orders, in %."
    )
    repeat_purchase_rate_non_members: float | None = strawberry.field(
        description="Customers who are not members with two or more orders, in %."
    )

    @classmethod
    def from_view(cls, view: ProgramMetricsView) -> LoyaltyProgramMetricsType:
        return cls(
            at=view.at,
            customers=view.customers,
            members=view.members,
            enrolment_rate=view.enrolment_rate,
            active_members=view.active_members,
            points_earned=view.points_earned,
            points_redeemed=view.points_redeemed,
            redemption_rate=view.redemption_rate,
            points_liability=view.points_liability,
            repeat_purchase_rate_members=view.repeat_purchase_rate_members,
            repeat_purchase_rate_non_members=view.repeat_purchase_rate_non_members,
        )
