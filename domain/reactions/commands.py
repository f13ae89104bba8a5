"""The commands the reactions run. Each is idempotent, keyed by its cause, so that the runner
re-delivering an event after a crash (between the command and its position) changes nothing:

- a follow-up ticket's id derives from the response's id, and its opening and first note
  commit together;
- a CSAT invitation commits together with its record keyed by the ticket, so a ticket asks
  once;
- a thank-you is an event of the response itself, recorded once;
- a ticket progress notice's id derives from the ticket step that caused it;
- an improvement notice's id derives from (improvement, customer), and a chunk of the
  audience commits its notices together;
- an order notice's id derives from the order step that caused it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.customer.commands import customer_in, customer_of
from domain.customer.model import Customer
from domain.customer.profile import ConsentPurpose
from domain.fulfilment.model import TrackedOrder
from domain.improvement.commands import improvement_of
from domain.improvement.model import Improvement
from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.commands import tier_in
from domain.reactions.channels import survey_channel_of, ticket_channel_of
from domain.reactions.model import (
    ImprovementNotice,
    OrderNotice,
    SatisfactionRequest,
    TicketNotice,
    TicketStep,
)
from domain.shared.application import CommandResult, of_kind
from domain.shared.errors import ValidationError
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.personal_data import PersonalData
from domain.survey.commands import InviteToSurvey, invitation_in, invitation_to_send
from domain.survey.errors import ContactNotPermittedError
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel
from domain.ticket.commands import priority_of_tier, sla_terms_in
from domain.ticket.model import Ticket
from domain.ticket.policy import POLICY_ID, SlaPolicy
from domain.ticket.values import MAX_TEXT, check_category

FOLLOW_UP_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/survey-follow-up")


def follow_up_ticket_id(response_id: UUID) -> UUID:
    """The follow-up ticket of a response (the invitation it answered): one per response."""
    return uuid5(FOLLOW_UP_NAMESPACE, str(response_id))


def open_follow_up_ticket(
    ledger: Ledger,
    answer: Invitation.Responded,
    category: str,
    metadata: EventMetadata,
) -> CommandResult | None:
    """Open the follow-up ticket of a detractor's answer, linked to the response, at the
    priority of the customer's loyalty tier, with their comment as its first internal note;
    nothing for a customer erased since (there is no one to follow up with)."""
    ticket_id = follow_up_ticket_id(answer.originator_id)
    # The ticket (if delivered before), the customer, their loyalty account (the priority)
    # and the SLA policy in one read: one by one they cost up to seven round trips.
    account_id = LoyaltyAccount.id_for(answer.customer_id)
    found = ledger.find_together(
        {
            ticket_id: Ticket,
            answer.customer_id: Customer,
            account_id: LoyaltyAccount,
            POLICY_ID: SlaPolicy,
        }
    )
    existing = of_kind(found.get(ticket_id), Ticket, _not_a_ticket)
    if existing is not None:  # delivered again: it is already open
        return CommandResult(existing.id, existing.version, ledger.head_position())
    customer = customer_in(found, answer.customer_id)
    if customer.email.is_erased:
        return None
    at = answer.timestamp
    kind = answer.kind.upper()
    with acting_as(metadata):
        ticket = Ticket.open(
            ticket_id,
            customer_id=customer.id,
            channel=ticket_channel_of(answer.channel).value,
            category=check_category(category),
            subject=f"Follow-up of a {kind} answer of {answer.score}",
            description=(
                f"The customer answered a {kind} survey with {answer.score}. "
                "Their comment, if any, is the first internal note."
            ),
            priority=priority_of_tier(tier_in(found, customer.id)),
            source={"kind": "survey_response", "id": str(answer.originator_id)},
            terms=sla_terms_in(found),
            at=at,
        )
        comment = _text(answer.comment)
        if comment:
            ticket.add_note(comment[:MAX_TEXT], at)
    return CommandResult(ticket.id, ticket.version, ledger.commit(ticket))


def invite_after_resolution(
    ledger: Ledger,
    resolved: Ticket.Resolved,
    survey_id: UUID,
    metadata: EventMetadata,
) -> CommandResult | None:
    """Invite the ticket's customer to the CSAT survey on the ticket's channel, once per
    ticket. The survey's own rules apply: it must be open and run on that channel, and the
    customer must have opted in to the channel and not refused research (else a refusal).
    An anonymous requester's ticket asks no one: a survey invitation is a customer's."""
    request_id = SatisfactionRequest.id_for(resolved.originator_id)
    existing = ledger.find(request_id, SatisfactionRequest, _not_a_request)
    if existing is not None:  # asked before: a second resolution, or delivered again
        return CommandResult(existing.id, existing.version, ledger.head_position())
    ticket = ledger.get_ticket(resolved.originator_id)
    customer_id = ticket.customer_id
    if customer_id is None:
        return None
    channel = survey_channel_of(ticket.channel)
    # The ticket is the invitation's occasion: an invitation of its own, so a customer who
    # answered this survey about an earlier ticket is asked about this one too.
    invite = InviteToSurvey(survey_id, customer_id, channel, now=resolved.at, occasion=ticket.id)
    invitation = invitation_to_send(ledger, invite, metadata)
    with acting_as(metadata):
        request = SatisfactionRequest.send(
            ticket.id, customer_id, survey_id, invitation.id, resolved.at
        )
    return CommandResult(request.id, request.version, ledger.commit(invitation, request))


def thank_promoter(
    ledger: Ledger,
    answer: Invitation.Responded,
    with_referral_code: bool,
    metadata: EventMetadata,
) -> CommandResult:
    """Thank a promoter once per response, on the channel they answered on when it is email
    or SMS (else email), if they opted in to it; with their referral code (issued if
    needed) when the program is on and they consented to marketing."""
    # The invitation and its customer in one read: one by one they cost the reaction two
    # round trips (three with the customer's snapshot) on every promoter's answer.
    wanted = {answer.originator_id: Invitation, answer.customer_id: Customer}
    found = ledger.find_together(wanted)
    invitation = invitation_in(found, answer.originator_id)
    if invitation.thanked:
        return CommandResult(invitation.id, invitation.version, ledger.head_position())
    customer = customer_in(found, answer.customer_id)
    channel = SurveyChannel(answer.channel)
    if channel not in (SurveyChannel.EMAIL, SurveyChannel.SMS):
        channel = SurveyChannel.EMAIL  # answered in-product or from a push: thank by email
    recipient = _recipient(customer, channel)
    code = None
    if with_referral_code and customer.consents.get(ConsentPurpose.MARKETING.value) is True:
        # Issuing is idempotent (the usable code, else a new one): a re-delivery after a crash
        # here finds the code issued the first time.
        ledger.issue_referral_code(customer.id, metadata, now=datetime.now(UTC))
        code = ledger.get_referrer(customer.id).code
    with acting_as(metadata):
        invitation.thank(channel.value, recipient, code)
    return CommandResult(invitation.id, invitation.version, ledger.commit(invitation))


def notify_ticket_progress(
    ledger: Ledger, step_event: Ticket.Event, step: TicketStep, metadata: EventMetadata
) -> CommandResult | None:
    """Tell the ticket's customer of ``step``, once per step, on the ticket's channel when it
    is email or SMS (else email), if they opted in to it. An anonymous requester is told by
    email, at the address they complained from (they gave it to be answered); nothing once
    they are erased."""
    notice_id = TicketNotice.id_for(step_event.originator_id, step_event.originator_version)
    existing = ledger.find(notice_id, TicketNotice, _not_a_notice)
    if existing is not None:  # delivered again: already queued
        return CommandResult(existing.id, existing.version, ledger.head_position())
    ticket = ledger.get_ticket(step_event.originator_id)
    channel, recipient = _ticket_recipient(ledger, ticket)
    if recipient is None:
        return None
    with acting_as(metadata):
        notice = TicketNotice.queue(
            notice_id,
            ticket_id=ticket.id,
            customer_id=ticket.subject_id,
            step=step,
            channel=channel.value,
            recipient=recipient,
        )
    return CommandResult(notice.id, notice.version, ledger.commit(notice))


def _ticket_recipient(ledger: Ledger, ticket: Ticket) -> tuple[SurveyChannel, PersonalData | None]:
    """Where a ticket's news goes: the customer's opted-in channel (a refusal if none), or an
    anonymous requester's email (None once erased)."""
    if ticket.customer_id is None:
        email = ticket.requester_email
        return SurveyChannel.EMAIL, None if email is None or email.is_erased else email
    customer = customer_of(ledger, ticket.customer_id)
    channel = survey_channel_of(ticket.channel)
    if channel not in (SurveyChannel.EMAIL, SurveyChannel.SMS):
        channel = SurveyChannel.EMAIL  # in the product or by push: tell them by email
    return channel, _recipient(customer, channel)


