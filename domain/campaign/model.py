"""The Campaign aggregate and its recipient batches.

A campaign is drafted for a segment, optionally scheduled, launched, then sent batch by batch
until its audience is exhausted (completed) or an admin cancels it. Who receives it is decided
per member at send time, a batch at a time; each batch is an event of a stream of its own
(:class:`RecipientBatch`, its id derived from the campaign and the batch's number) so the
campaign's own stream stays short, and the campaign records the batch's cursor in the same
commit. A batch computed from a cursor the campaign has moved past is refused, and a batch id
can be written once: a crash and a re-run never record a customer twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.campaign.errors import CampaignStateError, StaleRecipientBatchError
from domain.campaign.values import (
    MAX_BODY,
    MAX_NAME,
    MAX_SUBJECT,
    CampaignChannel,
    CampaignStatus,
    check_conversion_days,
    check_template,
    check_text,
)
from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ValidationError

_OPEN = {CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING}
BATCH_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/campaign-batch")


class Campaign(LedgerAggregate):
    """A personalised message to the members of a segment, sent once per member."""

    class Drafted(LedgerAggregate.Created):
        """A marketer drafted it: staff's words with placeholders, no personal data."""

        name: str
        segment_id: UUID
        channel: str
        subject: str
        body: str
        conversion_days: int
        at: datetime

        def apply(self, campaign: Campaign) -> None:
            campaign.name, campaign.segment_id = self.name, self.segment_id
            campaign.channel = CampaignChannel(self.channel)
            campaign.subject, campaign.body = self.subject, self.body
            campaign.conversion_days = self.conversion_days
            campaign.status = CampaignStatus.DRAFT
            campaign.scheduled_at = None
            campaign.batches = 0
            campaign.cursor = None

    class Scheduled(LedgerAggregate.Event):
        """The sender launches it at ``scheduled_at``."""

        scheduled_at: datetime

        def apply(self, campaign: Campaign) -> None:
            campaign.status = CampaignStatus.SCHEDULED
            campaign.scheduled_at = self.scheduled_at

    class Launched(LedgerAggregate.Event):
        """Sending began: the audience is the segment's members at ``at``."""

        at: datetime

        def apply(self, campaign: Campaign) -> None:
            campaign.status = CampaignStatus.SENDING
            campaign.launched_at = self.at

    class BatchRecorded(LedgerAggregate.Event):
        """A batch of recipients was decided; the next starts after ``last_customer_id``."""

        batch: int
        last_customer_id: UUID
        queued: int
        skipped: int

        def apply(self, campaign: Campaign) -> None:
            campaign.batches = self.batch + 1
            campaign.cursor = self.last_customer_id

    class Cancelled(LedgerAggregate.Event):
        """An admin stopped it: no further batch is decided."""

        at: datetime

        def apply(self, campaign: Campaign) -> None:
            campaign.status = CampaignStatus.CANCELLED

    class Completed(LedgerAggregate.Event):
        """Every member of the audience was decided."""

        at: datetime

        def apply(self, campaign: Campaign) -> None:
            campaign.status = CampaignStatus.COMPLETED

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    name: str
    segment_id: UUID
    channel: CampaignChannel
    subject: str
    body: str
    conversion_days: int
    status: CampaignStatus
    scheduled_at: datetime | None
    launched_at: datetime
    batches: int
    cursor: UUID | None

    @classmethod
    def draft(
        cls,
        campaign_id: UUID,
        *,
        name: str,
        segment_id: UUID,
        subject: str,
        body: str,
        conversion_days: int,
        at: datetime,
    ) -> Campaign:
        return cls._create(
            cls.Drafted,
            id=campaign_id,
            name=check_text(name, "name", MAX_NAME, one_line=True),
            segment_id=segment_id,
            channel=CampaignChannel.EMAIL.value,
            subject=check_template(subject, "subject", MAX_SUBJECT, one_line=True),
            body=check_template(body, "body", MAX_BODY, one_line=False),
            conversion_days=check_conversion_days(conversion_days),
            at=at,
        )

    def schedule(self, scheduled_at: datetime) -> None:
        self._expect({CampaignStatus.DRAFT, CampaignStatus.SCHEDULED}, "schedule")
        self.trigger_event(self.Scheduled, scheduled_at=scheduled_at)

    def launch(self, at: datetime) -> None:
        self._expect({CampaignStatus.DRAFT, CampaignStatus.SCHEDULED}, "launch")
        self.trigger_event(self.Launched, at=at)

    def is_due(self, now: datetime) -> bool:
        """A scheduled campaign whose time has come."""
        if self.status is not CampaignStatus.SCHEDULED or self.scheduled_at is None:
            return False
        return self.scheduled_at <= now

    @property
    def recommends(self) -> bool:
        """Whether its template names ``{recommended_product}``: only then does the sender
        look a product up for each queued member."""
        return "{recommended_product}" in self.subject + self.body

    def record_batch(
        self,
        batch: int,
        after: UUID | None,
        queued: list[UUID],
        skipped: dict[str, list[UUID]],
        recommended: dict[UUID, str] | None = None,
    ) -> RecipientBatch:
        """Record one decided batch, if it follows the last one recorded; ``recommended``
        names a product for queued members only."""
        self._expect({CampaignStatus.SENDING}, "record recipients of")
        if batch != self.batches or after != self.cursor:
            raise StaleRecipientBatchError("the campaign has moved past this batch")
        members = [*queued, *(c for ids in skipped.values() for c in ids)]
        if not members or (after is not None and min(members) <= after):
            raise StaleRecipientBatchError("a batch holds members after the cursor only")
        self.trigger_event(
            self.BatchRecorded,
            batch=batch,
            last_customer_id=max(members),
            queued=len(queued),
            skipped=len(members) - len(queued),
        )
        recommended = recommended or {}
        if not set(recommended) <= set(queued):
            raise ValidationError(
                "a product is recommended to queued members only", field="recommended"
            )
        return RecipientBatch.record(
            self.id, batch, queued, skipped, recommended, self.channel.value
        )

    def cancel(self, at: datetime) -> None:
        self._expect(
            {CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING}, "cancel"
        )
        self.trigger_event(self.Cancelled, at=at)

    def complete(self, at: datetime) -> None:
        self._expect({CampaignStatus.SENDING}, "complete")
        self.trigger_event(self.Completed, at=at)

    def _expect(self, statuses: set[CampaignStatus], action: str) -> None:
        if self.status not in statuses:
            raise CampaignStateError(
                f"cannot {action} a campaign that is {self.status.value}", field="campaignId"
            )


