"""The campaign area's queries and mutations, with who may use each.

There is no marketer role: analysts and admins draft, schedule and launch campaigns, as they
define segments; only an admin cancels one. Every staff reader reads campaigns and their
figures (staff's words and counts); which customers a campaign reached is for analysts and
admins only (see ``CampaignType.recipients``)."""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.campaigns import payloads, resolvers
from graphql_api.campaigns.types import CampaignConnection, CampaignType
from graphql_api.permissions import READERS, allowed

DESIGNERS = frozenset({Role.ADMIN, Role.ANALYST})
READ_BY = "Agents, admins, analysts, auditors and privacy officers."


@strawberry.type(description="Queries about campaigns.")
class CampaignQueries:
    campaign: CampaignType | None = strawberry.field(
        resolver=resolvers.campaign,
        description=f"One campaign by id; null if unknown. {READ_BY}",
        extensions=allowed(READERS),
    )
    campaigns: CampaignConnection = strawberry.field(
        resolver=resolvers.campaigns,
        description="Campaigns in the order drafted (Relay connection, `first`/`after` or "
        f"`last`/`before`, up to 100). {READ_BY}",
        extensions=allowed(READERS),
    )


@strawberry.type(description="Commands on campaigns.")
class CampaignMutations:
    draft_campaign: payloads.DraftCampaignPayload = strawberry.mutation(
        resolver=resolvers.draft_campaign,
        description="Draft an email campaign to a segment, with a personalised template. An "
        "unknown segment is SEGMENT_NOT_FOUND. Analysts and admins.",
        extensions=allowed(DESIGNERS),
    )
    schedule_campaign: payloads.ScheduleCampaignPayload = strawberry.mutation(
        resolver=resolvers.schedule_campaign,
        description="Have the sender launch a draft at a future instant. Analysts and admins.",
        extensions=allowed(DESIGNERS),
    )
    launch_campaign: payloads.LaunchCampaignPayload = strawberry.mutation(
        resolver=resolvers.launch_campaign,
        description="Launch a draft or scheduled campaign now: the sender decides its "
        "recipients batch by batch. Analysts and admins.",
        extensions=allowed(DESIGNERS),
    )
    cancel_campaign: payloads.CancelCampaignPayload = strawberry.mutation(
        resolver=resolvers.cancel_campaign,
        description="Cancel a campaign, in flight too: no further batch is decided. A "
        "completed or cancelled one is CAMPAIGN_WRONG_STATE. Admins.",
        extensions=allowed(Role.ADMIN),
    )
