"""Feedback outside surveys, given-when-then, in memory."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from domain.customer.commands import RegisterCustomer
from domain.feedback.commands import SubmitFeedback, complaint_ticket_id
from domain.feedback.errors import FeedbackIdReusedError
from domain.feedback.model import Feedback
from domain.feedback.values import MAX_FEEDBACK_TEXT, FeedbackKind
from domain.ledger import Ledger
from domain.referral.commands import invitee_subject
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.shared.personal_data import PersonalData
from domain.ticket.commands import OpenTicket, ReopenTicket, ReplyToTicket, ResolveTicket
from domain.ticket.errors import TicketNotFoundError
from domain.ticket.model import Ticket
from domain.ticket.values import Priority, RequesterKind, TicketChannel

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)


def customer(ledger: Ledger) -> EventMetadata:
    customer_id = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    return EventMetadata(
        actor_id=str(customer_id.aggregate_id), actor_role=Role.CUSTOMER, channel=Channel.APP
    )


def submitted(ledger: Ledger, feedback_id: UUID) -> Feedback.Submitted:
    event = ledger.history(feedback_id)[0]
    assert isinstance(event, Feedback.Submitted)
    return event


def test_a_customers_complaint_opens_a_linked_ticket_in_the_same_commit(ledger: Ledger) -> None:
    """A logged-in customer's complaint opens one ticket whose source is the feedback."""
    me = customer(ledger)
    command = SubmitFeedback(FeedbackKind.COMPLAINT, "billing", "I was charged twice, awful.")
    result = ledger.handle(command, me)
    ticket = ledger.find(complaint_ticket_id(result.aggregate_id))
    assert isinstance(ticket, Ticket)
    opened = ledger.history(ticket.id)[0]
    assert isinstance(opened, Ticket.Opened)
    assert opened.source == {"kind": "feedback", "id": str(result.aggregate_id)}
    assert opened.channel == "app"
    event = submitted(ledger, result.aggregate_id)
    assert event.ticket_id == ticket.id
    assert event.sentiment < 0


def test_a_suggestion_opens_no_ticket(ledger: Ledger) -> None:
    """Only complaints open tickets."""
    result = ledger.handle(
        SubmitFeedback(FeedbackKind.SUGGESTION, "mobile-app", "Add a dark mode"), customer(ledger)
    )
    assert submitted(ledger, result.aggregate_id).ticket_id is None


def test_anonymous_feedback_is_sealed_for_the_email_as_its_own_subject(ledger: Ledger) -> None:
    """An anonymous sender's text and email are sealed with the invitee subject of the email."""
    command = SubmitFeedback(
        FeedbackKind.QUESTION, "delivery", "Where is it?", email="Bob@Example.org"
    )
    event = submitted(ledger, ledger.handle(command, ANONYMOUS).aggregate_id)
    subject = invitee_subject(ledger, "bob@example.org")
    assert event.subject_id == subject and event.text.subject_id == subject
    assert event.email is not None and event.email.value == "bob@example.org"
    assert event.customer_id is None and event.ticket_id is None


def test_an_anonymous_complaint_opens_a_ticket_for_its_sender_by_email(ledger: Ledger) -> None:
    """No customer: the ticket's requester is the anonymous person, its texts and their email
    sealed with the feedback's own subject, at the default priority (no tier), in the same
    commit as the feedback."""
    command = SubmitFeedback(
        FeedbackKind.COMPLAINT, "delivery", "Late again", email="Bob@Example.org"
    )
    result = ledger.handle(command, ANONYMOUS)
    event = submitted(ledger, result.aggregate_id)
    subject = invitee_subject(ledger, "bob@example.org")
    assert event.ticket_id == complaint_ticket_id(result.aggregate_id)
    opened = ledger.history(event.ticket_id)[0]
    assert isinstance(opened, Ticket.Opened)
    assert opened.customer_id is None and opened.requester == RequesterKind.ANONYMOUS.value
    assert opened.subject_id == subject
    assert opened.requester_email is not None
    assert opened.requester_email.subject_id == subject
    assert opened.requester_email.value == "bob@example.org"
    assert {opened.subject.subject_id, opened.description.subject_id} == {subject}
    assert opened.priority == Priority.NORMAL.value
    assert opened.source == {"kind": "feedback", "id": str(result.aggregate_id)}
    ticket = ledger.get_ticket(event.ticket_id)
    assert ticket.customer_id is None and ticket.requester is RequesterKind.ANONYMOUS


def test_an_anonymous_requesters_ticket_is_worked_like_any_other(ledger: Ledger) -> None:
    """Agents reply, hold and resolve it; every text is sealed with the requester's subject;
    no customer may act on it (it is no customer's: TICKET_NOT_FOUND)."""
    command = SubmitFeedback(FeedbackKind.COMPLAINT, "delivery", "Late", email="bob@example.org")
    ticket_id = submitted(ledger, ledger.handle(command, ANONYMOUS).aggregate_id).ticket_id
    assert ticket_id is not None
    ledger.handle(ReplyToTicket(ticket_id, "Sorry, on its way"), AGENT)
    ledger.handle(ResolveTicket(ticket_id, "Delivered"), AGENT)
    subject = invitee_subject(ledger, "bob@example.org")
    history = ledger.history(ticket_id)
    replied = next(e for e in history if isinstance(e, Ticket.Replied))
    resolved = next(e for e in history if isinstance(e, Ticket.Resolved))
    assert replied.body.subject_id == resolved.resolution.subject_id == subject
    with pytest.raises(TicketNotFoundError):
        ledger.handle(ReopenTicket(ticket_id, "Not delivered"), customer(ledger))


