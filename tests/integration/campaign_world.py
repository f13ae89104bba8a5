"""A small company for the campaign tests: customers of one region with every combination of
marketing consent and email preference, a segment of that region, and a sender that reads the
real read models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.campaign.commands import DraftCampaign, LaunchCampaign
from domain.campaign.values import FrequencyCap
from domain.customer.commands import GiveConsent, RegisterCustomer, SetContactPreferences
from domain.customer.profile import ConsentPurpose, ContactChannel
from domain.ledger import Ledger
from domain.segment.commands import DefineSegment
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.campaign_sending import CampaignSender
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.campaigns.projection import CampaignFigures
from projections.segments.projection import SegmentMembership
from tests.support.read_models import project

ANALYST = EventMetadata(actor_id="analyst-1", actor_role=Role.ANALYST, channel=Channel.WEB)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
REGION = "NORDICS"


@dataclass(frozen=True, slots=True)
class World:
    segment_id: UUID
    welcome: list[UUID]
    """Customers who consented to marketing and opted in to email."""
    no_consent: list[UUID]
    opted_out: list[UUID]


def register(
    ledger: Ledger, agent: EventMetadata, name: str, *, consent: bool, email: bool | None
) -> UUID:
    customer = ledger.register_customer(
        RegisterCustomer(name, f"{name.lower()}@example.org", region=REGION), agent
    ).aggregate_id
    if consent:
        ledger.handle(GiveConsent(customer, ConsentPurpose.MARKETING), agent)
    if email is not None:
        ledger.handle(SetContactPreferences(customer, {ContactChannel.EMAIL: email}), agent)
    return customer


def populate(ledger: Ledger, agent: EventMetadata, welcome: int = 5) -> World:
    ok = [register(ledger, agent, f"Ok{i}", consent=True, email=True) for i in range(welcome)]
    no_consent = [register(ledger, agent, "Nocon", consent=False, email=True)]
    opted_out = [register(ledger, agent, "Optout", consent=True, email=False)]
    rule: dict[str, Any] = {"field": "region", "values": [REGION]}
    segment = ledger.handle(DefineSegment("Nordics", "", rule), ANALYST).aggregate_id
    return World(segment, ok, no_consent, opted_out)


def launch(ledger: Ledger, database: Database, world: World, name: str = "Winter") -> UUID:
    """Draft and launch a campaign to the world's segment, once its members are known."""
    project(ledger, database, SegmentMembership(), batch_size=100)
    campaign = ledger.handle(
        DraftCampaign(name, world.segment_id, "Hi {first_name}", "You have {points} points."),
        ANALYST,
    ).aggregate_id
    ledger.handle(LaunchCampaign(campaign), ANALYST)
    return campaign


def sender(ledger: Ledger, database: Database, batch_size: int = 2, cap: int = 3) -> CampaignSender:
    read_model = ProjectionRunner(ledger, database, CampaignFigures(), 100)
    return CampaignSender(ledger, database, read_model, FrequencyCap(cap, 7), batch_size)


def recipients(database: Database, campaign: UUID) -> list[tuple[UUID | None, str, str | None]]:
    project_campaigns = "SELECT customer_id, status, reason FROM campaign_recipients"
    with database.connect() as conn:
        rows = conn.execute(
            project_campaigns + " WHERE campaign_id = %s ORDER BY customer_id", (campaign,)
        ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def now() -> datetime:
    return datetime.now(UTC)
