"""Referral queries: translate, authorise (in schema.py), delegate to the read model.

The program's terms come from the write side (they have no read model); everything else from
the referral funnel read model, after an optional bounded wait for a mutation's position.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from graphql_api.context import RequestContext
from graphql_api.enums import ReferralFunnelGranularity
from graphql_api.errors import PublicError
from graphql_api.pagination import (
    DEFAULT_PAGE_SIZE,
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.read_your_writes import AtLeast, loaded_at_least, wait_for
from graphql_api.referrals.program import (
    FunnelPeriodType,
    FunnelType,
    ReferralTermsType,
    TopReferrerType,
)
from graphql_api.referrals.types import (
    INVITATION_CURSOR,
    REFERRAL_CURSOR,
    InvitationType,
    ReferralConnection,
    ReferralEdge,
    ReferralInvitationConnection,
    ReferralInvitationEdge,
    ReferralType,
    ReferrerType,
)
from projections.referrals import queries as read
from projections.referrals.projection import ReferralFunnel

Info = strawberry.Info[RequestContext, None]
MAX_TIME_ZONE = 64
MAX_TOP = 100
Customer = Annotated[UUID, strawberry.argument(description="The customer (the referrer).")]
Since = Annotated[
    datetime, strawberry.argument(description="Start of the period (inclusive), with a zone.")
]
Until = Annotated[
    datetime, strawberry.argument(description="End of the period (exclusive), with a zone.")
]


async def load_referrer(context: RequestContext, customer_id: UUID) -> ReferrerType | None:
    async with context.pool.connection() as conn:
        view = await read.referrer_view(conn, customer_id)
    return None if view is None else ReferrerType(view=view)


async def load_referral(context: RequestContext, friend_id: UUID) -> ReferralType | None:
    async with context.pool.connection() as conn:
        view = await read.referral_of_friend(conn, friend_id)
    return None if view is None else ReferralType(view=view)


async def load_referrals(
    context: RequestContext,
    customer_id: UUID,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    default_size: int = DEFAULT_PAGE_SIZE,
) -> ReferralConnection:
    request = page_request(
        REFERRAL_CURSOR,
        first=first,
        after=after,
        last=last,
        before=before,
        default_size=default_size,
    )
    # Newest first: the referrals before a cursor are newer ones.
    fetch = read.referrals_of_newer if request.backward else read.referrals_of
    async with context.pool.connection() as conn:
        page = await fetch(conn, customer_id, request.size, request.cursor)
    return connection(
        ReferralConnection,
        ReferralEdge,
        REFERRAL_CURSOR,
        page,
        lambda view: ReferralType(view=view),
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def load_invitations(
    context: RequestContext,
    customer_id: UUID,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> ReferralInvitationConnection:
    request = page_request(INVITATION_CURSOR, first=first, after=after, last=last, before=before)
    # Newest first: the invitations before a cursor are newer ones.
    fetch = read.invitations_of_newer if request.backward else read.invitations_of
    async with context.pool.connection() as conn:
        page = await fetch(conn, customer_id, request.size, request.cursor)
    return connection(
        ReferralInvitationConnection,
        ReferralInvitationEdge,
        INVITATION_CURSOR,
        page,
        lambda view: InvitationType(view=view),
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def load_terms(context: RequestContext) -> ReferralTermsType:
    return ReferralTermsType.of(await context.run_command(context.ledger.referral_terms))


async def referral_program_terms(info: Info) -> ReferralTermsType:
    return await load_terms(info.context)


async def referrer(
    info: Info, customer_id: Customer, at_least: AtLeast = None
) -> ReferrerType | None:
    return await referrer_answer(info.context, customer_id, at_least)


async def referrer_answer(
    context: RequestContext, customer_id: UUID, at_least: str | None = None
) -> ReferrerType | None:
    """``referrer``'s answer, and its direct resolver's (``plain_fields.DIRECT``)."""
    return await loaded_at_least(context, ReferralFunnel.name, at_least, load_referrer, customer_id)


async def referrals_of(
    info: Info,
    customer_id: Customer,
    first: FirstArgument = None,
    after: AfterArgument = None,
    at_least: AtLeast = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> ReferralConnection:
    await wait_for(info.context, ReferralFunnel.name, at_least)
    return await load_referrals(info.context, customer_id, first, after, last, before)


async def invitations_of(
    info: Info,
    customer_id: Customer,
    first: FirstArgument = None,
    after: AfterArgument = None,
    at_least: AtLeast = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> ReferralInvitationConnection:
    await wait_for(info.context, ReferralFunnel.name, at_least)
    return await load_invitations(info.context, customer_id, first, after, last, before)


async def referral_funnel(
    info: Info, since: Since, until: Until, at_least: AtLeast = None
) -> FunnelType:
    start, end = period(since, until)
    await wait_for(info.context, ReferralFunnel.name, at_least)
    async with info.context.pool.connection() as conn:
        return FunnelType.of(await read.funnel(conn, start, end))


async def referral_funnel_trend(
    info: Info,
    since: Since,
    until: Until,
    granularity: Annotated[
        ReferralFunnelGranularity, strawberry.argument(description="Per day, week or month.")
    ] = ReferralFunnelGranularity.WEEK,
    time_zone: Annotated[
        str, strawberry.argument(description="IANA time zone of the periods, e.g. Europe/Rome.")
    ] = "UTC",
    at_least: AtLeast = None,
) -> list[FunnelPeriodType]:
    start, end = period(since, until)
    if len(time_zone) > MAX_TIME_ZONE:
        raise PublicError("`timeZone` is not a time zone", "INVALID_INPUT")
    await wait_for(info.context, ReferralFunnel.name, at_least)
    try:
        async with info.context.pool.connection() as conn:
            buckets = await read.funnel_trend(conn, start, end, granularity.value, time_zone)
    except read.UnknownTimeZoneError:
        raise PublicError(f"unknown time zone {time_zone!r}", "INVALID_INPUT") from None
    return [FunnelPeriodType.of(bucket) for bucket in buckets]


async def top_referrers(
    info: Info,
    since: Since,
    until: Until,
    limit: Annotated[int, strawberry.argument(description="How many, 1 to 100.")] = 10,
    at_least: AtLeast = None,
) -> list[TopReferrerType]:
    start, end = period(since, until)
    if not 1 <= limit <= MAX_TOP:
        raise PublicError(f"`limit` must be between 1 and {MAX_TOP}", "INVALID_INPUT")
    await wait_for(info.context, ReferralFunnel.name, at_least)
    async with info.context.pool.connection() as conn:
        return [TopReferrerType.of(v) for v in await read.top_referrers(conn, start, end, limit)]


def period(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """A period the client gave: both ends with a time zone, in order."""
    for value, name in ((since, "since"), (until, "until")):
        if value.tzinfo is None:
            raise PublicError(
                f"`{name}` needs a time zone, e.g. 2026-01-31T00:00:00Z", "INVALID_INPUT"
            )
    if until < since:
        raise PublicError("`until` must not be before `since`", "INVALID_INPUT")
    return since, until
