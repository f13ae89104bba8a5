"""Loyalty mutations: translate the input, delegate to the ledger; the domain decides.

Every check that can refuse (balance, stock, tier, reasons, amounts) runs inside the command,
so a refusal is a user error and writes nothing. A field the client left out of changeReward
(``strawberry.UNSET``) keeps the reward's current value, read inside the command.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from uuid import uuid4

import strawberry

from domain.loyalty.commands import AddReward
from domain.loyalty.reward import Reward
from domain.loyalty.values import EarningRule, ProgramTerms
from graphql_api.loyalty import payloads as p
from graphql_api.loyalty.inputs import (
    AddRewardInput,
    AdjustPointsInput,
    ChangeProgramTermsInput,
    ChangeRewardInput,
    DefineEarningRuleInput,
    EnrolInLoyaltyInput,
    RedeemRewardInput,
    RestockRewardInput,
    RetireEarningRuleInput,
    RetireRewardInput,
    ReverseRedemptionInput,
)
from graphql_api.mutation import INPUT, Info, run_command


async def enrol_in_loyalty(
    info: Info,
    input: Annotated[EnrolInLoyaltyInput, INPUT],  # noqa: A002
) -> p.EnrolInLoyaltyPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.enrol_in_loyalty(input.customer_id, metadata),
        p.EnrolInLoyaltyPayload,
        p.showing_account(info.context, input.customer_id),
    )


async def redeem_reward(
    info: Info,
    input: Annotated[RedeemRewardInput, INPUT],  # noqa: A002
) -> p.RedeemRewardPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.redeem_reward(
            input.customer_id, input.reward_id, metadata, input.redemption_id
        ),
        p.RedeemRewardPayload,
        p.showing_redemption(info.context, input.customer_id),
    )


async def reverse_redemption(
    info: Info,
    input: Annotated[ReverseRedemptionInput, INPUT],  # noqa: A002
) -> p.ReverseRedemptionPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.reverse_redemption(
            input.customer_id, input.redemption_id, input.reason, metadata
        ),
        p.ReverseRedemptionPayload,
        p.showing_account(info.context, input.customer_id),
    )


async def adjust_points(
    info: Info,
    input: Annotated[AdjustPointsInput, INPUT],  # noqa: A002
) -> p.AdjustPointsPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.adjust_points(input.customer_id, input.points, input.reason, metadata),
        p.AdjustPointsPayload,
        p.showing_account(info.context, input.customer_id),
    )


async def define_earning_rule(
    info: Info,
    input: Annotated[DefineEarningRuleInput, INPUT],  # noqa: A002
) -> p.DefineEarningRulePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    rule = EarningRule(
        rule_id=input.rule_id or uuid4(),
        name=input.name,
        kind=input.kind,
        points_per_unit=input.points_per_unit,
        currency=input.currency,
        dimension=input.dimension,
        match=input.match,
        percent=input.percent,
        bonus_points=input.bonus_points,
        period=input.period,
        max_points=input.max_points,
    )
    return await run_command(
        info,
        lambda: ledger.define_earning_rule(rule, metadata),
        p.DefineEarningRulePayload,
        p.showing_rule(info.context, rule.rule_id),
    )


async def retire_earning_rule(
    info: Info,
    input: Annotated[RetireEarningRuleInput, INPUT],  # noqa: A002
) -> p.RetireEarningRulePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.retire_earning_rule(input.rule_id, metadata),
        p.RetireEarningRulePayload,
        p.showing_rule(info.context, input.rule_id),
    )


async def change_program_terms(
    info: Info,
    input: Annotated[ChangeProgramTermsInput, INPUT],  # noqa: A002
) -> p.ChangeProgramTermsPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    terms = ProgramTerms(input.points_lifetime_days, input.return_window_days)
    return await run_command(
        info, lambda: ledger.change_program_terms(terms, metadata), p.ChangeProgramTermsPayload
    )


async def add_reward(
    info: Info,
    input: Annotated[AddRewardInput, INPUT],  # noqa: A002
) -> p.AddRewardPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = AddReward(
        name=input.name,
        kind=input.kind,
        cost_points=input.cost_points,
        description=input.description,
        stock=input.stock,
        min_tier=input.min_tier,
        reward_id=input.reward_id,
    )
    return await run_command(info, lambda: ledger.add_reward(command, metadata), p.AddRewardPayload)


def _changed(input: ChangeRewardInput) -> Callable[[Reward, datetime], None]:  # noqa: A002
    """The change to apply to the reward as it is inside the command: unsent fields keep."""
    unset = strawberry.UNSET

    def change(reward: Reward, at: datetime) -> None:
        reward.change(
            reward.name if input.name is unset else input.name or "",
            reward.description if input.description is unset else input.description or "",
            reward.cost_points if input.cost_points is unset else input.cost_points or 0,
            reward.min_tier if input.min_tier is unset else input.min_tier,
            at,
        )

    return change


async def change_reward(
    info: Info,
    input: Annotated[ChangeRewardInput, INPUT],  # noqa: A002
) -> p.ChangeRewardPayload:
    ledger, metadata, change = info.context.ledger, info.context.metadata(), _changed(input)
    return await run_command(
        info,
        lambda: ledger.change_reward(input.reward_id, change, metadata),
        p.ChangeRewardPayload,
    )


async def restock_reward(
    info: Info,
    input: Annotated[RestockRewardInput, INPUT],  # noqa: A002
) -> p.RestockRewardPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.change_reward(
            input.reward_id, lambda r, at: r.restock(input.quantity, at), metadata
        ),
        p.RestockRewardPayload,
    )


async def retire_reward(
    info: Info,
    input: Annotated[RetireRewardInput, INPUT],  # noqa: A002
) -> p.RetireRewardPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.change_reward(input.reward_id, lambda r, at: r.retire(at), metadata),
        p.RetireRewardPayload,
    )
