"""Events -> campaigns, their recipients and figures.

Recipient rows come from :class:`RecipientBatch.Recorded`, a whole batch in one statement
(``unnest`` of its ids); a replayed batch adds nothing (unique campaign and customer). What
followed a message is attributed once, to the latest campaign the customer was sent within
its conversion window: their first purchase (a conversion), an email opt-out or a withdrawn
marketing consent (an unsubscribe), and their first NPS answer after it (NPS after; NPS before
is their latest answer when the batch was decided)."""

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
from projections.base import Projection, handles
from projections.campaigns.schema import DDL
from projections.erasure import erased_subjects

# The arrays go in binary (``%b``): text arrays cost a quoting check per element.
_INSERT_BATCH = """
    INSERT INTO campaign_recipients (campaign_id, customer_id, status, reason, decided_at,
        conversion_deadline, nps_before)
    SELECT c.campaign_id, r.customer_id, r.status, r.reason, %(at)s,
        %(at)s + make_interval(days => c.conversion_days), a.last_nps
    FROM unnest(%(ids)b::uuid[], %(statuses)b::text[], %(reasons)b::text[])
        AS r(customer_id, status, reason)
    JOIN campaigns c ON c.campaign_id = %(campaign)s
    LEFT JOIN campaign_audience a ON a.customer_id = r.customer_id
    ON CONFLICT (campaign_id, customer_id) DO NOTHING
"""

# The latest campaign sent to the customer whose window holds ``at``: what a purchase or an
# unsubscribe is attributed to (once: the column must still be empty).
_LATEST = """
    SELECT recipient_id FROM campaign_recipients
    WHERE customer_id = %(customer)s AND status = 'queued'
        AND decided_at <= %(at)s AND conversion_deadline > %(at)s
    ORDER BY decided_at DESC, recipient_id DESC LIMIT 1
"""


