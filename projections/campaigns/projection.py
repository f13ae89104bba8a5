"""Events -> campaigns, their recipients and figures.

Recipient rows come from :class:`RecipientBatch.Recorded`, a whole batch at once; a replayed
batch adds nothing (``campaign_batches`` names those applied). What
followed a message is attributed once, to the latest campaign the customer was sent within
its conversion window: their first purchase (a conversion), an email opt-out or a withdrawn
marketing consent (an unsubscribe), and their first NPS answer after it (NPS after; NPS before
is their latest answer when the batch was decided).

Every event but an erasure is folded (``changes``): a run of them is replayed in memory in log
order and written with a few multi-row statements."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from domain.campaign.model import Campaign, RecipientBatch
from domain.customer.model import Customer
from domain.customer.profile import ConsentPurpose, ContactChannel
from domain.privacy.erasure import ErasureRequest
from domain.purchase.model import Purchase
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind
from projections.base import Projection, folds, handles
from projections.campaigns.changes import (
    CampaignChanges,
    Memory,
    Recorded,
    answer_nps,
    attribute,
    set_audience,
)
from projections.campaigns.schema import DDL
from projections.erasure import erased_subjects


class CampaignFigures(Projection):
    """Campaigns, every member decided for them, and what followed each message."""

    name = "campaigns"
    reads_personal_data = False
    tables = ("campaigns", "campaign_recipients", "campaign_batches", "campaign_audience")
    ddl = DDL
    erasure_purges = ("campaign_recipients", "campaign_audience")

    def changes(self) -> CampaignChanges:
        return CampaignChanges(loading=self.loading)

    # -- campaigns (their rows: the run's last value of each column wins) -------------------

    @folds(Campaign.Drafted)
    def drafted(self, changes: CampaignChanges, event: Campaign.Drafted, position: int) -> None:
        changes.drafted.setdefault(
            event.originator_id,
            (event.originator_id, position, event.name, event.segment_id, event.channel,
             event.subject, event.body, event.conversion_days, "draft", event.at,
             event.originator_version),
        )  # fmt: skip

    @folds(Campaign.Scheduled)
    def scheduled(self, changes: CampaignChanges, event: Campaign.Scheduled, _: int) -> None:
        _move(changes, event, "scheduled", scheduled_at=event.scheduled_at)

    @folds(Campaign.Launched)
    def launched(self, changes: CampaignChanges, event: Campaign.Launched, _: int) -> None:
        _move(changes, event, "sending", launched_at=event.at)

    @folds(Campaign.Cancelled)
    def cancelled(self, changes: CampaignChanges, event: Campaign.Cancelled, _: int) -> None:
        _move(changes, event, "cancelled", cancelled_at=event.at)

    @folds(Campaign.Completed)
    def completed(self, changes: CampaignChanges, event: Campaign.Completed, _: int) -> None:
        _move(changes, event, "completed", completed_at=event.at)

    @folds(Campaign.BatchRecorded)
    def batch_recorded(
        self, changes: CampaignChanges, event: Campaign.BatchRecorded, _: int
    ) -> None:
        changes.move(event.originator_id, event.originator_version, batches=event.batch + 1)

    # -- recipients and audience (steps replayed in log order at write) ---------------------

    @folds(RecipientBatch.Recorded)
    def recipients(self, changes: CampaignChanges, event: RecipientBatch.Recorded, _: int) -> None:
        members: list[tuple[UUID, str, str | None]] = [
            (customer, "queued", None) for customer in event.queued
        ]
        members += [
            (customer, "skipped", reason)
            for reason, skipped in event.skipped.items()
            for customer in skipped
        ]
        changes.record(Recorded(event.campaign_id, event.batch, event.timestamp, tuple(members)))

    @folds(Customer.ContactChannelOptedIn)
    def opted_in(
        self, changes: CampaignChanges, event: Customer.ContactChannelOptedIn, _: int
    ) -> None:
        if event.channel == ContactChannel.EMAIL.value:
            customer = event.originator_id
            changes.add(set_audience(customer, "email", True), audience_of=customer)

    @folds(Customer.ContactChannelOptedOut)
    def opted_out(
        self, changes: CampaignChanges, event: Customer.ContactChannelOptedOut, _: int
    ) -> None:
        if event.channel == ContactChannel.EMAIL.value:
            _unsubscribe(changes, event.originator_id, "email", event.timestamp)

    @folds(Customer.ConsentGiven)
    def consent_given(self, changes: CampaignChanges, event: Customer.ConsentGiven, _: int) -> None:
        if event.purpose == ConsentPurpose.MARKETING.value:
            customer = event.originator_id
            changes.add(set_audience(customer, "marketing", True), audience_of=customer)

    @folds(Customer.ConsentWithdrawn)
    def consent_withdrawn(
        self, changes: CampaignChanges, event: Customer.ConsentWithdrawn, _: int
    ) -> None:
        if event.purpose == ConsentPurpose.MARKETING.value:
            _unsubscribe(changes, event.originator_id, "marketing", event.timestamp)

    @folds(Customer.ConsentRefused)
    def consent_refused(
        self, changes: CampaignChanges, event: Customer.ConsentRefused, _: int
    ) -> None:
        if event.purpose == ConsentPurpose.MARKETING.value:
            customer = event.originator_id
            changes.add(set_audience(customer, "marketing", False), audience_of=customer)

    @folds(Purchase.Recorded)
    def purchased(self, changes: CampaignChanges, event: Purchase.Recorded, _: int) -> None:
        customer = event.customer_id
        step = attribute(customer, "converted_at", event.purchased_at)
        changes.add(step, audience_of=customer, attributed=True)

    @folds(Invitation.Responded)
    def responded(self, changes: CampaignChanges, event: Invitation.Responded, _: int) -> None:
        if event.kind != SurveyKind.NPS.value:
            return
        customer = event.customer_id
        step = answer_nps(customer, event.score, event.timestamp)
        changes.add(step, audience_of=customer, attributed=True)

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """The customer leaves every recipient list; the rows stay, without them, so the
        campaigns' figures do not change."""
        subjects = erased_subjects(event)
        cursor.execute(
            "UPDATE campaign_recipients SET customer_id = NULL WHERE customer_id = ANY(%s)",
            (subjects,),
        )
        cursor.execute("DELETE FROM campaign_audience WHERE customer_id = ANY(%s)", (subjects,))


def _move(changes: CampaignChanges, event: Any, status: str, **moment: datetime) -> None:
    changes.move(event.originator_id, event.originator_version, status=status, **moment)


def _unsubscribe(changes: CampaignChanges, customer: UUID, column: str, at: datetime) -> None:
    """An email opt-out or a withdrawn marketing consent: out of the audience, and an
    unsubscribe attributed to the latest message sent before it."""

    def apply(memory: Memory) -> None:
        set_audience(customer, column, False)(memory)
        attribute(customer, "unsubscribed_at", at)(memory)

    changes.add(apply, audience_of=customer, attributed=True)
