"""A member's loyalty account as frontends see it: balance, tier, what expires next, the
balance on any past date, and the statement (every transaction with its cause).

Adjustment and reversal reasons, and who acted, are personal data: only roles that may see
the member's personal data, and the member themself, read them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from graphql_api.auth import may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.enums import LoyaltyTier, TransactionKind
from graphql_api.errors import PublicError
from graphql_api.limits.costs import FIGURES_COST
from graphql_api.limits.declare import limited
from graphql_api.loyalty.types import TierBenefitsType, tier_of
from graphql_api.moments import moment
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    PageInfo,
    connection,
    page_request,
)
from graphql_api.scalars import Long
from projections.loyalty.queries import (
    balance_as_of,
    tier_history,
    transactions_page,
    transactions_page_newer,
    upcoming_expiries,
)
from projections.loyalty.views import (
    BalanceView,
    ExpiryView,
    LoyaltyAccountView,
    TierChangeView,
    TransactionView,
)

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "loyalty_transaction"
MAX_EXPIRIES = 100


@strawberry.type(name="LoyaltyBalance", description="Points an account held at a moment.")
class BalanceType:
    at: datetime = strawberry.field(description="The moment.")
    spendable: Long = strawberry.field(description="Points that may be spent.")
    pending: Long = strawberry.field(
        description="Purchase points still inside their return window (not yet spendable)."
    )

    @classmethod
    def from_view(cls, view: BalanceView) -> BalanceType:
        return cls(at=view.at, spendable=view.spendable, pending=view.pending)


@strawberry.type(name="PointsExpiry", description="Points that expire at one moment.")
class ExpiryType:
    expires_at: datetime = strawberry.field(description="When they expire.")
    points: Long = strawberry.field(description="How many.")

    @classmethod
    def from_view(cls, view: ExpiryView) -> ExpiryType:
        return cls(expires_at=view.expires_at, points=view.points)


@strawberry.type(name="TierChange", description="A move up or down a tier.")
class TierChangeType:
    at: datetime = strawberry.field(description="When.")
    from_tier: LoyaltyTier = strawberry.field(description="The tier before.")
    to_tier: LoyaltyTier = strawberry.field(description="The tier after.")
    qualifying_points: Long = strawberry.field(
        description="Points earned in the trailing 365 days then: why it moved."
    )

    @classmethod
    def from_view(cls, view: TierChangeView) -> TierChangeType:
        return cls(
            at=view.at,
            from_tier=LoyaltyTier(view.from_tier),
            to_tier=LoyaltyTier(view.to_tier),
            qualifying_points=view.qualifying_points,
        )


@strawberry.type(name="RewardReference", description="The reward a transaction is about.")
class RewardReferenceType:
    id: UUID = strawberry.field(description="The reward's id.")
    name: str | None = strawberry.field(description="Its name (as it is now).")


@strawberry.type(
    name="LoyaltyTransactionCause", description="Why points moved; fields that do not apply "
    "are null."
)  # fmt: skip
class TransactionCauseType:
    order_id: str | None = strawberry.field(description="The order that earned or was refunded.")
    reward: RewardReferenceType | None = strawberry.field(description="The reward redeemed.")
    redemption_id: UUID | None = strawberry.field(description="The redemption (or reversal).")
    rule_ids: list[str] = strawberry.field(description="The earning rules that shaped the figure.")
    award: str | None = strawberry.field(description="The bonus award's key (e.g. a referral).")
    reason: str | None = strawberry.field(
        description="Why staff adjusted or reversed. Personal data: null unless you may see it "
        "(and once the customer is erased)."
    )


@strawberry.type(name="LoyaltyTransaction", description="One line of a points statement.")
class TransactionType:
    kind: TransactionKind = strawberry.field(description="What happened.")
    points: Long = strawberry.field(description="Signed change of the points the account holds.")
    at: datetime = strawberry.field(description="When it happened.")
    cause: TransactionCauseType = strawberry.field(description="Why.")
    unrecovered: Long = strawberry.field(
        description="Clawbacks: points due that the account no longer held (already spent)."
    )
    actor_id: str | None = strawberry.field(
        description="Who acted. Null unless you may see the customer's personal data."
    )
    actor_role: str = strawberry.field(description="The role they acted in, e.g. agent, system.")
    channel: str = strawberry.field(description="Where it came from, e.g. web, system.")
    position: str = strawberry.field(description="Log position of the event.")

    @classmethod
    def from_view(cls, view: TransactionView, personal: bool) -> TransactionType:
        reward = None
        if view.reward_id is not None:
            reward = RewardReferenceType(id=view.reward_id, name=view.reward_name)
        cause = TransactionCauseType(
            order_id=view.order_id,
            reward=reward,
            redemption_id=view.redemption_id,
            rule_ids=list(view.rule_ids),
            award=view.award,
            reason=view.reason if personal else None,
        )
        return cls(
            kind=view.kind,
            points=view.points,
            at=view.at,
            cause=cause,
            unrecovered=view.unrecovered,
            actor_id=view.actor_id if personal else None,
            actor_role=view.actor_role,
            channel=view.channel,
            position=str(view.seq),
        )


@strawberry.type(description="An edge of a loyalty transaction connection.")
class LoyaltyTransactionEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: TransactionType = strawberry.field(description="The transaction.")


@strawberry.type(description="A page of an account's transactions, newest first.")
class LoyaltyTransactionConnection:
    edges: list[LoyaltyTransactionEdge] = strawberry.field(description="This page's transactions.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(name="LoyaltyAccount", description="A customer's membership of the program.")
class LoyaltyAccountType:
    view: strawberry.Private[LoyaltyAccountView]

    @strawberry.field(description="The member.")
    def customer_id(self) -> UUID:
        return self.view.customer_id

    @strawberry.field(description="When they enrolled.")
    def enrolled_at(self) -> datetime:
        return self.view.enrolled_at

    @strawberry.field(description="Spendable and pending points now.")
    def balance(self) -> BalanceType:
        return BalanceType.from_view(self.view.balance)

    @strawberry.field(description="The member's tier.")
    def tier(self) -> LoyaltyTier:
        return LoyaltyTier(self.view.tier)

    @strawberry.field(description="Since when they hold it.")
    def tier_since(self) -> datetime:
        return self.view.tier_since

    @strawberry.field(description="What the tier gives: support priority, earning multiplier.")
    def benefits(self) -> TierBenefitsType:
        return TierBenefitsType.of(self.view.tier)

    @strawberry.field(
        description="Points earned in the trailing 365 days, after clawbacks: what tiers follow."
    )
    def qualifying_points(self) -> Long:
        return self.view.qualifying_points

    @strawberry.field(description="The next tier up; null at the top.")
    def next_tier(self) -> LoyaltyTier | None:
        return tier_of(self.view.next_tier)

    @strawberry.field(description="Qualifying points still needed for it; null at the top.")
    def points_to_next_tier(self) -> int | None:
        return self.view.points_to_next_tier

    @strawberry.field(description="The soonest points to expire; null if none.")
    def next_expiry(self) -> ExpiryType | None:
        expiry = self.view.next_expiry
        return None if expiry is None else ExpiryType.from_view(expiry)

    @strawberry.field(description="Points earned, all time.")
    def points_earned(self) -> Long:
        return self.view.points_earned

    @strawberry.field(description="Points redeemed, net of reversals, all time.")
    def points_redeemed(self) -> Long:
        return self.view.points_redeemed

    @strawberry.field(description="Points that expired, all time.")
    def points_expired(self) -> Long:
        return self.view.points_expired

    @strawberry.field(description="What expires next, soonest first.")
    async def upcoming_expiries(
        self,
        info: Info,
        limit: Annotated[int, strawberry.argument(description="How many, 1 to 100.")] = 5,
    ) -> list[ExpiryType]:
        if not 1 <= limit <= MAX_EXPIRIES:
            raise PublicError(f"`limit` must be between 1 and {MAX_EXPIRIES}", "INVALID_INPUT")
        async with info.context.pool.connection() as conn:
            due = await upcoming_expiries(conn, self.view.customer_id, datetime.now(UTC), limit)
        return [ExpiryType.from_view(e) for e in due]

    @strawberry.field(
        description="The balance as it was at a moment (with a time zone): zeros before the "
        "customer enrolled.",
        extensions=limited(FIGURES_COST),
    )
    async def balance_as_of(
        self,
        info: Info,
        at: Annotated[datetime, strawberry.argument(description="The moment, with a time zone.")],
    ) -> BalanceType | None:
        checked = moment(at, "at")
        async with info.context.pool.connection() as conn:
            view = await balance_as_of(conn, self.view.customer_id, checked)
        return None if view is None else BalanceType.from_view(view)

    @strawberry.field(
        description="The statement, newest first (Relay connection, `first`/`after` or "
        "`last`/`before`, up to 100). "
        "Reasons and actor ids only for roles that may see personal data and the customer."
    )
    async def transactions(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
    ) -> LoyaltyTransactionConnection:
        request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
        # Newest first: the transactions before a cursor are newer ones.
        read = transactions_page_newer if request.backward else transactions_page
        async with info.context.pool.connection() as conn:
            page = await read(conn, self.view.customer_id, request.size, request.cursor)
        personal = may_see_personal_data(info.context.principal, self.view.customer_id)
        return connection(
            LoyaltyTransactionConnection,
            LoyaltyTransactionEdge,
            CURSOR_KIND,
            page,
            lambda view: TransactionType.from_view(view, personal),
            after=after,
            position=lambda view: view.seq,
            request=request,
        )

    @strawberry.field(description="Every tier change, newest first.")
    async def tier_history(self, info: Info) -> list[TierChangeType]:
        async with info.context.pool.connection() as conn:
            changes = await tier_history(conn, self.view.customer_id)
        return [TierChangeType.from_view(c) for c in changes]
