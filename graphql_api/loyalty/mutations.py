"""Loyalty mutations: translate the input, delegate to the ledger; the domain decides.

Every check that can refuse (balance, stock, tier, reasons, amounts) runs inside the command,
so a refusal is a user error and writes nothing. A field the client left out of changeReward
(``strawberry.UNSET``) keeps the reward's current value, read inside the command.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar
from uuid import UUID, uuid4

import strawberry

from domain.loyalty.commands import AddReward, Redemption
from domain.loyalty.reward import Reward
from domain.loyalty.values import (
    CapPeriod,
    EarningRule,
    ProgramTerms,
    RewardKind,
    RuleDimension,
    RuleKind,
    Tier,
)
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.errors import user_error_from
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
from graphql_api.loyalty.queries import load_account, load_reward, load_rule, load_terms
from graphql_api.loyalty.types import LoyaltyTierType
from graphql_api.notices import Notice
from projections.loyalty.projection import LoyaltyStatements

Info = strawberry.Info[RequestContext, None]
INPUT = strawberry.argument(description="What to do; see the input type.")
T = TypeVar("T")
A = TypeVar("A", bound=p.AccountPayload)
R = TypeVar("R", bound=p.RewardPayload)
E = TypeVar("E", bound=p.EarningRulePayload)


Written = tuple[CommandResult, list[Notice]]


async def _written(
    context: RequestContext, command: Callable[[], CommandResult]
) -> Written | DomainError:
    """Run the command; wait (bounded) until the loyalty read model shows its write."""
    try:
        result = await context.run_command(command)
    except DomainError as error:
        return error
    return result, await context.wait_for_write(LoyaltyStatements.name, result.position)


async def _payload(
    context: RequestContext,
    command: Callable[[], CommandResult],
    refused: Callable[[DomainError], T],
    shown: Callable[[CommandResult, list[Notice]], Awaitable[T]],
) -> T:
    outcome = await _written(context, command)
    return refused(outcome) if isinstance(outcome, DomainError) else await shown(*outcome)


async def _account_payload(
    context: RequestContext,
    payload: type[A],
    customer_id: UUID,
    command: Callable[[], CommandResult],
) -> A:
    async def shown(result: CommandResult, notices: list[Notice]) -> A:
        return payload(
            account=await load_account(context, customer_id),
            customer_id=customer_id,
            position=str(result.position),
            user_errors=[],
            notices=notices,
        )

    def refused(error: DomainError) -> A:
        return payload(account=None, position=None, user_errors=[user_error_from(error)])

    return await _payload(context, command, refused, shown)


async def _reward_payload(
    context: RequestContext, payload: type[R], command: Callable[[], CommandResult]
) -> R:
    async def shown(result: CommandResult, notices: list[Notice]) -> R:
        return payload(
            reward=await load_reward(context, result.aggregate_id),
            reward_id=result.aggregate_id,
            position=str(result.position),
            user_errors=[],
            notices=notices,
        )

    def refused(error: DomainError) -> R:
        return payload(reward=None, position=None, user_errors=[user_error_from(error)])

    return await _payload(context, command, refused, shown)


async def _rule_payload(
    context: RequestContext, payload: type[E], rule_id: UUID, command: Callable[[], CommandResult]
) -> E:
    async def shown(result: CommandResult, notices: list[Notice]) -> E:
        return payload(
            rule=await load_rule(context, rule_id),
            rule_id=rule_id,
            position=str(result.position),
            user_errors=[],
            notices=notices,
        )

    def refused(error: DomainError) -> E:
        return payload(rule=None, position=None, user_errors=[user_error_from(error)])

    return await _payload(context, command, refused, shown)


async def enrol_in_loyalty(
    info: Info,
    input: Annotated[EnrolInLoyaltyInput, INPUT],  # noqa: A002
) -> p.EnrolInLoyaltyPayload:
    context, metadata = info.context, info.context.metadata()
    return await _account_payload(
        context,
        p.EnrolInLoyaltyPayload,
        input.customer_id,
        lambda: context.ledger.enrol_in_loyalty(input.customer_id, metadata),
    )


async def redeem_reward(
    info: Info,
    input: Annotated[RedeemRewardInput, INPUT],  # noqa: A002
) -> p.RedeemRewardPayload:
    context, metadata = info.context, info.context.metadata()
    try:
        redemption: Redemption = await context.run_command(
            context.ledger.redeem_reward,
            input.customer_id,
            input.reward_id,
            metadata,
            input.redemption_id,
        )
    except DomainError as error:
        return p.RedeemRewardPayload(
            account=None,
            position=None,
            user_errors=[user_error_from(error)],
            redemption_id=None,
            points_spent=None,
        )
    notices = await context.wait_for_write(LoyaltyStatements.name, redemption.result.position)
    return p.RedeemRewardPayload(
        account=await load_account(context, input.customer_id),
        customer_id=input.customer_id,
        position=str(redemption.result.position),
        user_errors=[],
        notices=notices,
        redemption_id=redemption.redemption_id,
        points_spent=redemption.points,
    )


async def reverse_redemption(
    info: Info,
    input: Annotated[ReverseRedemptionInput, INPUT],  # noqa: A002
) -> p.ReverseRedemptionPayload:
    context, metadata = info.context, info.context.metadata()
    return await _account_payload(
        context,
        p.ReverseRedemptionPayload,
        input.customer_id,
        lambda: context.ledger.reverse_redemption(
            input.customer_id, input.redemption_id, input.reason, metadata
        ),
    )


async def adjust_points(
    info: Info,
    input: Annotated[AdjustPointsInput, INPUT],  # noqa: A002
) -> p.AdjustPointsPayload:
    context, metadata = info.context, info.context.metadata()
    return await _account_payload(
        context,
        p.AdjustPointsPayload,
        input.customer_id,
        lambda: context.ledger.adjust_points(
            input.customer_id, input.points, input.reason, metadata
        ),
    )


async def define_earning_rule(
    info: Info,
    input: Annotated[DefineEarningRuleInput, INPUT],  # noqa: A002
) -> p.DefineEarningRulePayload:
    context, metadata = info.context, info.context.metadata()
    rule = EarningRule(
        rule_id=input.rule_id or uuid4(),
        name=input.name,
        kind=RuleKind(input.kind.value),
        points_per_unit=input.points_per_unit,
        currency=input.currency,
        dimension=None if input.dimension is None else RuleDimension(input.dimension.value),
        match=input.match,
        percent=input.percent,
        bonus_points=input.bonus_points,
        period=None if input.period is None else CapPeriod(input.period.value),
        max_points=input.max_points,
    )
    return await _rule_payload(
        context,
        p.DefineEarningRulePayload,
        rule.rule_id,
        lambda: context.ledger.define_earning_rule(rule, metadata),
    )


async def retire_earning_rule(
    info: Info,
    input: Annotated[RetireEarningRuleInput, INPUT],  # noqa: A002
) -> p.RetireEarningRulePayload:
    context, metadata = info.context, info.context.metadata()
    return await _rule_payload(
        context,
        p.RetireEarningRulePayload,
        input.rule_id,
        lambda: context.ledger.retire_earning_rule(input.rule_id, metadata),
    )


async def change_program_terms(
    info: Info,
    input: Annotated[ChangeProgramTermsInput, INPUT],  # noqa: A002
) -> p.ChangeProgramTermsPayload:
    context, metadata = info.context, info.context.metadata()
    terms = ProgramTerms(input.points_lifetime_days, input.return_window_days)

    async def shown(result: CommandResult, notices: list[Notice]) -> p.ChangeProgramTermsPayload:
        return p.ChangeProgramTermsPayload(
            terms=await load_terms(context),
            position=str(result.position),
            user_errors=[],
            notices=notices,
        )

    def refused(error: DomainError) -> p.ChangeProgramTermsPayload:
        return p.ChangeProgramTermsPayload(
            terms=None, position=None, user_errors=[user_error_from(error)]
        )

    def command() -> CommandResult:
        return context.ledger.change_program_terms(terms, metadata)

    return await _payload(context, command, refused, shown)


def _tier(tier: LoyaltyTierType | None) -> Tier | None:
    return None if tier is None else Tier(tier.value)


async def add_reward(
    info: Info,
    input: Annotated[AddRewardInput, INPUT],  # noqa: A002
) -> p.AddRewardPayload:
    context, metadata = info.context, info.context.metadata()
    command = AddReward(
        name=input.name,
        kind=RewardKind(input.kind.value),
        cost_points=input.cost_points,
        description=input.description,
        stock=input.stock,
        min_tier=_tier(input.min_tier),
        reward_id=input.reward_id,
    )
    return await _reward_payload(
        context, p.AddRewardPayload, lambda: context.ledger.add_reward(command, metadata)
    )


def _changed(input: ChangeRewardInput) -> Callable[[Reward, datetime], None]:  # noqa: A002
    """The change to apply to the reward as it is inside the command: unsent fields keep."""
    unset = strawberry.UNSET

    def change(reward: Reward, at: datetime) -> None:
        reward.change(
            reward.name if input.name is unset else input.name or "",
            reward.description if input.description is unset else input.description or "",
            reward.cost_points if input.cost_points is unset else input.cost_points or 0,
            reward.min_tier if input.min_tier is unset else _tier(input.min_tier),
            at,
        )

    return change


async def change_reward(
    info: Info,
    input: Annotated[ChangeRewardInput, INPUT],  # noqa: A002
) -> p.ChangeRewardPayload:
    context, metadata = info.context, info.context.metadata()
    change = _changed(input)
    return await _reward_payload(
        context,
        p.ChangeRewardPayload,
        lambda: context.ledger.change_reward(input.reward_id, change, metadata),
    )


async def restock_reward(
    info: Info,
    input: Annotated[RestockRewardInput, INPUT],  # noqa: A002
) -> p.RestockRewardPayload:
    context, metadata = info.context, info.context.metadata()
    return await _reward_payload(
        context,
        p.RestockRewardPayload,
        lambda: context.ledger.change_reward(
            input.reward_id, lambda r, at: r.restock(input.quantity, at), metadata
        ),
    )


async def retire_reward(
    info: Info,
    input: Annotated[RetireRewardInput, INPUT],  # noqa: A002
) -> p.RetireRewardPayload:
    context, metadata = info.context, info.context.metadata()
    return await _reward_payload(
        context,
        p.RetireRewardPayload,
        lambda: context.ledger.change_reward(input.reward_id, lambda r, at: r.retire(at), metadata),
    )
