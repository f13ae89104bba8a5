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
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.campaign.commands import campaign_of
from domain.campaign.model import Campaign, RecipientBatch
from domain.campaign.values import CampaignStatus, render
from domain.customer.errors import CustomerNotFoundError
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
    messages commit together: a crash leaves all of them or none. The batch's messages,
    customers and loyalty accounts are read in one go each, not one stream at a time."""
    campaign = campaign_of(ledger, batch.campaign_id)
    messages = []
    if campaign.status is not CampaignStatus.CANCELLED:
        for customer, account in _recipients_to_queue(ledger, campaign, batch.queued):
            with acting_as(metadata):
                recommended = batch.recommended.get(str(customer.id), "")
                values = values_for(customer, account, recommended)
                messages.append(CampaignMessage.queue(campaign, customer, values))
    position = ledger.commit(*messages) if messages else ledger.head_position()
    return CommandResult(campaign.id, campaign.version, position)


def _recipients_to_queue(
    ledger: LedgerCore, campaign: Campaign, customer_ids: Sequence[UUID]
) -> list[tuple[Customer, LoyaltyAccount | None]]:
    """The batch's customers not queued yet nor erased, in the batch's order, each with their
    loyalty account (None if not enrolled). A customer who does not exist refuses the batch."""
    message_ids = {c: CampaignMessage.id_for(campaign.id, c) for c in customer_ids}
    queued = ledger.find_many(message_ids.values(), CampaignMessage, _not_a_message)
    to_queue = [c for c in customer_ids if message_ids[c] not in queued]
    customers = ledger.find_many(to_queue, Customer, _no_customer)
    if len(customers) < len(set(to_queue)):
        raise _no_customer()
    living = [customers[c] for c in to_queue if not customers[c].email.is_erased]
    account_ids = {c.id: LoyaltyAccount.id_for(c.id) for c in living}
    accounts = ledger.find_many(account_ids.values(), LoyaltyAccount, _not_a_message)
    return [(c, accounts.get(account_ids[c.id])) for c in living]


def values_for(
    customer: Customer, account: LoyaltyAccount | None, recommended: str = ""
) -> dict[str, str]:
    """What a template may use: the first word of their name, their tier and points (none
    when not enrolled), and the product the sender recommended to them (empty if none)."""
    name = customer.name.value or ""
    first_name = name.split()[0] if name.split() else ""
    values = {"first_name": first_name, "recommended_product": recommended}
    if account is not None:
        values["tier"] = account.tier_name
        values["points"] = str(account.balance(datetime.now(UTC)))
    return values


def _not_a_message() -> NotFoundError:
    return NotFoundError("another aggregate has this id")


def _no_customer() -> CustomerNotFoundError:
    return CustomerNotFoundError("no such customer")
