"""Exclusive events queries: translate, authorise (in schema.py), delegate to the read model.

A customer sees the events their tier is invited to (their tier is read from the loyalty
slice's write side, so a promotion counts at once); a customer who is not a member sees none.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.enums import LoyaltyTier
from graphql_api.exclusive_events.types import (
    EVENT_CURSOR,
    GUEST_CURSOR,
    EventGuestConnection,
    EventGuestEdge,
    EventGuestType,
    ExclusiveEventConnection,
    ExclusiveEventEdge,
    ExclusiveEventType,
)
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.read_your_writes import AtLeast, wait_for
from projections.exclusive_events import queries as read
from projections.exclusive_events.projection import ExclusiveEvents

Info = strawberry.Info[RequestContext, None]
TierFilter = Annotated[
    LoyaltyTier | None,
    strawberry.argument(
        description="Staff: only events inviting this tier. A customer always sees their own."
    ),
]


async def load_event(context: RequestContext, event_id: UUID) -> ExclusiveEventType | None:
    async with context.pool.connection() as conn:
        view = await read.event_view(conn, event_id)
    return None if view is None else ExclusiveEventType(view=view)


async def upcoming_events(
    info: Info,
    tier: TierFilter = None,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> ExclusiveEventConnection:
    context = info.context
    request = page_request(EVENT_CURSOR, first=first, after=after, last=last, before=before)
    tiers = None if tier is None else [tier.value]
    if context.principal.role is Role.CUSTOMER:
        customer_id = UUID(context.principal.actor_id)
        own = await context.run_command(context.ledger.loyalty_tier, customer_id)
        tiers = [] if own is None else [own.value]
    await wait_for(context, ExclusiveEvents.name, at_least)
    async with context.pool.connection() as conn:
        page = await read.upcoming_events(
            conn, datetime.now(UTC), tiers, request.size, request.cursor, backward=request.backward
        )
    return connection(
        ExclusiveEventConnection,
        ExclusiveEventEdge,
        EVENT_CURSOR,
        page,
        lambda view: ExclusiveEventType(view=view),
        after=after,
        position=read.upcoming_place,
        request=request,
    )


async def event_guests(
    info: Info,
    event_id: Annotated[UUID, strawberry.argument(description="The event.")],
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> EventGuestConnection:
    request = page_request(GUEST_CURSOR, first=first, after=after, last=last, before=before)
    await wait_for(info.context, ExclusiveEvents.name, at_least)
    async with info.context.pool.connection() as conn:
        page = await read.guests_of(
            conn, event_id, request.size, request.cursor, backward=request.backward
        )
    return connection(
        EventGuestConnection,
        EventGuestEdge,
        GUEST_CURSOR,
        page,
        lambda view: EventGuestType(view=view),
        after=after,
        position=lambda view: view.seq,
        request=request,
    )