def notify_order_step(
    ledger: Ledger, step_event: TrackedOrder.Stepped, metadata: EventMetadata
) -> CommandResult:
    """Tell the order's customer that it reached the step of ``step_event``, once per step,
    by email, if they opted in to email (else the refusal passes the event over)."""
    notice_id = OrderNotice.id_for(step_event.originator_id, step_event.originator_version)
    existing = ledger.find(notice_id, OrderNotice, _not_a_notice)
    if existing is not None:  # delivered again: already queued
        return CommandResult(existing.id, existing.version, ledger.head_position())
    order = ledger.find(step_event.originator_id, TrackedOrder, _not_a_notice)
    if order is None:
        raise ValidationError("the step names no order")
    customer = customer_of(ledger, order.customer_id)
    with acting_as(metadata):
        notice = OrderNotice.queue(
            notice_id,
            order_id=order.order_id,
            customer_id=customer.id,
            step=step_event.step,
            carrier=step_event.carrier,
            estimated_delivery=step_event.estimated_delivery,
            recipient=_recipient(customer, SurveyChannel.EMAIL),
        )
    return CommandResult(notice.id, notice.version, ledger.commit(notice))


def notify_improvement(
    ledger: Ledger, chunk: Improvement.AudienceRecorded, metadata: EventMetadata
) -> CommandResult:
    """Tell each customer of ``chunk`` (part of an improvement's audience) of the improvement,
    once per (improvement, customer), by email. Passed over: a customer told already (a
    re-delivery after a crash), erased since, who has not opted in to email, or who refused
    research (their feedback came from surveys; we do not write to them about it). The
    chunk's notices commit together: a crash leaves all of them or none."""
    improvement = improvement_of(ledger, chunk.originator_id)
    notices = []
    for customer_id in chunk.customer_ids:
        notice_id = ImprovementNotice.id_for(improvement.id, customer_id)
        if ledger.find(notice_id, ImprovementNotice, _not_a_notice) is not None:
            continue  # delivered again: this one is queued already
        customer = customer_of(ledger, customer_id)
        if customer.email.is_erased or not _may_tell_of_improvements(customer):
            continue
        with acting_as(metadata):
            notices.append(
                ImprovementNotice.queue(
                    improvement_id=improvement.id,
                    customer_id=customer.id,
                    product_version=improvement.product_version,
                    message=improvement.message,
                    channel=SurveyChannel.EMAIL.value,
                    recipient=customer.email,
                )
            )
    if not notices:
        return CommandResult(improvement.id, improvement.version, ledger.head_position())
    return CommandResult(improvement.id, improvement.version, ledger.commit(*notices))