def test_no_customer_token_owns_an_anonymous_requesters_ticket(ledger: Ledger) -> None:
    """Not even one whose subject reads like the missing customer (another issuer's token may
    name anything): TICKET_NOT_FOUND, nothing written."""
    command = SubmitFeedback(FeedbackKind.COMPLAINT, "delivery", "Late", email="bob@example.org")
    ticket_id = submitted(ledger, ledger.handle(command, ANONYMOUS).aggregate_id).ticket_id
    assert ticket_id is not None
    odd = EventMetadata(actor_id="None", actor_role=Role.CUSTOMER, channel=Channel.WEB)
    with pytest.raises(TicketNotFoundError):
        ledger.handle(ReplyToTicket(ticket_id, "Mine now"), odd)
    assert ledger.get_ticket(ticket_id).version == 1


def test_a_stored_version_1_opening_reads_as_a_customers_ticket(ledger: Ledger) -> None:
    """Stored before requesters had kinds (no ``subject_id``, ``requester`` or
    ``requester_email``, no class version), an opening decodes through the store's own mapper
    as a customer's ticket whose texts are sealed with the customer's key; a version 1
    snapshot's state upcasts likewise."""
    customer_id = ledger.register_customer(RegisterCustomer("Ada", "a@b.org"), AGENT).aggregate_id
    command = OpenTicket(customer_id, TicketChannel.WEB, "billing", "Invoice", "Wrong total")
    opened = ledger.history(ledger.open_ticket(command, AGENT).aggregate_id)[0]
    stored = ledger.mapper.to_stored_event(opened)
    state = ledger.mapper.transcoder.decode(stored.state)
    for version_2 in ("subject_id", "requester", "requester_email", "class_version"):
        del state[version_2]
    v1 = StoredEvent(stored.originator_id, 1, stored.topic, ledger.mapper.transcoder.encode(state))
    read = ledger.mapper.to_domain_event(v1)
    assert isinstance(read, Ticket.Opened)
    assert (read.customer_id, read.subject_id) == (customer_id, customer_id)
    assert (read.requester, read.requester_email) == ("customer", None)
    assert read.description == PersonalData(customer_id, "Wrong total")
    snapshot: dict[str, object] = {"customer_id": customer_id}
    Ticket.upcast_v1_v2(snapshot)
    assert snapshot == {
        "customer_id": customer_id,
        "subject_id": customer_id,
        "requester": "customer",
        "requester_email": None,
    }


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (SubmitFeedback(FeedbackKind.QUESTION, "Billing", "x", email="a@b.org"), "topic"),
        (SubmitFeedback(FeedbackKind.QUESTION, "b" * 65, "x", email="a@b.org"), "topic"),
        (SubmitFeedback(FeedbackKind.QUESTION, "billing", "  ", email="a@b.org"), "text"),
        (
            SubmitFeedback(
                FeedbackKind.QUESTION, "billing", "x" * (MAX_FEEDBACK_TEXT + 1), email="a@b.org"
            ),
            "text",
        ),
        (SubmitFeedback(FeedbackKind.QUESTION, "billing", "a\x00b", email="a@b.org"), "text"),
        (
            SubmitFeedback(
                FeedbackKind.QUESTION, "billing", "x", product_version="1 0", email="a@b.org"
            ),
            "productVersion",
        ),
        (SubmitFeedback(FeedbackKind.QUESTION, "billing", "x"), "email"),
        (SubmitFeedback(FeedbackKind.QUESTION, "billing", "x", email="not an email"), "email"),
    ],
)
def test_bad_input_is_refused_on_its_field(
    ledger: Ledger, command: SubmitFeedback, field: str
) -> None:
    """Every field is bounded; an anonymous sender must give a valid email."""
    with pytest.raises(ValidationError) as refused:
        ledger.handle(command, ANONYMOUS)
    assert refused.value.field == field


def test_a_logged_in_customer_gives_no_email(ledger: Ledger) -> None:
    """A customer is known: an email beside their token is refused."""
    command = SubmitFeedback(FeedbackKind.QUESTION, "billing", "x", email="a@b.org")
    with pytest.raises(ValidationError) as refused:
        ledger.handle(command, customer(ledger))
    assert refused.value.field == "email"


def test_a_feedback_id_is_an_idempotency_key_of_its_sender(ledger: Ledger) -> None:
    """The same id again from the same sender answers the same; from another, is refused."""
    feedback_id = uuid4()
    command = SubmitFeedback(
        FeedbackKind.COMPLIMENT, "staff", "Lovely", email="a@b.org", feedback_id=feedback_id
    )
    first = ledger.handle(command, ANONYMOUS)
    again = ledger.handle(command, ANONYMOUS)
    assert again.aggregate_id == first.aggregate_id and len(ledger.history(feedback_id)) == 1
    other = SubmitFeedback(
        FeedbackKind.COMPLIMENT, "staff", "Lovely", email="c@d.org", feedback_id=feedback_id
    )
    with pytest.raises(FeedbackIdReusedError):
        ledger.handle(other, ANONYMOUS)


def test_a_customer_token_naming_no_customer_is_refused(ledger: Ledger) -> None:
    """A customer role whose subject is not a customer id is a typed refusal, not a crash."""
    stranger = EventMetadata(actor_id="idp|12345", actor_role=Role.CUSTOMER, channel=Channel.WEB)
    with pytest.raises(ValidationError):
        ledger.handle(SubmitFeedback(FeedbackKind.QUESTION, "billing", "x"), stranger)
