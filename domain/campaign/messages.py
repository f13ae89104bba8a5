"""A campaign's messages, written when they are sent (batches recorded since version 2 of
:class:`RecipientBatch.Recorded`): the batch is the messages' cause, the outbox holds a row per
queued member, and :func:`write_when_sent` writes each one (first name, tier, points, the
recommended product) and addresses it at the moment the delivery takes it, from the
customer's and the loyalty account's streams as they stand then. Nothing personal is written
to the log for a campaign: an erased recipient's message opens to nothing, and a cancelled
campaign's unsent messages open to nothing either.

Before, a recipient batch's messages went in a few events, each on a stream of
its own (its id derived from the campaign, the batch number and the part, so a batch is queued
once), all committed together, put in the notification outbox by the ``campaign_messages``
reaction after each recorded batch. A part holds messages up to ``PART_CHARS`` characters: the
log's readers take events by the hundred, so no event may grow with the batch times the
longest text a template allows.

A message is written when it is queued: the subject and text with the recipient's first name,
tier and points filled in, sealed with THAT recipient's key together with their address, so
the outbox holds neither and erasing one recipient leaves only their message unreadable. A
batch whose campaign was cancelled meanwhile queues nothing: cancelling withdraws what is not
yet in the outbox. Messages queued one stream per recipient (``CampaignMessage``, before
batches) are still in logs; their class stays so that they project and send as before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import Transcoding

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
MESSAGE_BATCH_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/campaign-message-batch")
PART_CHARS = 64_000
"""Most characters of written messages and addresses in one event (a longer message goes
alone): about 20 to 30 emails of a few kilobytes each, and never a batch's thousand times the
10,000-character body a template may have."""


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


@dataclass(frozen=True, slots=True)
class BatchMessage:
    """One recipient's message in a :class:`MessageBatch`: their address and the written
    subject and text (JSON), each sealed with their own key."""

    customer_id: UUID
    recipient: PersonalData
    content: PersonalData


class BatchMessageAsDict(Transcoding):
    """Stores a :class:`BatchMessage` as ``{"c": customer id, "r": address, "t": content}``;
    the two personal values inside are sealed and opened by the personal-data transcoding
    (the transcoder walks into this one's data: it is not ``flat``)."""

    type = BatchMessage
    name = "campaign_batch_message"

    def encode(self, obj: BatchMessage) -> dict[str, Any]:
        return {"c": obj.customer_id.hex, "r": obj.recipient, "t": obj.content}

    def decode(self, data: dict[str, Any]) -> BatchMessage:
        return BatchMessage(UUID(data["c"]), data["r"], data["t"])


class MessageBatch(LedgerAggregate):
    """One part of a recipient batch's messages of a campaign (a stream of one event)."""

    class Queued(LedgerAggregate.Created):
        """``messages`` are to go out on ``channel`` for ``campaign_id``, one per recipient of
        part ``part`` of its batch ``batch`` (recipients erased since the batch was recorded
        are left out)."""

        campaign_id: UUID
        batch: int
        part: int
        channel: str
        messages: list[BatchMessage]

        def apply(self, batch: MessageBatch) -> None:
            batch.campaign_id, batch.batch = self.campaign_id, self.batch

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    campaign_id: UUID
    batch: int

    @staticmethod
    def id_for(campaign_id: UUID, batch: int, part: int = 0) -> UUID:
        return uuid5(MESSAGE_BATCH_NAMESPACE, f"{campaign_id}/{batch}/{part}")

    @classmethod
    def queue(
        cls, campaign: Campaign, batch: int, part: int, messages: list[BatchMessage]
    ) -> MessageBatch:
        return cls._create(
            cls.Queued,
            id=cls.id_for(campaign.id, batch, part),
            campaign_id=campaign.id,
            batch=batch,
            part=part,
            channel=campaign.channel.value,
            messages=messages,
        )


def parts_of(
    messages: Sequence[BatchMessage], limit: int | None = None
) -> list[list[BatchMessage]]:
    """``messages`` in order, cut into runs of at most ``limit`` (default ``PART_CHARS``)
    characters of addresses and texts each (a message longer than that alone in its run)."""
    limit = PART_CHARS if limit is None else limit
    parts: list[list[BatchMessage]] = []
    size = limit  # so that the first message opens a part
    for message in messages:
        length = len(message.recipient.value or "") + len(message.content.value or "")
        if size + length > limit or not parts:
            parts.append([])
            size = 0
        parts[-1].append(message)
        size += length
    return parts


def written_message(campaign: Campaign, customer: Customer, values: dict[str, str]) -> BatchMessage:
    """The campaign's subject and text for ``customer``, sealed with their address."""
    written = {"subject": render(campaign.subject, values), "text": render(campaign.body, values)}
    content = PersonalData(customer.id, json.dumps(written, sort_keys=True))
    return BatchMessage(customer.id, customer.email, content)


def queue_campaign_messages(
    ledger: LedgerCore, batch: RecipientBatch.Recorded, metadata: EventMetadata
) -> CommandResult:
    """Queue the batch's messages in a few events committed together, once per (campaign,
    batch): a re-delivery after a crash finds the batch's first part and writes nothing.
    Customers erased since are passed over. The batch's customers and loyalty accounts are
    read in one go each."""
    campaign = campaign_of(ledger, batch.campaign_id)
    if batch.written_when_sent:  # its messages are written when sent: nothing to queue
        return CommandResult(campaign.id, campaign.version, ledger.head_position())
    batch_id = MessageBatch.id_for(campaign.id, batch.batch)
    queued = ledger.find_many([batch_id], MessageBatch, _not_a_message)
    messages = []
    if campaign.status is not CampaignStatus.CANCELLED and batch_id not in queued:
        for customer, account in _recipients_to_queue(ledger, batch.queued):
            recommended = batch.recommended.get(str(customer.id), "")
            values = values_for(customer, account, recommended)
            messages.append(written_message(campaign, customer, values))
    if not messages:
        return CommandResult(campaign.id, campaign.version, ledger.head_position())
    with acting_as(metadata):
        parts = [
            MessageBatch.queue(campaign, batch.batch, number, part)
            for number, part in enumerate(parts_of(messages))
        ]
    return CommandResult(campaign.id, campaign.version, ledger.commit(*parts))


@dataclass(frozen=True, slots=True)
class WrittenMessage:
    """One recipient's message as it goes out: their address, and the subject and text
    written for them (JSON, as a sealed message of a :class:`MessageBatch` holds it)."""

    recipient: str
    content: str


def write_when_sent(
    ledger: LedgerCore, batch: RecipientBatch.Recorded, entries: Sequence[int]
) -> dict[int, WrittenMessage | None]:
    """The messages of the batch's ``entries`` (places in its ``queued``), written now from
    the recipients' current name, tier and points. None for an entry whose recipient was
    erased (or is no customer), an entry the batch does not have, and every entry of a
    campaign cancelled meanwhile. Reads the campaign, then the entries' customers and loyalty
    accounts one statement each, however many entries."""
    written: dict[int, WrittenMessage | None] = dict.fromkeys(entries)
    campaign = campaign_of(ledger, batch.campaign_id)
    if campaign.status is CampaignStatus.CANCELLED:
        return written
    wanted = {e: batch.queued[e] for e in entries if 0 <= e < len(batch.queued)}
    customers = ledger.find_many(set(wanted.values()), Customer, _no_customer)
    living = {c.id: c for c in customers.values() if not c.email.is_erased}
    account_ids = {c: LoyaltyAccount.id_for(c) for c in living}
    accounts = ledger.find_many(account_ids.values(), LoyaltyAccount, _not_a_message)
    for entry, customer_id in wanted.items():
        customer = living.get(customer_id)
        if customer is None or customer.email.value is None:
            continue
        recommended = batch.recommended.get(str(customer_id), "")
        values = values_for(customer, accounts.get(account_ids[customer_id]), recommended)
        text = {"subject": render(campaign.subject, values), "text": render(campaign.body, values)}
        written[entry] = WrittenMessage(customer.email.value, json.dumps(text, sort_keys=True))
    return written


def _recipients_to_queue(
    ledger: LedgerCore, customer_ids: Sequence[UUID]
) -> list[tuple[Customer, LoyaltyAccount | None]]:
    """The batch's customers not erased, in the batch's order, each with their loyalty
    account (None if not enrolled). A customer who does not exist refuses the batch."""
    wanted = list(dict.fromkeys(customer_ids))
    customers = ledger.find_many(wanted, Customer, _no_customer)
    if len(customers) < len(wanted):
        raise _no_customer()
    living = [customers[c] for c in wanted if not customers[c].email.is_erased]
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