class RecipientBatch(LedgerAggregate):
    """One batch of a campaign's recipients, decided at send time (a stream of its own)."""

    class Recorded(LedgerAggregate.Created):
        """``queued`` get the message; ``skipped`` maps a :class:`SkipReason` to who did not.
        Customer ids only: nothing here is personal beyond the pseudonymous id.

        Version 2: ``written_when_sent``. A batch recorded since is itself the cause of its
        messages: the outbox takes a row per queued member straight from it, and each message
        is written (name, tier, points) and addressed when it is sent. Version 1 batches
        (``written_when_sent`` false) had the ``campaign_messages`` reaction write and seal
        every message into the log first (:class:`domain.campaign.messages.MessageBatch`);
        those still in logs go that way."""

        class_version = 2

        campaign_id: UUID
        batch: int
        queued: list[UUID]
        skipped: dict[str, list[UUID]]
        recommended: dict[str, str]
        """A queued member's id to the product recommended to them (a product's sku)."""
        channel: str
        written_when_sent: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["channel"] = CampaignChannel.EMAIL.value  # the only channel there was
            state["written_when_sent"] = False

        def apply(self, batch: RecipientBatch) -> None:
            batch.campaign_id, batch.batch = self.campaign_id, self.batch

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    campaign_id: UUID
    batch: int

    @staticmethod
    def id_for(campaign_id: UUID, batch: int) -> UUID:
        return uuid5(BATCH_NAMESPACE, f"{campaign_id}/{batch}")

    @classmethod
    def record(
        cls,
        campaign_id: UUID,
        batch: int,
        queued: list[UUID],
        skipped: dict[str, list[UUID]],
        recommended: dict[UUID, str],
        channel: str,
    ) -> RecipientBatch:
        return cls._create(
            cls.Recorded,
            id=cls.id_for(campaign_id, batch),
            campaign_id=campaign_id,
            batch=batch,
            queued=sorted(queued),
            skipped={reason: sorted(ids) for reason, ids in sorted(skipped.items()) if ids},
            recommended={str(c): sku for c, sku in sorted(recommended.items())},
            channel=channel,
            written_when_sent=True,
        )
