"""Campaign queries and mutations: translate, delegate; the domain checks rules and decides."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from domain.campaign.commands import (
    CancelCampaign,
    DraftCampaign,
    LaunchCampaign,
    ScheduleCampaign,
)
from graphql_api.campaigns.inputs import CampaignIdInput, DraftCampaignInput, ScheduleCampaignInput
from graphql_api.campaigns.payloads import (
    CancelCampaignPayload,
    DraftCampaignPayload,
    LaunchCampaignPayload,
    ScheduleCampaignPayload,
)
from graphql_api.campaigns.types import CampaignConnection, CampaignEdge, CampaignType
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
from projections.campaigns import queries
from projections.campaigns.projection import CampaignFigures

CAMPAIGN_CURSOR = "campaign"


async def campaign(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The campaign's id.")],  # noqa: A002
    at_least: AtLeast = None,
) -> CampaignType | None:
    await wait_for(info.context, CampaignFigures.name, at_least)
    async with info.context.pool.connection() as conn:
        view = await queries.campaign_by_id(conn, id)
    return None if view is None else CampaignType.from_view(view)


async def campaigns(
    info: Info,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> CampaignConnection:
    request = page_request(CAMPAIGN_CURSOR, first=first, after=after, last=last, before=before)
    await wait_for(info.context, CampaignFigures.name, at_least)
    async with info.context.pool.connection() as conn:
        page = await queries.campaigns_page(conn, request.size, request.cursor, request.backward)
    return connection(
        CampaignConnection,
        CampaignEdge,
        CAMPAIGN_CURSOR,
        page,
        CampaignType.from_view,
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def draft_campaign(
    info: Info,
    input: Annotated[DraftCampaignInput, INPUT],  # noqa: A002
) -> DraftCampaignPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = DraftCampaign(
        input.name, input.segment_id, input.subject, input.body, input.conversion_days,
        input.campaign_id,
    )  # fmt: skip
    return await run_command(info, lambda: ledger.handle(command, metadata), DraftCampaignPayload)


async def schedule_campaign(
    info: Info,
    input: Annotated[ScheduleCampaignInput, INPUT],  # noqa: A002
) -> ScheduleCampaignPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = ScheduleCampaign(input.campaign_id, input.scheduled_at, input.expected_version)
    return await run_command(
        info, lambda: ledger.handle(command, metadata), ScheduleCampaignPayload
    )


async def launch_campaign(
    info: Info,
    input: Annotated[CampaignIdInput, INPUT],  # noqa: A002
) -> LaunchCampaignPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = LaunchCampaign(input.campaign_id, input.expected_version)
    return await run_command(info, lambda: ledger.handle(command, metadata), LaunchCampaignPayload)


async def cancel_campaign(
    info: Info,
    input: Annotated[CampaignIdInput, INPUT],  # noqa: A002
) -> CancelCampaignPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = CancelCampaign(input.campaign_id, input.expected_version)
    return await run_command(info, lambda: ledger.handle(command, metadata), CancelCampaignPayload)
