"""Payloads of the campaign mutations: the campaign as the read model shows it after the
write, its id, the write's position, and why nothing was written."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.campaigns.types import CampaignType
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from projections.campaigns import queries
from projections.campaigns.projection import CampaignFigures


@strawberry.type(description="What every mutation on a campaign answers.")
class CampaignPayload(Payload):
    campaign: CampaignType | None = strawberry.field(
        description="The campaign after the write; null if refused, or if the read model did "
        "not show the write in time (see notices)."
    )
    campaign_id: UUID | None = strawberry.field(
        default=None, description="The campaign written to; null if refused."
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = CampaignFigures.name

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        async with context.pool.connection() as conn:
            view = await queries.campaign_by_id(conn, result.aggregate_id)
        return {
            "campaign": None if view is None else CampaignType.from_view(view),
            "campaign_id": result.aggregate_id,
        }


@strawberry.type(description="Result of draftCampaign.")
class DraftCampaignPayload(CampaignPayload):
    pass


@strawberry.type(description="Result of scheduleCampaign.")
class ScheduleCampaignPayload(CampaignPayload):
    pass


@strawberry.type(description="Result of launchCampaign.")
class LaunchCampaignPayload(CampaignPayload):
    pass


@strawberry.type(description="Result of cancelCampaign.")
class CancelCampaignPayload(CampaignPayload):
    pass