class CampaignFigures(Projection):
    """Campaigns, every member decided for them, and what followed each message."""

    name = "campaigns"
    reads_personal_data = False
    tables = ("campaigns", "campaign_recipients", "campaign_batches", "campaign_audience")
    ddl = DDL
    erasure_purges = ("campaign_recipients", "campaign_audience")

    @handles(Campaign.Drafted)
    def drafted(self, cursor: Cursor[Any], event: Campaign.Drafted, position: int) -> None:
        cursor.execute(
            "INSERT INTO campaigns (campaign_id, seq, name, segment_id, channel, subject, body,"
            " conversion_days, status, drafted_at, version)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'draft', %s, %s)"
            " ON CONFLICT (campaign_id) DO NOTHING",
            (event.originator_id, position, event.name, event.segment_id, event.channel,
             event.subject, event.body, event.conversion_days, event.at,
             event.originator_version),
        )  # fmt: skip

    @handles(Campaign.Scheduled)
    def scheduled(self, cursor: Cursor[Any], event: Campaign.Scheduled, _: int) -> None:
        self._moved(cursor, event, "scheduled", scheduled_at=event.scheduled_at)

    @handles(Campaign.Launched)
    def launched(self, cursor: Cursor[Any], event: Campaign.Launched, _: int) -> None:
        self._moved(cursor, event, "sending", launched_at=event.at)

    @handles(Campaign.Cancelled)
    def cancelled(self, cursor: Cursor[Any], event: Campaign.Cancelled, _: int) -> None:
        self._moved(cursor, event, "cancelled", cancelled_at=event.at)

    @handles(Campaign.Completed)
    def completed(self, cursor: Cursor[Any], event: Campaign.Completed, _: int) -> None:
        self._moved(cursor, event, "completed", completed_at=event.at)

    @handles(Campaign.BatchRecorded)
    def batch_recorded(self, cursor: Cursor[Any], event: Campaign.BatchRecorded, _: int) -> None:
        cursor.execute(
            "UPDATE campaigns SET batches = %s, version = %s"
            " WHERE campaign_id = %s AND version < %s",
            (event.batch + 1, event.originator_version, event.originator_id,
             event.originator_version),
        )  # fmt: skip

    @handles(RecipientBatch.Recorded)
    def recipients(self, cursor: Cursor[Any], event: RecipientBatch.Recorded, _: int) -> None:
        cursor.execute(
            "INSERT INTO campaign_batches (campaign_id, batch) VALUES (%s, %s)"
            " ON CONFLICT DO NOTHING RETURNING batch",
            (event.campaign_id, event.batch),
        )
        if cursor.fetchone() is None:
            return  # applied before: its erased members' rows have no id to conflict on
        ids: list[UUID] = list(event.queued)
        statuses = ["queued"] * len(ids)
        reasons: list[str | None] = [None] * len(ids)
        for reason, skipped in event.skipped.items():
            ids += skipped
            statuses += ["skipped"] * len(skipped)
            reasons += [reason] * len(skipped)
        params = {"campaign": event.campaign_id, "at": event.timestamp, "ids": ids,
                  "statuses": statuses, "reasons": reasons}  # fmt: skip
        cursor.execute(_INSERT_BATCH, params)

    @handles(Customer.ContactChannelOptedIn)
    def opted_in(self, cursor: Cursor[Any], event: Customer.ContactChannelOptedIn, _: int) -> None:
        if event.channel == ContactChannel.EMAIL.value:
            self._audience(cursor, event.originator_id, "email", value=True)

    @handles(Customer.ContactChannelOptedOut)
    def opted_out(
        self, cursor: Cursor[Any], event: Customer.ContactChannelOptedOut, _: int
    ) -> None:
        if event.channel == ContactChannel.EMAIL.value:
            self._audience(cursor, event.originator_id, "email", value=False)
            self._attribute(cursor, event.originator_id, "unsubscribed_at", event.timestamp)

    @handles(Customer.ConsentGiven)
    def consent_given(self, cursor: Cursor[Any], event: Customer.ConsentGiven, _: int) -> None:
        if event.purpose == ConsentPurpose.MARKETING.value:
            self._audience(cursor, event.originator_id, "marketing", value=True)

    @handles(Customer.ConsentWithdrawn)
    def consent_withdrawn(
        self, cursor: Cursor[Any], event: Customer.ConsentWithdrawn, _: int
    ) -> None:
        if event.purpose == ConsentPurpose.MARKETING.value:
            self._audience(cursor, event.originator_id, "marketing", value=False)
            self._attribute(cursor, event.originator_id, "unsubscribed_at", event.timestamp)

    @handles(Customer.ConsentRefused)
    def consent_refused(self, cursor: Cursor[Any], event: Customer.ConsentRefused, _: int) -> None:
        if event.purpose == ConsentPurpose.MARKETING.value:
            self._audience(cursor, event.originator_id, "marketing", value=False)

    @handles(Purchase.Recorded)
    def purchased(self, cursor: Cursor[Any], event: Purchase.Recorded, _: int) -> None:
        self._attribute(cursor, event.customer_id, "converted_at", event.purchased_at)

    @handles(Invitation.Responded)
    def responded(self, cursor: Cursor[Any], event: Invitation.Responded, _: int) -> None:
        if event.kind != SurveyKind.NPS.value:
            return
        cursor.execute(
            "INSERT INTO campaign_audience (customer_id, last_nps) VALUES (%s, %s)"
            " ON CONFLICT (customer_id) DO UPDATE SET last_nps = excluded.last_nps",
            (event.customer_id, event.score),
        )
        cursor.execute(
            "UPDATE campaign_recipients SET nps_after = %s WHERE customer_id = %s"
            " AND status = 'queued' AND nps_after IS NULL AND decided_at <= %s",
            (event.score, event.customer_id, event.timestamp),
        )

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

    def _moved(self, cursor: Cursor[Any], event: Any, status: str, **moment: datetime) -> None:
        ((column, at),) = moment.items()
        cursor.execute(
            f"UPDATE campaigns SET status = %s, {column} = %s, version = %s"
            " WHERE campaign_id = %s AND version < %s",
            (status, at, event.originator_version, event.originator_id,
             event.originator_version),
        )  # fmt: skip

    def _audience(
        self, cursor: Cursor[Any], customer_id: UUID, column: str, *, value: bool
    ) -> None:
        cursor.execute(
            f"INSERT INTO campaign_audience (customer_id, {column}) VALUES (%s, %s)"
            f" ON CONFLICT (customer_id) DO UPDATE SET {column} = excluded.{column}",
            (customer_id, value),
        )

    def _attribute(self, cursor: Cursor[Any], customer_id: UUID, column: str, at: datetime) -> None:
        cursor.execute(
            f"UPDATE campaign_recipients SET {column} = %(at)s"
            f" WHERE recipient_id = ({_LATEST}) AND {column} IS NULL",
            {"customer": customer_id, "at": at},
        )
