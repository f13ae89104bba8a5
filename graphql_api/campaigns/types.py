"""Output types of campaigns: the campaign, its figures and its recipients."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from domain.campaign.values import CampaignStatus, SkipReason
from domain.shared.metadata import Role
from graphql_api import enums  # noqa: F401 (declares the campaign enums to strawberry)
from graphql_api.context import RequestContext
from graphql_api.limits.costs import FIGURES_COST
from graphql_api.limits.declare import limited
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    PageInfo,
    connection,
    page_request,
)
from graphql_api.permissions import allowed
from graphql_api.scalars import Long
from projections.campaigns import queries
from projections.campaigns.queries import CampaignView, NpsFigures, RecipientView

Info = strawberry.Info[RequestContext, None]
RECIPIENT_CURSOR = "campaign-recipient"
RECIPIENT_READERS = frozenset({Role.ADMIN, Role.ANALYST})
"""Who sees which customers a campaign reached: the staff who run campaigns."""


@strawberry.type(description="One member of the audience, decided when their batch was sent.")
class CampaignRecipient:
    customer_id: UUID | None = strawberry.field(
        description="The customer; null once they were erased (the row still counts)."
    )
    status: str = strawberry.field(description="`queued` (the message goes) or `skipped`.")
    reason: SkipReason | None = strawberry.field(description="Why skipped; null if queued.")
    decided_at: datetime = strawberry.field(description="When it was decided.")
    converted_at: datetime | None = strawberry.field(
        description="Their first purchase within the window, if attributed to this campaign."
    )
    unsubscribed_at: datetime | None = strawberry.field(
        description="When they opted out of email or withdrew marketing consent after it."
    )

    @classmethod
    def from_view(cls, view: RecipientView) -> CampaignRecipient:
        return cls(
            customer_id=view.customer_id,
            status=view.status,
            reason=None if view.reason is None else SkipReason(view.reason),
            decided_at=view.decided_at,
            converted_at=view.converted_at,
            unsubscribed_at=view.unsubscribed_at,
        )


@strawberry.type(description="A recipient and its cursor.")
class CampaignRecipientEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: CampaignRecipient = strawberry.field(description="The recipient.")


@strawberry.type(description="A page of a campaign's recipients, in the order decided.")
class CampaignRecipientConnection:
    edges: list[CampaignRecipientEdge] = strawberry.field(description="This page's recipients.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(description="Members skipped for one reason.")
class SkippedCount:
    reason: SkipReason = strawberry.field(description="The reason.")
    count: Long = strawberry.field(description="How many.")


@strawberry.type(description="The NPS of a set of answers.")
class NpsOfAnswers:
    answers: Long = strawberry.field(description="Answers counted.")
    nps: float | None = strawberry.field(
        description="Percent promoters (9-10) minus percent detractors (0-6); null if none."
    )

    @classmethod
    def of(cls, figures: NpsFigures) -> NpsOfAnswers:
        return cls(answers=figures.answers, nps=figures.nps)


@strawberry.type(description="What a campaign did; erased recipients still count.")
class CampaignFigures:
    recipients: Long = strawberry.field(description="Members the message was queued for.")
    skipped: list[SkippedCount] = strawberry.field(description="Members skipped, by reason.")
    unsubscribes: Long = strawberry.field(
        description="Recipients who opted out of email or withdrew marketing consent within "
        "the window, attributed to the latest campaign they were sent."
    )
    conversions: Long = strawberry.field(
        description="Recipients whose first purchase within the window is attributed to it."
    )
    nps_before: NpsOfAnswers = strawberry.field(
        description="Recipients' latest NPS answers before the message."
    )
    nps_after: NpsOfAnswers = strawberry.field(
        description="Recipients' first NPS answers after the message."
    )


@strawberry.type(description="An email campaign to a segment.")
class CampaignType:
    id: UUID = strawberry.field(description="The campaign's id.")
    name: str = strawberry.field(description="Its name.")
    segment_id: UUID = strawberry.field(description="The segment it goes to.")
    channel: str = strawberry.field(description="`email`.")
    subject: str = strawberry.field(description="Subject template.")
    body: str = strawberry.field(description="Text template.")
    conversion_days: int = strawberry.field(description="The conversion window, in days.")
    status: CampaignStatus = strawberry.field(description="Where it is.")
    drafted_at: datetime = strawberry.field(description="When it was drafted.")
    scheduled_at: datetime | None = strawberry.field(description="When it is to be launched.")
    launched_at: datetime | None = strawberry.field(description="When sending began.")
    cancelled_at: datetime | None = strawberry.field(description="When an admin cancelled it.")
    completed_at: datetime | None = strawberry.field(
        description="When every member had been decided."
    )
    batches: int = strawberry.field(description="Batches of recipients decided so far.")
    version: int = strawberry.field(description="Its version, for expectedVersion.")

    @classmethod
    def from_view(cls, view: CampaignView) -> CampaignType:
        return cls(
            id=view.campaign_id,
            name=view.name,
            segment_id=view.segment_id,
            channel=view.channel,
            subject=view.subject,
            body=view.body,
            conversion_days=view.conversion_days,
            status=CampaignStatus(view.status),
            drafted_at=view.drafted_at,
            scheduled_at=view.scheduled_at,
            launched_at=view.launched_at,
            cancelled_at=view.cancelled_at,
            completed_at=view.completed_at,
            batches=view.batches,
            version=view.version,
        )

    @strawberry.field(description="Its figures.", extensions=limited(FIGURES_COST))
    async def figures(self, info: Info) -> CampaignFigures:
        async with info.context.pool.connection() as conn:
            found = await queries.figures(conn, self.id)
        return CampaignFigures(
            recipients=found.recipients,
            skipped=[
                SkippedCount(reason=SkipReason(r), count=n)
                for r, n in sorted(found.skipped.items())
            ],
            unsubscribes=found.unsubscribes,
            conversions=found.conversions,
            nps_before=NpsOfAnswers.of(found.nps_before),
            nps_after=NpsOfAnswers.of(found.nps_after),
        )

    @strawberry.field(
        description="Every member decided, queued or skipped, in the order decided (Relay "
        "connection, `first`/`after` or `last`/`before`, up to 100). Admins and analysts only.",
        extensions=allowed(RECIPIENT_READERS),
    )
    async def recipients(
        self,
        info: Info,
        first: FirstArgument = None,
        after: AfterArgument = None,
        last: LastArgument = None,
        before: BeforeArgument = None,
    ) -> CampaignRecipientConnection:
        request = page_request(RECIPIENT_CURSOR, first=first, after=after, last=last, before=before)
        async with info.context.pool.connection() as conn:
            page = await queries.recipients_page(
                conn, self.id, request.size, request.cursor, request.backward
            )
        return connection(
            CampaignRecipientConnection,
            CampaignRecipientEdge,
            RECIPIENT_CURSOR,
            page,
            CampaignRecipient.from_view,
            after=after,
            position=lambda view: view.seq,
            request=request,
        )


@strawberry.type(description="A campaign and its cursor.")
class CampaignEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: CampaignType = strawberry.field(description="The campaign.")


@strawberry.type(description="A page of campaigns, in the order drafted.")
class CampaignConnection:
    edges: list[CampaignEdge] = strawberry.field(description="This page's campaigns.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