def _may_tell_of_improvements(customer: Customer) -> bool:
    """Opted in to email and not refused research (what their feedback was given under)."""
    if customer.consents.get(ConsentPurpose.RESEARCH.value) is False:
        return False
    return customer.contact_channels.get(SurveyChannel.EMAIL.value) is True


def _recipient(customer: Customer, channel: SurveyChannel) -> PersonalData:
    """Where the thank-you goes; a channel the customer did not opt in to is refused."""
    if customer.contact_channels.get(channel.value) is not True:
        raise ContactNotPermittedError(
            f"the customer has not opted in to {channel.value}", field="channel"
        )
    address = customer.email if channel is SurveyChannel.EMAIL else customer.phone
    if address is None or address.value is None:
        raise ContactNotPermittedError(f"the customer has no {channel.value} address")
    return address


def _text(value: object) -> str | None:
    """The clear text of a sealed value (None when absent or erased)."""
    if isinstance(value, PersonalData):
        return value.value if isinstance(value.value, str) else None
    return value if isinstance(value, str) else None


def _not_a_request() -> ValidationError:
    return ValidationError("the CSAT request's id names something else")


def _not_a_notice() -> ValidationError:
    return ValidationError("the notice's id names something else")


def _not_a_ticket() -> ValidationError:
    return ValidationError("the follow-up ticket's id names something else")
