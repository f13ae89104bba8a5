"""The campaign sender: launches scheduled campaigns whose time came, then decides each
sending campaign's audience batch by batch until none is left (completed) or it is cancelled.

Each batch is read in one set-based statement (the next members by id after the campaign's
cursor, with their consent, email preference and recent campaign messages), decided member by
member by the domain's rule (:func:`domain.campaign.values.skip_reason`) and recorded by one
command that commits the batch and the campaign's new cursor together. The cursor comes from
the aggregate, so after a crash the sender starts where the log says; a batch recorded twice
(two senders, a stale read) is refused by the aggregate, and nothing is queued twice.

It runs in the worker every ``CXL_CAMPAIGN_SEND_INTERVAL`` seconds (one worker at a time).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.campaign.commands import (
    CompleteCampaign,
    LaunchCampaign,
    RecordCampaignRecipients,
    campaign_of,
)
from domain.campaign.model import Campaign
from domain.campaign.values import BATCH_SIZE, CampaignStatus, Candidate, FrequencyCap, skip_reason
from domain.ledger import Ledger
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.log_follower import LogFollower
from projections.campaigns.queries import campaigns_to_send, next_candidates
from projections.recommendations.queries import top_recommendation

log = logging.getLogger(__name__)

ACTOR_ID = "campaign-sender"


@dataclass
class SendSummary:
    """What one run did."""

    launched: int = 0
    batches: int = 0
    queued: int = 0
    skipped: int = 0
    completed: int = 0
    passed_over: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


class CampaignSender:
    """Send what is due: every scheduled campaign whose time came and every sending one."""

    def __init__(
        self,
        ledger: Ledger,
        database: Database,
        read_model: LogFollower,
        cap: FrequencyCap,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.ledger = ledger
        self.database = database
        self.read_model = read_model
        self.cap = cap
        self.batch_size = batch_size

    def run(self, now: datetime | None = None) -> SendSummary:
        at = now or datetime.now(UTC)
        run_id = uuid4()
        metadata = EventMetadata(ACTOR_ID, Role.SYSTEM, Channel.SYSTEM, run_id, run_id)
        summary = SendSummary()
        with self.database.connect() as conn:
            self.read_model.catch_up(conn)
            due = campaigns_to_send(conn, at)
        for campaign_id, _ in due:
            try:
                self._send(campaign_id, at, metadata, summary)
            except DomainError as error:  # cancelled meanwhile, or a second sender
                log.info("campaign %s passed over: %s %s", campaign_id, error.code, error)
                summary.passed_over.append(str(campaign_id))
        log.info("campaign sender: %s", summary.as_dict())
        return summary

    def _send(
        self, campaign_id: UUID, at: datetime, metadata: EventMetadata, summary: SendSummary
    ) -> None:
        # The frequency cap counts what earlier campaigns of this run queued: read them first.
        with self.database.connect() as conn:
            self.read_model.catch_up(conn)
        campaign = campaign_of(self.ledger, campaign_id)
        if campaign.is_due(at):
            self.ledger.handle(LaunchCampaign(campaign_id), metadata)
            summary.launched += 1
            campaign = campaign_of(self.ledger, campaign_id)
        if campaign.status is not CampaignStatus.SENDING:
            return
        # The batch number and cursor follow from each batch recorded; the aggregate checks
        # them again, and a cancel or a second sender meanwhile refuses the next batch.
        batch, cursor = campaign.batches, campaign.cursor
        while (
            last := self._next_batch(campaign, batch, cursor, at, metadata, summary)
        ) is not None:
            batch, cursor = batch + 1, last
        self.ledger.handle(CompleteCampaign(campaign_id), metadata)
        summary.completed += 1

    def _next_batch(
        self,
        campaign: Campaign,
        batch: int,
        cursor: UUID | None,
        at: datetime,
        metadata: EventMetadata,
        summary: SendSummary,
    ) -> UUID | None:
        """Decide and record the batch after ``cursor``; its last member, or None when the
        audience is exhausted."""
        window_start = at - timedelta(days=self.cap.window_days)
        with self.database.connect() as conn:
            members = next_candidates(
                conn, campaign.segment_id, campaign.launched_at, cursor, self.batch_size,
                window_start,
            )  # fmt: skip
        if not members:
            return None
        queued: list[UUID] = []
        skipped: dict[str, list[UUID]] = {}
        for member in members:
            reason = skip_reason(
                Candidate(member.marketing, member.email, member.recent_messages), self.cap
            )
            if reason is None:
                queued.append(member.customer_id)
            else:
                skipped.setdefault(reason.value, []).append(member.customer_id)
        recommended = self._recommended(queued) if campaign.recommends else {}
        command = RecordCampaignRecipients(campaign.id, batch, cursor, queued, skipped, recommended)
        self.ledger.handle(command, metadata)
        summary.batches += 1
        summary.queued += len(queued)
        summary.skipped += len(members) - len(queued)
        return members[-1].customer_id

    def _recommended(self, queued: list[UUID]) -> dict[UUID, str]:
        """Each queued member's best recommendation (product_affinity read model, as it
        stands), by sku; a member with none gets none and the placeholder stays empty."""
        found: dict[UUID, str] = {}
        with self.database.connect() as conn:
            for customer_id in queued:
                best = top_recommendation(conn, customer_id)
                if best is not None:
                    found[customer_id] = best.sku
        return found
