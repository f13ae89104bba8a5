"""The demo's campaign: a segment of the customers who consented to marketing, and a spring
campaign to it that the real sender sends (so some members are queued, others skipped by
their email preference or the frequency cap), after the read models caught up."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.campaign.commands import DraftCampaign, LaunchCampaign
from domain.ledger import Ledger
from domain.segment.commands import DefineSegment
from infrastructure.demo.company import ADMIN

MARKETING: dict[str, Any] = {"field": "consent", "values": ["marketing"]}
SUBJECT = "{first_name}, spring has come to the roastery"
BODY = (
    "Hello {first_name},\n\nAs a {tier} member with {points} points, you are first to taste "
    "our spring roast. We think you will like {recommended_product}.\n"
)


def launch_demo_campaign(ledger: Ledger, segment_id: UUID, campaign_id: UUID) -> UUID:
    """Define the segment and launch the campaign; the sender decides its recipients. The ids
    come from the seed, like the rest of the company's."""
    segment = ledger.handle(DefineSegment("Marketing opt-ins", "", MARKETING, segment_id), ADMIN)
    draft = DraftCampaign(
        "Spring roast", segment.aggregate_id, SUBJECT, BODY, campaign_id=campaign_id
    )
    campaign = ledger.handle(draft, ADMIN).aggregate_id
    ledger.handle(LaunchCampaign(campaign), ADMIN)
    return campaign
