"""Loyalty queries: translate, authorise (in schema.py), delegate to the read model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from graphql_api.context import RequestContext
from graphql_api.loyalty.account import LoyaltyAccountType
from graphql_api.loyalty.types import (
    EarningRuleType,
    LoyaltyProgramMetricsType,
    LoyaltyProgramTermsType,
    RewardConnection,
    RewardEdge,
    RewardType,
)
from graphql_api.moments import moment
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.read_your_writes import AtLeast, loaded_at_least, wait_for
from projections.loyalty.projection import LoyaltyStatements
from projections.loyalty.queries import (
    account_view,
    earning_rules,
    program_metrics,
    program_terms,
    reward_by_id,
    rewards_page,
    rewards_page_before,
)

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "reward"
IncludeRetired = Annotated[bool, strawberry.argument(description="Also those no longer in force.")]


async def load_account(context: RequestContext, customer_id: UUID) -> LoyaltyAccountType | None:
    async with context.pool.connection() as conn:
        view = await account_view(conn, customer_id, datetime.now(UTC))
    return None if view is None else LoyaltyAccountType(view=view)


async def load_reward(context: RequestContext, reward_id: UUID) -> RewardType | None:
    async with context.pool.connection() as conn:
        view = await reward_by_id(conn, reward_id)
    return None if view is None else RewardType.from_view(view)


async def load_rule(context: RequestContext, rule_id: UUID) -> EarningRuleType | None:
    async with context.pool.connection() as conn:
        rules = await earning_rules(conn, True)
    found = [r for r in rules if r.rule_id == rule_id]
    return EarningRuleType.from_view(found[0]) if found else None


async def load_terms(context: RequestContext) -> LoyaltyProgramTermsType:
    async with context.pool.connection() as conn:
        return LoyaltyProgramTermsType.from_view(await program_terms(conn))


async def loyalty_account(
    info: Info,
    customer_id: Annotated[UUID, strawberry.argument(description="The customer.")],
    at_least: AtLeast = None,
) -> LoyaltyAccountType | None:
    return await loyalty_account_answer(info.context, customer_id, at_least)


async def loyalty_account_answer(
    context: RequestContext, customer_id: UUID, at_least: str | None = None
) -> LoyaltyAccountType | None:
    """``loyaltyAccount``'s answer, and its direct resolver's (``plain_fields.DIRECT``)."""
    return await loaded_at_least(
        context, LoyaltyStatements.name, at_least, load_account, customer_id
    )


async def rewards(
    info: Info,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    include_retired: IncludeRetired = False,
    at_least: AtLeast = None,
) -> RewardConnection:
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    await wait_for(info.context, LoyaltyStatements.name, at_least)
    async with info.context.pool.connection() as conn:
        if request.backward:
            page = await rewards_page_before(conn, request.size, request.cursor, include_retired)
        else:
            page = await rewards_page(conn, request.size, request.cursor, include_retired)
    return connection(
        RewardConnection,
        RewardEdge,
        CURSOR_KIND,
        page,
        RewardType.from_view,
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def earning_rules_in_force(
    info: Info, include_retired: IncludeRetired = False, at_least: AtLeast = None
) -> list[EarningRuleType]:
    await wait_for(info.context, LoyaltyStatements.name, at_least)
    async with info.context.pool.connection() as conn:
        rules = await earning_rules(conn, include_retired)
    return [EarningRuleType.from_view(r) for r in rules]


async def loyalty_program_terms(info: Info, at_least: AtLeast = None) -> LoyaltyProgramTermsType:
    await wait_for(info.context, LoyaltyStatements.name, at_least)
    return await load_terms(info.context)


async def loyalty_program_metrics(
    info: Info,
    at: Annotated[
        datetime | None,
        strawberry.argument(description="The moment, with a time zone; left out: now."),
    ] = None,
    at_least: AtLeast = None,
) -> LoyaltyProgramMetricsType:
    when = datetime.now(UTC) if at is None else moment(at, "at")
    await wait_for(info.context, LoyaltyStatements.name, at_least)
    async with info.context.pool.connection() as conn:
        return LoyaltyProgramMetricsType.from_view(await program_metrics(conn, when))
