"""Segment queries and mutations: translate, delegate; the domain checks rules and decides."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from domain.segment.commands import ArchiveSegment, ChangeSegmentRule, DefineSegment
from domain.segment.rules import parse_rule
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.errors import PublicError
from graphql_api.mutation import INPUT, Info, run_command
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.read_your_writes import AtLeast, wait_for
from graphql_api.segments.inputs import (
    ArchiveSegmentInput,
    ChangeSegmentRuleInput,
    DefineSegmentInput,
    SegmentRuleInput,
    rule_json,
)
from graphql_api.segments.payloads import (
    ArchiveSegmentPayload,
    ChangeSegmentRulePayload,
    DefineSegmentPayload,
)
from graphql_api.segments.types import (
    RfmScores,
    SegmentConnection,
    SegmentEdge,
    SegmentPreview,
    SegmentType,
)
from projections.segments import queries
from projections.segments.projection import SegmentMembership

SEGMENT_CURSOR = "segment"
MAX_SAMPLE = 100


async def load_segment(context: RequestContext, segment_id: UUID) -> SegmentType | None:
    async with context.pool.connection() as conn:
        view = await queries.segment_by_id(conn, segment_id)
    return None if view is None else SegmentType.from_view(view)


async def segment(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The segment's id.")],  # noqa: A002
    at_least: AtLeast = None,
) -> SegmentType | None:
    await wait_for(info.context, SegmentMembership.name, at_least)
    return await load_segment(info.context, id)


async def segments(
    info: Info,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> SegmentConnection:
    request = page_request(SEGMENT_CURSOR, first=first, after=after, last=last, before=before)
    await wait_for(info.context, SegmentMembership.name, at_least)
    async with info.context.pool.connection() as conn:
        page = await queries.segments_page(conn, request.size, request.cursor, request.backward)
    return connection(
        SegmentConnection,
        SegmentEdge,
        SEGMENT_CURSOR,
        page,
        SegmentType.from_view,
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def preview_segment(
    info: Info,
    rule: Annotated[SegmentRuleInput, strawberry.argument(description="The rule to try.")],
    sample_size: Annotated[
        int, strawberry.argument(description=f"How many members to show, 0 to {MAX_SAMPLE}.")
    ] = 10,
) -> SegmentPreview:
    if not 0 <= sample_size <= MAX_SAMPLE:
        raise PublicError(f"`sampleSize` must be between 0 and {MAX_SAMPLE}", "INVALID_INPUT")
    try:
        parsed = parse_rule(rule_json(rule))
    except DomainError as error:
        raise PublicError(f"{error.field}: {error.message}", error.code) from None
    async with info.context.pool.connection() as conn:
        size, sample = await queries.preview(conn, parsed, sample_size)
    return SegmentPreview(size=size, sample=sample)


async def rfm_of(context: RequestContext, customer_id: UUID) -> RfmScores | None:
    """Customer 360's RFM scores; null until the customer has bought and been ranked."""
    view = await context.loaders.rfm.load(customer_id)
    if view is None:
        return None
    return RfmScores(recency=view.recency, frequency=view.frequency, monetary=view.monetary)


async def define_segment(
    info: Info,
    input: Annotated[DefineSegmentInput, INPUT],  # noqa: A002
) -> DefineSegmentPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.handle(
            DefineSegment(input.name, input.description, rule_json(input.rule), input.segment_id),
            metadata,
        ),
        DefineSegmentPayload,
    )


async def change_segment_rule(
    info: Info,
    input: Annotated[ChangeSegmentRuleInput, INPUT],  # noqa: A002
) -> ChangeSegmentRulePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.handle(
            ChangeSegmentRule(input.segment_id, rule_json(input.rule), input.expected_version),
            metadata,
        ),
        ChangeSegmentRulePayload,
    )


async def archive_segment(
    info: Info,
    input: Annotated[ArchiveSegmentInput, INPUT],  # noqa: A002
) -> ArchiveSegmentPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.handle(ArchiveSegment(input.segment_id, input.expected_version), metadata),
        ArchiveSegmentPayload,
    )
