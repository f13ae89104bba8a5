"""A campaign's messages: one per queued recipient, each a stream of its own (its id derived
from the campaign and the customer, so a customer gets a campaign once), put in the
notification outbox by the ``campaign_messages`` reaction after each recorded batch.

The message is written when it is queued: the subject and text with the recipient's first
name, tier and points filled in, sealed with their key together with their address, so the
outbox holds neither and an erasure leaves nothing to send. A batch whose campaign was
cancelled meanwhile queues nothing: cancelling withdraws what is not yet in the outbox.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.campaign.commands import campaign_of
from domain.campaign.model import Campaign, RecipientBatch
from domain.campaign.values import CampaignStatus, render
from domain.customer.commands import customer_of
from domain.customer.model import Customer
from domain.loyalty.account import LoyaltyAccount
from domain.shared.aggregate import LedgerAggregate
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.errors import NotFoundError
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.personal_data import PersonalData

MESSAGE_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/campaign-message")


class CampaignMessage(LedgerAggregate):
    """One campaign's email to one customer."""

    class Queued(LedgerAggregate.Created):
        """The customer is to get ``campaign_id``'s email at ``recipient``; ``content`` is its
        subject and text as JSON, personalised (both sealed with their key)."""

        campaign_id: UUID
        customer_id: UUID
        channel: str
        recipient: PersonalData
        content: PersonalData

        def apply(self, message: CampaignMessage) -> None:
            message.campaign_id, message.customer_id = self.campaign_id, self.customer_id

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    campaign_id: UUID
    customer_id: UUID

    @staticmethod
    def id_for(campaign_id: UUID, customer_id: UUID) -> UUID:
        return uuid5(MESSAGE_NAMESPACE, f"{campaign_id}/{customer_id}")

    @classmethod
    def queue(
        cls, campaign: Campaign, customer: Customer, values: dict[str, str]
    ) -> CampaignMessage:
        written = {
            "subject": render(campaign.subject, values),
            "text": render(campaign.body, values),
        }
        return cls._create(
            cls.Queued,
            id=cls.id_for(campaign.id, customer.id),
            campaign_id=campaign.id,
            customer_id=customer.id,
            channel=campaign.channel.value,
            recipient=customer.email,
            content=PersonalData(customer.id, json.dumps(written, sort_keys=True)),
        )


def queue_campaign_messages(
    ledger: LedgerCore, batch: RecipientBatch.Recorded, metadata: EventMetadata
) -> CommandResult:
    """Queue the batch's messages, once per (campaign, customer): passed over are customers
    queued already (a re-delivery after a crash) and customers erased since. The batch's
    messages commit together: a crash leaves all of them or none."""
    campaign = campaign_of(ledger, batch.campaign_id)
    messages = []
    if campaign.status is not CampaignStatus.CANCELLED:
        for customer_id in batch.queued:
            message_id = CampaignMessage.id_for(campaign.id, customer_id)
            if ledger.find(message_id, CampaignMessage, _not_a_message) is not None:
                continue
            customer = customer_of(ledger, customer_id)
            if customer.email.is_erased:
                continue
            with acting_as(metadata):
                recommended = batch.recommended.get(str(customer_id), "")
                messages.append(
                    CampaignMessage.queue(
                        campaign, customer, values_of(ledger, customer, recommended)
                    )
                )
    position = ledger.commit(*messages) if messages else ledger.head_position()
    return CommandResult(campaign.id, campaign.version, position)


def values_of(ledger: LedgerCore, customer: Customer, recommended: str = "") -> dict[str, str]:
    """What a template may use: the first word of their name, their tier and points (none
    when not enrolled), and the product the sender recommended to them (empty if none)."""
    name = customer.name.value or ""
    first_name = name.split()[0] if name.split() else ""
    values = {"first_name": first_name, "recommended_product": recommended}
    account_id = LoyaltyAccount.id_for(customer.id)
    account = ledger.find(account_id, LoyaltyAccount, _not_a_message)
    if account is not None:
        values["tier"] = account.tier_name
        values["points"] = str(account.balance(datetime.now(UTC)))
    return values


def _not_a_message() -> NotFoundError:
    return NotFoundError("another aggregate has this id")
