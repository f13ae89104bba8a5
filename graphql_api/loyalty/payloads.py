"""Payloads of the loyalty mutations: what the read model shows after the write (after a
bounded wait), the write's log position, and why nothing was written."""

from __future__ import annotations

from uuid import UUID

import strawberry

from graphql_api.errors import UserError
from graphql_api.loyalty.account import LoyaltyAccountType
from graphql_api.loyalty.types import EarningRuleType, LoyaltyProgramTermsType, RewardType
from graphql_api.notices import NOTICES, Notice

POSITION = "Log position of the write; pass it as `atLeast` to read your write."
USER_ERRORS = "Why nothing was written."
SHOWN = "null if refused, or if the read model did not show the write in time (see notices)."
LATE = "even when {} is null because the read model is late; null if refused."


@strawberry.type(description="What every mutation on a loyalty account answers.")
class AccountPayload:
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
class EarningRulePayload:
    rule: EarningRuleType | None = strawberry.field(
        description=f"The rule after the write; {SHOWN}"
    )
    rule_id: UUID | None = strawberry.field(
        default=None, description="The rule written, " + LATE.format("`rule`")
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)


@strawberry.type(description="Result of defineEarningRule.")
class DefineEarningRulePayload(EarningRulePayload):
    pass


@strawberry.type(description="Result of retireEarningRule.")
class RetireEarningRulePayload(EarningRulePayload):
    pass


@strawberry.type(description="Result of changeProgramTerms.")
class ChangeProgramTermsPayload:
    terms: LoyaltyProgramTermsType | None = strawberry.field(
        description=f"The terms after the write; {SHOWN}"
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)


@strawberry.type(description="What every mutation on a reward answers.")
class RewardPayload:
    reward: RewardType | None = strawberry.field(description=f"The reward after the write; {SHOWN}")
    reward_id: UUID | None = strawberry.field(
        default=None, description="The reward written to, " + LATE.format("`reward`")
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)


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
