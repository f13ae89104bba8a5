"""Output types of segments: the segment, its members (stays), its size over time, a
preview, and a customer's RFM scores."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from graphql_api.context import RequestContext
from graphql_api.enums import TrendInterval
from graphql_api.errors import PublicError
from graphql_api.limits.costs import DASHBOARD_COST, FIGURES_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    PageInfo,
    connection,
    page_request,
)
from graphql_api.scalars import Long
from projections.segments import queries
from projections.segments.queries import MemberView, SegmentView

Info = strawberry.Info[RequestContext, None]
MEMBER_CURSOR = "segment-member"
MAX_TREND_POINTS = 400


@strawberry.type(description="One customer's stay in a segment: when and why it began.")
class SegmentMember:
    customer_id: UUID = strawberry.field(description="The customer.")
    entered_at: datetime = strawberry.field(description="When they entered the segment.")
    entered_because: str = strawberry.field(
        description="The event that moved them in, e.g. Purchase.Recorded, Segment.RuleChanged "
        "or RfmRecomputed."
    )
    left_at: datetime | None = strawberry.field(
        description="When they left; null while they are in it."
    )
    left_because: str | None = strawberry.field(description="The event that moved them out.")

    @classmethod
    def from_view(cls, view: MemberView) -> SegmentMember:
        return cls(
            customer_id=view.customer_id,
            entered_at=view.entered_at,
            entered_because=view.entered_reason,
            left_at=view.left_at,
            left_because=view.left_reason,
        )


@strawberry.type(description="A segment member and its cursor.")
class SegmentMemberEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after` or `before`.")
    node: SegmentMember = strawberry.field(description="The member.")


@strawberry.type(description="A page of a segment's members, in the order they entered.")
class SegmentMemberConnection:
    edges: list[SegmentMemberEdge] = strawberry.field(description="The members of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(description="The size of a segment at one instant.")
class SegmentSizePoint:
    at: datetime = strawberry.field(description="The instant.")
    size: Long = strawberry.field(
        description="Customers in the segment then, erased customers included (anonymously)."
    )


@strawberry.type(description="A customer's RFM quintiles among every customer who has bought.")
class RfmScores:
    recency: int = strawberry.field(description="1-5; 5: among the most recent buyers.")
    frequency: int = strawberry.field(description="1-5; 5: among the most frequent buyers.")
    monetary: int = strawberry.field(description="1-5; 5: among the biggest spenders.")


@strawberry.type(description="Who an unsaved rule takes in now.")
class SegmentPreview:
    size: Long = strawberry.field(description="Customers the rule takes in now.")
    sample: list[UUID] = strawberry.field(
        description="Up to `sampleSize` of them (ids, in id order)."
    )


@strawberry.type(description="A named rule over customers' facts, and who was in it when.")
class SegmentType:
    id: UUID = strawberry.field(description="The segment's id.")
    name: str = strawberry.field(description="Its name.")
    description: str = strawberry.field(description="What it is for.")
    rule_json: str = strawberry.field(
        description="Its rule, as JSON: {all: [...]}, {any: [...]}, {not: ...} or "
        '{"field": ..., "values": [...]} / {"field": ..., "min": ..., "max": ...}.'
    )
    defined_at: datetime = strawberry.field(description="When it was defined.")
    rule_changed_at: datetime | None = strawberry.field(
        description="When its rule last changed; null if never."
    )
    archived_at: datetime | None = strawberry.field(
        description="When it was archived (it then has no members); null while live."
    )
    version: int = strawberry.field(description="Its version, for expectedVersion.")

    @classmethod
    def from_view(cls, view: SegmentView) -> SegmentType:
        return cls(
            id=view.segment_id,
            name=view.name,
            description=view.description,
            rule_json=json.dumps(view.rule, sort_keys=True),
            defined_at=view.defined_at,
            rule_changed_at=view.rule_changed_at,
            archived_at=view.archived_at,
            version=view.version,
        )

    @strawberry.field(description="Customers in it now.", extensions=limited(FIGURES_COST))
    async def size(self, info: Info) -> Long:
        async with info.context.pool.connection() as conn:
            return await queries.segment_size(conn, self.id)

    @strawberry.field(
        description="Customers in it now, in the order they entered (Relay connection, "
        "`first`/`after` or `last`/`before`, up to 100)."
    )
    async def members(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
    ) -> SegmentMemberConnection:
        return await self._members(info, None, first, after, last, before)

    @strawberry.field(
        description="Customers who were in it at `date`, from its history (Relay connection, "
        "`first`/`after` or `last`/`before`, up to 100). Erased customers are not listed."
    )
    async def members_at(
        self,
        info: Info,
        date: Annotated[datetime, strawberry.argument(description="The instant asked about.")],
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
    ) -> SegmentMemberConnection:
        return await self._members(info, date, first, after, last, before)

    @strawberry.field(
        description=f"Its size at `from` and every `interval` up to `to` (at most "
        f"{MAX_TREND_POINTS} points), from its history. Expensive: it waits for a slot of "
        "heavy work.",
        extensions=limited(DASHBOARD_COST, gate=heavy),
    )
    async def size_trend(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from", description="First point.")],
        to: Annotated[datetime, strawberry.argument(description="No point after this.")],
        interval: Annotated[
            TrendInterval, strawberry.argument(description="Time between two points.")
        ],
    ) -> list[SegmentSizePoint]:
        check_trend(from_, to, interval)
        async with info.context.pool.connection() as conn:
            points = await queries.size_trend(conn, self.id, from_, to, f"1 {interval.value}")
        return [SegmentSizePoint(at=at, size=size) for at, size in points]

    async def _members(
        self,
        info: Info,
        at: datetime | None,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
    ) -> SegmentMemberConnection:
        request = page_request(MEMBER_CURSOR, first=first, after=after, last=last, before=before)
        async with info.context.pool.connection() as conn:
            page = await queries.members_page(
                conn, self.id, request.size, request.cursor, request.backward, at
            )
        return connection(
            SegmentMemberConnection,
            SegmentMemberEdge,
            MEMBER_CURSOR,
            page,
            SegmentMember.from_view,
            after=after,
            position=lambda view: view.membership_id,
            request=request,
        )


@strawberry.type(description="A segment and its cursor.")
class SegmentEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after` or `before`.")
    node: SegmentType = strawberry.field(description="The segment.")


@strawberry.type(description="A page of segments, in the order they were defined.")
class SegmentConnection:
    edges: list[SegmentEdge] = strawberry.field(description="The segments of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


def check_trend(start: datetime, end: datetime, interval: TrendInterval) -> None:
    days = {TrendInterval.DAY: 1, TrendInterval.WEEK: 7, TrendInterval.MONTH: 28}[interval]
    if start.tzinfo is None or end.tzinfo is None or end < start:
        raise PublicError("`from` must not be after `to`", "INVALID_INPUT")
    if (end - start).days // days + 1 > MAX_TREND_POINTS:
        raise PublicError(f"a trend has at most {MAX_TREND_POINTS} points", "INVALID_INPUT")
