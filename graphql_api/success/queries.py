"""Resolvers of customer health: a customer's score on Customer 360, and the at-risk list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from graphql_api.context import RequestContext
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.permissions import READERS
from graphql_api.success.plan_inputs import SuccessPlanFilterInput
from graphql_api.success.plan_types import SuccessPlanConnection, SuccessPlanEdge, SuccessPlanType
from graphql_api.success.types import (
    AtRiskCustomerConnection,
    AtRiskCustomerEdge,
    HealthType,
    at_risk_node,
)
from projections.success.plan_queries import PlanFilter, plans_page, plans_page_before
from projections.success.queries import at_risk_page, at_risk_page_before, health_or_default
from projections.success.queries import health_row as read_health_row

AT_RISK_CURSOR = "at-risk"


async def health_of_customer(context: RequestContext, customer_id: UUID) -> HealthType | None:
    """The customer's health for staff who read service data; null for anyone else (the
    customer themself included: it is staff's judgement, not the customer's data)."""
    if context.principal.role not in READERS:
        return None
    async with context.pool.connection() as conn:
        row = await read_health_row(conn, customer_id)
    return HealthType.of(health_or_default(row, datetime.now(UTC)))


async def customers_at_risk(
    info: Info[RequestContext, None],
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> AtRiskCustomerConnection:
    request = page_request(AT_RISK_CURSOR, first=first, after=after, last=last, before=before)
    now = datetime.now(UTC)
    async with info.context.pool.connection() as conn:
        if request.backward:
            page = await at_risk_page_before(conn, request.size, request.cursor, now)
        else:
            page = await at_risk_page(conn, request.size, request.cursor or 0, now)
    return connection(
        AtRiskCustomerConnection,
        AtRiskCustomerEdge,
        AT_RISK_CURSOR,
        page,
        lambda item: at_risk_node(str(item.customer_id), item.health),
        after=after,
        position=lambda item: item.cursor,
        request=request,
    )


PLANS_CURSOR = "success-plans"


async def success_plans(
    info: Info[RequestContext, None],
    filter: Annotated[  # noqa: A002
        SuccessPlanFilterInput | None,
        strawberry.argument(description="Which plans; left out: every plan."),
    ] = None,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> SuccessPlanConnection:
    given = PlanFilter() if filter is None else PlanFilter(filter.status, filter.band)
    return await plans_connection(info.context, given, first, after, last, before, 20)


async def plans_of_customer(
    context: RequestContext,
    customer_id: UUID,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> SuccessPlanConnection | None:
    """The customer's plans on Customer 360, for staff readers; null for the customer."""
    if context.principal.role not in READERS:
        return None
    given = PlanFilter(customer_id=customer_id)
    return await plans_connection(context, given, first, after, last, before, 10)


async def plans_connection(
    context: RequestContext,
    given: PlanFilter,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default_size: int,
) -> SuccessPlanConnection:
    request = page_request(
        PLANS_CURSOR,
        first=first,
        after=after,
        last=last,
        before=before,
        default_size=default_size,
    )
    now = datetime.now(UTC)
    async with context.pool.connection() as conn:
        if request.backward:
            page = await plans_page_before(conn, given, request.size, request.cursor, now)
        else:
            page = await plans_page(conn, given, request.size, request.cursor or 0, now)
    return connection(
        SuccessPlanConnection,
        SuccessPlanEdge,
        PLANS_CURSOR,
        page,
        lambda view: SuccessPlanType(view=view),
        after=after,
        position=lambda view: view.seq,
        request=request,
    )
