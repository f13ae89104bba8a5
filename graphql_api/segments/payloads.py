"""Payloads of the segment mutations: the segment as the read model shows it after the
write (its members recomputed), its id, the write's position, and why nothing was written."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from graphql_api.segments.types import SegmentType
from projections.segments import queries
from projections.segments.projection import SegmentMembership


@strawberry.type(description="What every mutation on a segment answers.")
class SegmentPayload(Payload):
    segment: SegmentType | None = strawberry.field(
        description="The segment after the write; null if refused, or if the read model did "
        "not show the write in time (see notices)."
    )
    segment_id: UUID | None = strawberry.field(
        default=None, description="The segment written to; null if refused."
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = SegmentMembership.name

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        async with context.pool.connection() as conn:
            view = await queries.segment_by_id(conn, result.aggregate_id)
        return {
            "segment": None if view is None else SegmentType.from_view(view),
            "segment_id": result.aggregate_id,
        }


@strawberry.type(description="Result of defineSegment.")
class DefineSegmentPayload(SegmentPayload):
    pass


@strawberry.type(description="Result of changeSegmentRule.")
class ChangeSegmentRulePayload(SegmentPayload):
    pass


@strawberry.type(description="Result of archiveSegment.")
class ArchiveSegmentPayload(SegmentPayload):
    pass
