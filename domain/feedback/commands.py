"""Use cases on feedback: the command, its handler (see :mod:`domain.shared.commands`).

A logged-in customer's feedback is sealed with their key; an anonymous sender gives an email
and is their own data subject, the same one as a person invited by that email (keyed by the
email's keyed hash: :func:`domain.referral.commands.invitee_subject`), so ``requestErasure``
with that email erases it, and a customer's erasure erases what they sent anonymously under
any email they had. A complaint opens a ticket, linked to the feedback, in the same commit: a
customer's for the customer (at their tier's priority), an anonymous one for its sender as the
ticket's anonymous requester (their email sealed with the same subject, the default priority),
so an agent can answer them and erasing that email erases the ticket's texts too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.customer.commands import customer_of
from domain.customer.values import normalise_email
from domain.feedback.errors import FeedbackIdReusedError
from domain.feedback.model import Feedback
from domain.feedback.values import (
    FeedbackKind,
    check_feedback_text,
    check_topic,
)
from domain.referral.commands import invitee_subject
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ValidationError
from domain.shared.ids import new_id
from domain.shared.metadata import Channel, EventMetadata, Role, acting_as
from domain.shared.personal_data import PersonalData
from domain.survey.sentiment import sentiment
from domain.survey.values import check_product_version
from domain.ticket.commands import default_priority, sla_terms
from domain.ticket.model import Ticket
from domain.ticket.values import MAX_TEXT, TicketChannel

COMPLAINT_CATEGORY = "feedback-complaint"
"""The category of the ticket a complaint opens, so agents can queue them apart."""
COMPLAINT_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/feedback-complaint")

_TICKET_CHANNELS = {
    Channel.WEB: TicketChannel.WEB,
    Channel.APP: TicketChannel.APP,
    Channel.EMAIL: TicketChannel.EMAIL,
    Channel.PHONE: TicketChannel.PHONE,
    Channel.STORE: TicketChannel.STORE,
}


@dataclass(frozen=True, slots=True)
class SubmitFeedback(Command[CommandResult]):
    """Give feedback: as the logged-in customer the metadata names, or anonymously with
    ``email``. ``feedback_id`` doubles as the idempotency key."""

    kind: FeedbackKind
    topic: str
    text: str
    product_version: str | None = None
    email: str | None = None
    feedback_id: UUID | None = None
    now: datetime | None = None


def complaint_ticket_id(feedback_id: UUID) -> UUID:
    """The ticket a complaint opens: one per complaint, whatever retries."""
    return uuid5(COMPLAINT_NAMESPACE, str(feedback_id))


def submit_feedback(
    ledger: LedgerCore, command: SubmitFeedback, metadata: EventMetadata
) -> CommandResult:
    topic = check_topic(command.topic)
    text = check_feedback_text(command.text)
    version = check_product_version(command.product_version)
    customer_id, subject_id, email = _sender(ledger, command, metadata)
    feedback_id = command.feedback_id or new_id()
    existing = ledger.find(feedback_id, Feedback, _id_reused)
    if existing is not None:  # a retry of the same sender answers the same
        if existing.subject_id != subject_id:
            raise _id_reused()
        return CommandResult(existing.id, existing.version, ledger.head_position())
    at = command.now or datetime.now(UTC)
    sealed_email = None if email is None else PersonalData(subject_id, email)
    complaint = Complaint(feedback_id, topic, text, customer_id, sealed_email, at)
    with acting_as(metadata):
        ticket = (
            _complaint_ticket(ledger, complaint, metadata)
            if command.kind is FeedbackKind.COMPLAINT
            else None
        )
        feedback = Feedback.submit(
            feedback_id,
            kind=command.kind.value,
            topic=topic,
            text=PersonalData(subject_id, text),
            email=sealed_email,
            customer_id=customer_id,
            product_version=version,
            sentiment=sentiment(text),
            ticket_id=None if ticket is None else ticket.id,
            at=at,
        )
    aggregates = [feedback] if ticket is None else [feedback, ticket]
    return CommandResult(feedback.id, feedback.version, ledger.commit(*aggregates))


@dataclass(frozen=True, slots=True)
class Complaint:
    """What the ticket a complaint opens is made of (checked already)."""

    feedback_id: UUID
    topic: str
    text: str
    customer_id: UUID | None
    email: PersonalData | None
    """An anonymous sender's email, sealed with their own subject."""
    at: datetime


def _complaint_ticket(ledger: LedgerCore, complaint: Complaint, metadata: EventMetadata) -> Ticket:
    """The ticket a complaint opens: the customer's, or the anonymous sender's (by email)."""
    ticket_id = complaint_ticket_id(complaint.feedback_id)
    fields: dict[str, Any] = {
        "channel": _TICKET_CHANNELS.get(metadata.channel, TicketChannel.WEB).value,
        "category": COMPLAINT_CATEGORY,
        "subject": f"Complaint about {complaint.topic}",
        "description": complaint.text[:MAX_TEXT],
        "source": {"kind": "feedback", "id": str(complaint.feedback_id)},
        "terms": sla_terms(ledger),
        "at": complaint.at,
    }
    if complaint.customer_id is not None:
        customer_id = complaint.customer_id
        priority = default_priority(ledger, customer_id)
        return Ticket.open(ticket_id, customer_id=customer_id, priority=priority, **fields)
    if complaint.email is None:  # _sender asks an anonymous sender for one
        raise ValidationError("give an email, or log in", field="email")
    return Ticket.open_for_anonymous(ticket_id, requester_email=complaint.email, **fields)


def _sender(
    ledger: LedgerCore, command: SubmitFeedback, metadata: EventMetadata
) -> tuple[UUID | None, UUID, str | None]:
    """Who sends it: (customer id, data subject, email of an anonymous sender)."""
    if metadata.actor_role is Role.CUSTOMER:
        if command.email is not None:
            raise ValidationError(
                "a logged-in customer gives no email: we know who you are", field="email"
            )
        customer = customer_of(ledger, _customer_id(metadata))
        if customer.email.is_erased:
            raise ValidationError("an erased customer cannot give feedback")
        return customer.id, customer.id, None
    if metadata.actor_role is not Role.ANONYMOUS:
        raise ValidationError("feedback comes from customers, logged in or anonymous")
    if command.email is None:
        raise ValidationError("give an email, or log in", field="email")
    email = normalise_email(command.email)
    return None, invitee_subject(ledger, email), email


def _customer_id(metadata: EventMetadata) -> UUID:
    """The customer a customer's token names (a token of another issuer may name none)."""
    try:
        return UUID(metadata.actor_id)
    except ValueError:
        raise ValidationError("this customer token names no customer") from None


def _id_reused() -> FeedbackIdReusedError:
    return FeedbackIdReusedError("feedbackId names something else", field="feedbackId")
