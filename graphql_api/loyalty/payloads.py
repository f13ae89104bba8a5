"""Payloads of the loyalty mutations: what the read model shows after the write (after a
bounded wait), the write's log position, and why nothing was written."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.loyalty.commands import Redemption
from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.loyalty.account import LoyaltyAccountType
from graphql_api.loyalty.queries import load_account, load_reward, load_rule, load_terms
from graphql_api.loyalty.types import EarningRuleType, LoyaltyProgramTermsType, RewardType
from graphql_api.mutation import Fields, Payload, Shown
from graphql_api.notices import NOTICES, Notice
from projections.loyalty.projection import LoyaltyStatements

POSITION = "Log position of the write; pass it as `atLeast` to read your write."
USER_ERRORS = "Why nothing was written."
SHOWN = "null if refused, or if the read model did not show the write in time (see notices)."
LATE = "even when {} is null because the read model is late; null if refused."


@strawberry.type(description="What every mutation on a loyalty account answers.")
class AccountPayload(Payload):
    account: LoyaltyAccountType | None = strawberry.field(
        description=f"The account after the write; {SHOWN}"
    )
    customer_id: UUID | None = strawberry.field(
        default=None,
        description="The customer whose account was written to, " + LATE.format("`account`"),
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = LoyaltyStatements.name


def showing_account(context: RequestContext, customer_id: UUID) -> Shown[CommandResult]:
    """Show the member's account (the command's result is the account, not its member)."""

    async def shown(result: CommandResult) -> Fields:
        return {"account": await load_account(context, customer_id), "customer_id": customer_id}

    return shown


def showing_redemption(context: RequestContext, customer_id: UUID) -> Shown[Redemption]:
    """Show the member's account, and what the redemption cost."""

    async def shown(redemption: Redemption) -> Fields:
        account = await showing_account(context, customer_id)(redemption.result)
        return {
            **account,
            "redemption_id": redemption.redemption_id,
            "points_spent": redemption.points,
        }

    return shown


@strawberry.type(description="Result of enrolInLoyalty.")
class EnrolInLoyaltyPayload(AccountPayload):
    pass


@strawberry.type(description="Result of redeemReward.")
class RedeemRewardPayload(AccountPayload):
    redemption_id: UUID | None = strawberry.field(
        description="The redemption (pass it to reverseRedemption); null if refused."
    )
    points_spent: int | None = strawberry.field(description="What it cost; null if refused.")


@strawberry.type(description="Result of reverseRedemption.")
class ReverseRedemptionPayload(AccountPayload):
    pass


@strawberry.type(description="Result of adjustPoints.")
class AdjustPointsPayload(AccountPayload):
    pass


@strawberry.type(description="What every mutation on the earning rule book answers.")
class EarningRulePayload(Payload):
    rule: EarningRuleType | None = strawberry.field(
        description=f"The rule after the write; {SHOWN}"
    )
    rule_id: UUID | None = strawberry.field(
        default=None, description="The rule written, " + LATE.format("`rule`")
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = LoyaltyStatements.name


def showing_rule(context: RequestContext, rule_id: UUID) -> Shown[CommandResult]:
    """Show the rule (the command's result is the rule book, not the rule)."""

    async def shown(result: CommandResult) -> Fields:
        return {"rule": await load_rule(context, rule_id), "rule_id": rule_id}

    return shown


@strawberry.type(description="Result of defineEarningRule.")
class DefineEarningRulePayload(EarningRulePayload):
    pass


@strawberry.type(description="Result of retireEarningRule.")
class RetireEarningRulePayload(EarningRulePayload):
    pass


@strawberry.type(description="Result of changeProgramTerms.")
class ChangeProgramTermsPayload(Payload):
    terms: LoyaltyProgramTermsType | None = strawberry.field(
        description=f"The terms after the write; {SHOWN}"
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = LoyaltyStatements.name

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        return {"terms": await load_terms(context)}


@strawberry.type(description="What every mutation on a reward answers.")
class RewardPayload(Payload):
    reward: RewardType | None = strawberry.field(description=f"The reward after the write; {SHOWN}")
    reward_id: UUID | None = strawberry.field(
        default=None, description="The reward written to, " + LATE.format("`reward`")
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = LoyaltyStatements.name

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        return {
            "reward": await load_reward(context, result.aggregate_id),
            "reward_id": result.aggregate_id,
        }


@strawberry.type(description="Result of addReward.")
class AddRewardPayload(RewardPayload):
    pass


@strawberry.type(description="Result of changeReward.")
class ChangeRewardPayload(RewardPayload):
    pass


@strawberry.type(description="Result of restockReward.")
class RestockRewardPayload(RewardPayload):
    pass


@strawberry.type(description="Result of retireReward.")
class RetireRewardPayload(RewardPayload):
    pass
