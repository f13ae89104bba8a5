"""Use cases on campaigns: the commands and the handler functions that run them (see
:mod:`domain.shared.commands`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from domain.campaign.errors import CampaignNotFoundError
from domain.campaign.model import Campaign
from domain.campaign.values import check_schedule
from domain.segment.errors import SegmentNotFoundError
from domain.segment.model import Segment
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, acting_as


@dataclass(frozen=True, slots=True)
class DraftCampaign(Command[CommandResult]):
    """Draft an email campaign to a segment; subject and body may use the placeholders of
    :data:`domain.campaign.values.PLACEHOLDERS`."""

    name: str
    segment_id: UUID
    subject: str
    body: str
    conversion_days: int = 14
    campaign_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class ScheduleCampaign(Command[CommandResult]):
    campaign_id: UUID
    scheduled_at: datetime
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class LaunchCampaign(Command[CommandResult]):
    campaign_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class CancelCampaign(Command[CommandResult]):
    campaign_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class RecordCampaignRecipients(Command[CommandResult]):
    """The sender's decision on one batch of the audience, computed from the cursor
    ``after`` (the campaign's last recorded member, None for the first batch)."""

    campaign_id: UUID
    batch: int
    after: UUID | None
    queued: list[UUID] = field(default_factory=list)
    skipped: dict[str, list[UUID]] = field(default_factory=dict)
    recommended: dict[UUID, str] = field(default_factory=dict)
    """The product recommended to a queued member, for the template's
    ``{recommended_product}`` (none: left empty)."""


@dataclass(frozen=True, slots=True)
class CompleteCampaign(Command[CommandResult]):
    campaign_id: UUID


def draft_campaign(
    ledger: LedgerCore, command: DraftCampaign, metadata: EventMetadata
) -> CommandResult:
    if ledger.find(command.segment_id, Segment, _no_segment) is None:
        raise _no_segment()
    with acting_as(metadata):
        campaign = Campaign.draft(
            command.campaign_id or new_id(),
            name=command.name,
            segment_id=command.segment_id,
            subject=command.subject,
            body=command.body,
            conversion_days=command.conversion_days,
            at=datetime.now(UTC),
        )
    return CommandResult(campaign.id, campaign.version, ledger.commit(campaign))


def schedule_campaign(
    ledger: LedgerCore, command: ScheduleCampaign, metadata: EventMetadata
) -> CommandResult:
    scheduled_at = check_schedule(command.scheduled_at, datetime.now(UTC))
    campaign = campaign_of(ledger, command.campaign_id, command.expected_version)
    with acting_as(metadata):
        campaign.schedule(scheduled_at)
    return _committed(ledger, campaign)


def launch_campaign(
    ledger: LedgerCore, command: LaunchCampaign, metadata: EventMetadata
) -> CommandResult:
    campaign = campaign_of(ledger, command.campaign_id, command.expected_version)
    with acting_as(metadata):
        campaign.launch(datetime.now(UTC))
    return _committed(ledger, campaign)


def cancel_campaign(
    ledger: LedgerCore, command: CancelCampaign, metadata: EventMetadata
) -> CommandResult:
    campaign = campaign_of(ledger, command.campaign_id, command.expected_version)
    with acting_as(metadata):
        campaign.cancel(datetime.now(UTC))
    return _committed(ledger, campaign)


def record_campaign_recipients(
    ledger: LedgerCore, command: RecordCampaignRecipients, metadata: EventMetadata
) -> CommandResult:
    """The batch and the campaign's new cursor commit together: a concurrent cancel or a
    second sender makes this a version conflict, and nothing is written."""
    campaign = campaign_of(ledger, command.campaign_id)
    with acting_as(metadata):
        batch = campaign.record_batch(
            command.batch, command.after, command.queued, command.skipped, command.recommended
        )
    return CommandResult(campaign.id, campaign.version, ledger.commit(campaign, batch))


def complete_campaign(
    ledger: LedgerCore, command: CompleteCampaign, metadata: EventMetadata
) -> CommandResult:
    campaign = campaign_of(ledger, command.campaign_id)
    with acting_as(metadata):
        campaign.complete(datetime.now(UTC))
    return _committed(ledger, campaign)


def campaign_of(
    ledger: LedgerCore, campaign_id: UUID, expected_version: int | None = None
) -> Campaign:
    return ledger.load(campaign_id, Campaign, _no_campaign, expected_version)


def _committed(ledger: LedgerCore, campaign: Campaign) -> CommandResult:
    position = ledger.commit(campaign) if campaign.pending_events else ledger.head_position()
    return CommandResult(campaign.id, campaign.version, position)


def _no_campaign() -> CampaignNotFoundError:
    return CampaignNotFoundError("no such campaign", field="campaignId")


def _no_segment() -> SegmentNotFoundError:
    return SegmentNotFoundError("no such segment", field="segmentId")
