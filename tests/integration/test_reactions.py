"""The reactions between aggregates, through the real ledger and the real process manager
runner: each has its effect once, again after the same event is delivered twice or after a
crash between its command and its position; each honours contact preferences and consents;
each stops when an admin turns it off."""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.persistence import Notification

from domain.customer.commands import ChangeDemographics, RegisterCustomer, SetContactPreferences
from domain.customer.profile import ConsentPurpose, ContactChannel
from domain.feedback.commands import SubmitFeedback, complaint_ticket_id
from domain.feedback.values import FeedbackKind
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.reactions.commands import (
    follow_up_ticket_id,
    open_follow_up_ticket,
    thank_promoter,
)
from domain.reactions.model import SatisfactionRequest, TicketNotice
from domain.reactions.policies import (
    AtRiskTickets,
    CampaignMessages,
    ConfiguredReaction,
    DetractorFollowUp,
    ImprovementNotices,
    OrderProgressNotices,
    PromoterThanks,
    SatisfactionAfterResolution,
    TicketProgressNotices,
)
from domain.reactions.settings import ReactionSettings
from domain.referral.commands import invitee_subject
from domain.referral.model import Referrer
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.model import Ticket
from domain.ticket.sla import SlaTerms
from domain.ticket.values import Priority, TicketChannel
from infrastructure.database import Database
from infrastructure.delivery.mail_catcher import MailCatcher
from infrastructure.process_manager_runner import ProcessManagerRunner, process_manager_runners
from projections.outbox.queries import PendingNotification, pending_notifications_sync
from projections.tracking import all_positions
from tests.support.delivery import MovableClock, project_outbox, sender
from tests.support.events import events_of
from tests.support.outbox import opened, token_of
from tests.support.reads_counted import reads_counted

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
PRIVACY = EventMetadata("dpo-1", Role.PRIVACY_OFFICER, Channel.WEB)
IN_PRODUCT = [SurveyChannel.WEB, SurveyChannel.EMAIL]


class CrashAfterTheCommand(BaseException):
    """The process dies between the command's commit and the position's."""


class CrashingRunner(ProcessManagerRunner):
    def react(self, notification: Notification) -> None:
        super().react(notification)
        raise CrashAfterTheCommand


# --- steps ----------------------------------------------------------------------------------


def customer(
    ledger: Ledger,
    agent: EventMetadata,
    *,
    email: bool = True,
    marketing: bool = False,
    language: str = "en",
) -> UUID:
    """Ada, opted in to email (or not), consenting to marketing (or not)."""
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent).aggregate_id
    channels = {ContactChannel.EMAIL: email}
    ledger.set_contact_preferences(SetContactPreferences(ada, channels), agent)
    ledger.change_demographics(ChangeDemographics(ada, language=language), agent)
    if marketing:
        ledger.give_consent(ada, ConsentPurpose.MARKETING, agent)
    return ada


def open_survey(ledger: Ledger, kind: SurveyKind = SurveyKind.NPS) -> UUID:
    draft = DraftSurvey(kind, kind.value.upper(), "How did we do?", IN_PRODUCT)
    survey_id = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    return survey_id


def answer(
    ledger: Ledger, customer_id: UUID, score: int, comment: str | None = None, **kind: SurveyKind
) -> Invitation.Responded:
    """Ada answers a fresh survey in the product; the response event."""
    survey_id = open_survey(ledger, **kind)
    as_ada = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    command = SubmitResponse(score, comment, survey_id=survey_id, customer_id=customer_id)
    result = ledger.submit_survey_response(command, as_ada)
    [responded] = events_of(ledger, result.aggregate_id, Invitation.Responded)
    return responded


def run(ledger: Ledger, database: Database, reaction: ConfiguredReaction) -> int:
    with database.connect() as conn:
        return ProcessManagerRunner(ledger, database, reaction, 10).catch_up(conn)


def run_from_the_start(ledger: Ledger, database: Database, reaction: ConfiguredReaction) -> None:
    """Deliver every event again, as if the position had been lost."""
    with database.connect() as conn:
        conn.execute(
            "UPDATE cxl_projection_positions SET position = 0 WHERE name = %s", (reaction.name,)
        )
    run(ledger, database, reaction)


def crash_after_the_command(
    ledger: Ledger, database: Database, reaction: ConfiguredReaction
) -> None:
    with database.connect() as conn, pytest.raises(CrashAfterTheCommand):
        CrashingRunner(ledger, database, reaction, 10).catch_up(conn)
    with database.connect() as conn:
        assert all_positions(conn).get(reaction.name, 0) == 0  # the position was not kept


def outbox(ledger: Ledger, database: Database, kind: str) -> list[PendingNotification]:
    project_outbox(ledger, database)
    with database.connect() as conn:
        return pending_notifications_sync(conn, kind)


# --- a detractor's answer opens a follow-up ticket ------------------------------------------


def test_a_detractors_answer_opens_one_follow_up_ticket_linked_to_it_with_its_comment_as_note(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    response = answer(ledger, ada, 3, "The delivery was late twice.")
    run(ledger, database, DetractorFollowUp())

    ticket = ledger.get_ticket(follow_up_ticket_id(response.originator_id))
    [opened_event] = events_of(ledger, ticket.id, Ticket.Opened)
    [note] = events_of(ledger, ticket.id, Ticket.NoteAdded)
    assert ticket.customer_id == ada
    assert opened_event.source == {"kind": "survey_response", "id": str(response.originator_id)}
    assert ticket.category == "survey-follow-up"
    assert ticket.channel == TicketChannel.WEB.value  # where Ada answered
    assert note.body.value == "The delivery was late twice."
    assert opened_event.metadata.actor_id == "detractor-follow-up"


def test_the_follow_up_tickets_priority_is_the_customers_loyalty_tiers(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    ledger.enrol_in_loyalty(ada, agent)
    response = answer(ledger, ada, 0)
    run(ledger, database, DetractorFollowUp())
    ticket = ledger.get_ticket(follow_up_ticket_id(response.originator_id))
    assert ticket.priority is ledger.default_priority(ada)
    assert events_of(ledger, ticket.id, Ticket.NoteAdded) == []  # no comment, no note


def test_a_follow_up_reads_ticket_customer_account_and_sla_policy_in_one_statement(
    ledger: Ledger, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = customer(ledger, agent)
    ledger.enrol_in_loyalty(ada, agent)
    ledger.set_sla_targets(Priority.NORMAL, 30, 120, ADMIN)  # an admin's terms, not defaults
    response = answer(ledger, ada, 2)
    handed = reads_counted(ledger, monkeypatch)
    reaction = DetractorFollowUp()
    open_follow_up_ticket(ledger, response, "survey-follow-up", reaction.metadata_for(response))
    # One read (the append's leader takes its connection from the pool itself, uncounted here);
    # read one by one (the ticket, the customer, the loyalty account, the SLA policy, with
    # their snapshots) it took eight.
    assert len(handed) == 1
    monkeypatch.undo()
    ticket = ledger.get_ticket(follow_up_ticket_id(response.originator_id))
    assert ticket.terms == ledger.sla_terms() and ticket.terms != SlaTerms()
    assert ticket.priority is ledger.default_priority(ada)


def test_a_follow_up_ticket_is_opened_once_when_the_answer_is_delivered_again(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    response = answer(ledger, customer(ledger, agent), 2, "Rude staff.")
    run(ledger, database, DetractorFollowUp())
    ticket_id = follow_up_ticket_id(response.originator_id)
    version = ledger.get_ticket(ticket_id).version
    run_from_the_start(ledger, database, DetractorFollowUp())
    assert ledger.get_ticket(ticket_id).version == version  # no second opening, no second note


def test_a_crash_between_opening_the_ticket_and_the_position_opens_no_second_one(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    response = answer(ledger, customer(ledger, agent), 4, "Slow.")
    crash_after_the_command(ledger, database, DetractorFollowUp())
    ticket_id = follow_up_ticket_id(response.originator_id)
    assert ledger.get_ticket(ticket_id).version == 2  # opened, with its note
    run(ledger, database, DetractorFollowUp())  # the restart delivers the answer again
    assert ledger.get_ticket(ticket_id).version == 2
    assert len(events_of(ledger, ticket_id, Ticket.NoteAdded)) == 1


def test_no_follow_up_ticket_is_opened_for_a_customer_erased_since_their_answer(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    response = answer(ledger, ada, 1, "Never again.")
    ledger.request_erasure(ada, None, ErasureReason.CUSTOMER_REQUEST, 0, PRIVACY)
    ledger.complete_erasure(ada, PRIVACY)
    assert run(ledger, database, DetractorFollowUp()) == ledger.head_position()
    assert ledger.find(follow_up_ticket_id(response.originator_id)) is None


@pytest.mark.parametrize(
    ("kind", "score", "opens"),
    [
        (SurveyKind.NPS, 6, True),
        (SurveyKind.NPS, 7, False),
        (SurveyKind.NPS, 10, False),
        (SurveyKind.CSAT, 2, True),
        (SurveyKind.CSAT, 3, False),
    ],
)
def test_only_a_detractors_answer_opens_a_ticket(
    ledger: Ledger,
    database: Database,
    agent: EventMetadata,
    kind: SurveyKind,
    score: int,
    opens: bool,
) -> None:
    response = answer(ledger, customer(ledger, agent), score, kind=kind)
    run(ledger, database, DetractorFollowUp())
    ticket = ledger.find(follow_up_ticket_id(response.originator_id))
    assert (ticket is not None) is opens


def test_a_detractor_threshold_set_by_the_admin_is_followed(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    response = answer(ledger, customer(ledger, agent), 6)
    run(ledger, database, DetractorFollowUp(ReactionSettings(nps_detractor_max=4)))
    assert ledger.find(follow_up_ticket_id(response.originator_id)) is None


def test_the_follow_up_turned_off_opens_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    response = answer(ledger, customer(ledger, agent), 0, "Awful.")
    off = DetractorFollowUp(ReactionSettings(follow_up_detractors=False))
    assert run(ledger, database, off) == ledger.head_position()  # passed over
    assert ledger.find(follow_up_ticket_id(response.originator_id)) is None


# --- a resolved ticket invites to the CSAT survey, once per ticket -------------------------


def resolved_ticket(ledger: Ledger, customer_id: UUID, agent: EventMetadata) -> UUID:
    command = OpenTicket(customer_id, TicketChannel.EMAIL, "billing", "Invoice", "Wrong total")
    ticket_id = ledger.open_ticket(command, agent).aggregate_id
    ledger.resolve_ticket(ticket_id, "Corrected the invoice.", agent)
    return ticket_id


def csat_settings(ledger: Ledger, *, on: bool = True) -> ReactionSettings:
    draft = DraftSurvey(SurveyKind.CSAT, "CSAT", "How satisfied are you?", [SurveyChannel.EMAIL])
    survey_id = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    return ReactionSettings(csat_survey_id=survey_id, csat_after_resolution=on)


def test_a_resolved_ticket_sends_a_csat_invitation_on_its_channel(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    settings = csat_settings(ledger)
    ticket_id = resolved_ticket(ledger, ada, agent)
    run(ledger, database, SatisfactionAfterResolution(settings))

    assert settings.csat_survey_id is not None
    invitation_id = Invitation.id_for(settings.csat_survey_id, ada, occasion=ticket_id)
    invitation = ledger.find(invitation_id)
    assert isinstance(invitation, Invitation) and invitation.channel == "email"
    request = ledger.find(SatisfactionRequest.id_for(ticket_id))
    assert isinstance(request, SatisfactionRequest) and request.invitation_id == invitation.id
    assert ledger.get_ticket(ticket_id).version == 2  # the ticket's stream is untouched
    [message] = outbox(ledger, database, "survey_invitation")
    assert message.payload["survey_id"] == str(settings.csat_survey_id)
    assert opened(ledger, message).recipient == "ada@example.org"


def test_resolving_a_reopened_ticket_again_sends_no_second_invitation(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    settings = csat_settings(ledger)
    ticket_id = resolved_ticket(ledger, ada, agent)
    run(ledger, database, SatisfactionAfterResolution(settings))
    ledger.reopen_ticket(ticket_id, "Still wrong.", agent)
    ledger.resolve_ticket(ticket_id, "Fixed for good.", agent)
    run(ledger, database, SatisfactionAfterResolution(settings))
    run_from_the_start(ledger, database, SatisfactionAfterResolution(settings))

    assert len(outbox(ledger, database, "survey_invitation")) == 1
    request_id = SatisfactionRequest.id_for(ticket_id)
    assert len(events_of(ledger, request_id, SatisfactionRequest.Sent)) == 1


def test_a_crash_after_the_invitation_sends_no_second_one(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    settings = csat_settings(ledger)
    ticket_id = resolved_ticket(ledger, ada, agent)
    crash_after_the_command(ledger, database, SatisfactionAfterResolution(settings))
    run(ledger, database, SatisfactionAfterResolution(settings))
    assert settings.csat_survey_id is not None
    invitation = ledger.find(Invitation.id_for(settings.csat_survey_id, ada, occasion=ticket_id))
    assert invitation is not None and invitation.version == 1  # never re-issued
    assert len(outbox(ledger, database, "survey_invitation")) == 1


def test_a_customer_who_answered_the_csat_survey_is_invited_again_for_their_next_ticket(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Each resolved ticket asks afresh: an answer about an earlier ticket stops nothing."""
    ada = customer(ledger, agent)
    settings = csat_settings(ledger)
    first = resolved_ticket(ledger, ada, agent)
    run(ledger, database, SatisfactionAfterResolution(settings))
    [invited] = outbox(ledger, database, "survey_invitation")
    as_ada = EventMetadata(str(ada), Role.CUSTOMER, Channel.EMAIL)
    token = token_of(ledger, invited)
    ledger.submit_survey_response(SubmitResponse(5, None, token=token), as_ada)

    second = resolved_ticket(ledger, ada, agent)
    run(ledger, database, SatisfactionAfterResolution(settings))

    messages = outbox(ledger, database, "survey_invitation")
    assert len(messages) == 2
    requests = [ledger.find(SatisfactionRequest.id_for(t)) for t in (first, second)]
    assert all(isinstance(r, SatisfactionRequest) for r in requests)
    assert len({r.invitation_id for r in requests if isinstance(r, SatisfactionRequest)}) == 2
    assert opened(ledger, messages[-1]).token != token  # a new link, to a new invitation


def test_a_customer_who_turned_email_off_gets_no_csat_invitation(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent, email=False)
    settings = csat_settings(ledger)
    ticket_id = resolved_ticket(ledger, ada, agent)
    assert run(ledger, database, SatisfactionAfterResolution(settings)) == ledger.head_position()
    assert outbox(ledger, database, "survey_invitation") == []
    assert ledger.find(SatisfactionRequest.id_for(ticket_id)) is None


def test_a_customer_who_refused_research_gets_no_csat_invitation(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    ledger.withdraw_consent(ada, ConsentPurpose.RESEARCH, agent)
    settings = csat_settings(ledger)
    resolved_ticket(ledger, ada, agent)
    run(ledger, database, SatisfactionAfterResolution(settings))
    assert outbox(ledger, database, "survey_invitation") == []


@pytest.mark.parametrize("setting", ["off", "no survey"])
def test_the_csat_invitation_turned_off_or_without_a_survey_sends_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata, setting: str
) -> None:
    ada = customer(ledger, agent)
    settings = csat_settings(ledger, on=setting != "off")
    if setting == "no survey":
        settings = ReactionSettings()
    resolved_ticket(ledger, ada, agent)
    run(ledger, database, SatisfactionAfterResolution(settings))
    assert outbox(ledger, database, "survey_invitation") == []


# --- a promoter's answer is thanked ----------------------------------------------------------


def subjects_sent(ledger: Ledger, database: Database) -> list[str]:
    """The subjects of the messages the sender delivers to a loopback server."""
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        sender(ledger, database, catcher.endpoint, MovableClock()).run()
        return [mail.subject for mail in catcher.mailbox.all()]


def thanks_sent(ledger: Ledger, database: Database) -> list[str]:
    """The plain-text bodies of the thank-yous the sender delivers to a loopback server."""
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        sender(ledger, database, catcher.endpoint, MovableClock()).run()
        return [mail.body("plain") for mail in catcher.mailbox.all()]


def test_a_promoter_who_consented_to_marketing_is_thanked_with_their_referral_code(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent, marketing=True)
    response = answer(ledger, ada, 10)
    run(ledger, database, PromoterThanks())

    code = ledger.get_referrer(ada).code  # issued for the thank-you
    [message] = outbox(ledger, database, "promoter_thanks")
    assert message.payload == {"with_referral_code": True}  # the code stays sealed in the log
    assert (message.customer_id, message.channel) == (ada, "email")
    [thanked] = events_of(ledger, response.originator_id, Invitation.Thanked)
    assert thanked.referral_code is not None and thanked.referral_code.value == code
    [body] = thanks_sent(ledger, database)
    assert "Thank you for your answer" in body
    assert code in body and f"/join?code={code}" in body


def test_a_french_speaking_promoter_is_thanked_in_french(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent, marketing=True, language="fr")
    answer(ledger, ada, 9)
    run(ledger, database, PromoterThanks())
    [body] = thanks_sent(ledger, database)
    assert "Merci pour votre réponse" in body and ledger.get_referrer(ada).code in body


def test_a_promoter_without_marketing_consent_is_thanked_without_a_code(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    answer(ledger, ada, 9)
    run(ledger, database, PromoterThanks())
    [message] = outbox(ledger, database, "promoter_thanks")
    assert message.payload == {"with_referral_code": False}
    assert ledger.find(Referrer.id_for(ada)) is None  # no code issued for them
    [body] = thanks_sent(ledger, database)
    assert "/join" not in body


def test_with_the_referral_program_off_the_thank_you_has_no_code(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent, marketing=True)
    answer(ledger, ada, 10)
    run(ledger, database, PromoterThanks(ReactionSettings(promoter_referral_code=False)))
    [message] = outbox(ledger, database, "promoter_thanks")
    assert message.payload == {"with_referral_code": False}


def test_a_promoter_who_turned_email_off_gets_no_thank_you(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent, email=False, marketing=True)
    response = answer(ledger, ada, 10)
    assert run(ledger, database, PromoterThanks()) == ledger.head_position()
    assert outbox(ledger, database, "promoter_thanks") == []
    assert events_of(ledger, response.originator_id, Invitation.Thanked) == []


def test_a_promoter_is_thanked_once_after_a_crash_and_a_second_delivery(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent, marketing=True)
    response = answer(ledger, ada, 10)
    crash_after_the_command(ledger, database, PromoterThanks())
    run(ledger, database, PromoterThanks())
    run_from_the_start(ledger, database, PromoterThanks())
    assert len(events_of(ledger, response.originator_id, Invitation.Thanked)) == 1
    assert len(outbox(ledger, database, "promoter_thanks")) == 1


def test_an_erased_promoters_thank_you_is_never_sent_and_its_address_and_code_are_gone(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent, marketing=True)
    response = answer(ledger, ada, 10)
    run(ledger, database, PromoterThanks())
    assert len(outbox(ledger, database, "promoter_thanks")) == 1
    ledger.request_erasure(ada, None, ErasureReason.CUSTOMER_REQUEST, 0, PRIVACY)
    ledger.complete_erasure(ada, PRIVACY)

    assert outbox(ledger, database, "promoter_thanks") == []  # cancelled
    assert thanks_sent(ledger, database) == []
    [thanked] = events_of(ledger, response.originator_id, Invitation.Thanked)
    assert thanked.recipient.is_erased
    assert thanked.referral_code is not None and thanked.referral_code.is_erased


def test_a_promoters_thank_you_reads_their_invitation_and_customer_in_one_statement(
    ledger: Ledger, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = customer(ledger, agent)
    response = answer(ledger, ada, 9)
    handed = reads_counted(ledger, monkeypatch)
    thank_promoter(ledger, response, True, PromoterThanks().metadata_for(response))
    # One read (the append's leader takes its connection from the pool itself, uncounted here);
    # read one by one, the invitation, then the customer's snapshot and stream, it took three.
    assert len(handed) == 1
    monkeypatch.undo()
    [thanked] = events_of(ledger, response.originator_id, Invitation.Thanked)
    assert thanked.channel == "email" and thanked.referral_code is None  # no marketing consent


@pytest.mark.parametrize("score", [8, 0])
def test_a_passive_or_detractor_is_not_thanked(
    ledger: Ledger, database: Database, agent: EventMetadata, score: int
) -> None:
    answer(ledger, customer(ledger, agent), score)
    run(ledger, database, PromoterThanks())
    assert outbox(ledger, database, "promoter_thanks") == []


def test_the_thank_you_turned_off_sends_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    answer(ledger, customer(ledger, agent, marketing=True), 10)
    run(ledger, database, PromoterThanks(ReactionSettings(thank_promoters=False)))
    assert outbox(ledger, database, "promoter_thanks") == []


def test_every_reaction_runs_as_its_own_process_manager_with_the_admins_settings(
    ledger: Ledger, database: Database
) -> None:
    settings = ReactionSettings(promoter_min=10)
    runners = process_manager_runners(ledger, database, 10, reactions=settings)
    reactions = [r.manager for r in runners if isinstance(r.manager, ConfiguredReaction)]
    assert {type(r) for r in reactions} == {
        DetractorFollowUp,
        SatisfactionAfterResolution,
        PromoterThanks,
        TicketProgressNotices,
        ImprovementNotices,
        AtRiskTickets,
        OrderProgressNotices,
        CampaignMessages,
    }
    assert all(r.settings is settings for r in reactions)


# --- a ticket's progress is told to its customer -------------------------------------------


def worked_ticket(ledger: Ledger, customer_id: UUID, agent: EventMetadata) -> UUID:
    """A ticket through every step: a note, an agent's reply, the customer's reply, on hold,
    resolved."""
    command = OpenTicket(customer_id, TicketChannel.WEB, "billing", "Invoice", "Wrong total")
    ticket_id = ledger.open_ticket(command, agent).aggregate_id
    as_ada = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    ledger.add_ticket_note(ticket_id, "Checked the order.", agent)
    ledger.reply_to_ticket(ticket_id, "We are looking into it.", agent)
    ledger.reply_to_ticket(ticket_id, "Thanks.", as_ada)
    ledger.put_ticket_on_hold(ticket_id, "Need the invoice number.", agent)
    ledger.resolve_ticket(ticket_id, "Corrected.", agent)
    return ticket_id


def test_an_agents_reply_waiting_on_the_customer_and_resolution_are_each_told_once(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    ticket_id = worked_ticket(ledger, ada, agent)
    run(ledger, database, TicketProgressNotices())

    messages = outbox(ledger, database, "ticket_progress")
    assert [m.payload["step"] for m in messages] == ["replied", "waiting_on_customer", "resolved"]
    assert {(m.customer_id, m.channel) for m in messages} == {(ada, "email")}  # web: by email
    assert all(m.payload["ticket_id"] == str(ticket_id) for m in messages)
    assert {opened(ledger, m).recipient for m in messages} == {"ada@example.org"}
    subjects = subjects_sent(ledger, database)
    assert sorted(subjects) == [
        "We need your answer to go on with your request",
        "We replied to your request",
        "Your request is resolved",
    ]


def test_ticket_notices_are_told_once_after_a_crash_and_a_second_delivery(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent)
    ticket_id = worked_ticket(ledger, ada, agent)
    version = ledger.get_ticket(ticket_id).version
    crash_after_the_command(ledger, database, TicketProgressNotices())
    run(ledger, database, TicketProgressNotices())
    run_from_the_start(ledger, database, TicketProgressNotices())
    assert len(outbox(ledger, database, "ticket_progress")) == 3
    assert ledger.get_ticket(ticket_id).version == version  # the ticket's stream is untouched
    assert ledger.find(TicketNotice.id_for(ticket_id, version)) is not None  # resolved's notice


def test_a_customer_who_turned_email_off_is_told_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    worked_ticket(ledger, customer(ledger, agent, email=False), agent)
    assert run(ledger, database, TicketProgressNotices()) == ledger.head_position()
    assert outbox(ledger, database, "ticket_progress") == []


def test_ticket_notices_turned_off_tell_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    worked_ticket(ledger, customer(ledger, agent), agent)
    run(ledger, database, TicketProgressNotices(ReactionSettings(ticket_progress=False)))
    assert outbox(ledger, database, "ticket_progress") == []


def test_a_french_speaking_customer_is_told_in_french(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = customer(ledger, agent, language="fr")
    command = OpenTicket(ada, TicketChannel.EMAIL, "billing", "Facture", "Total faux")
    ticket_id = ledger.open_ticket(command, agent).aggregate_id
    ledger.resolve_ticket(ticket_id, "Corrigé.", agent)
    run(ledger, database, TicketProgressNotices())
    assert subjects_sent(ledger, database) == ["Votre demande est résolue"]


# --- an anonymous complaint's ticket: its requester is told by email, and asked nothing ------

ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
BOB = "bob@example.org"


def anonymous_complaint_worked(ledger: Ledger, agent: EventMetadata) -> UUID:
    """Bob, no customer, complains by email; an agent replies, waits on him and resolves."""
    complaint = SubmitFeedback(FeedbackKind.COMPLAINT, "delivery", "Parcel crushed", email=BOB)
    ticket_id = complaint_ticket_id(ledger.handle(complaint, ANONYMOUS).aggregate_id)
    ledger.reply_to_ticket(ticket_id, "Sorry: we send another.", agent)
    ledger.put_ticket_on_hold(ticket_id, "Which address?", agent)
    ledger.resolve_ticket(ticket_id, "Sent again.", agent)
    return ticket_id


def test_an_anonymous_requester_is_told_of_each_step_at_the_email_they_complained_from(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """No customer, no channel preferences: the email he gave to be answered gets the news,
    under his own data subject (so his erasure cancels it), once per step."""
    ticket_id = anonymous_complaint_worked(ledger, agent)
    run(ledger, database, TicketProgressNotices())
    run_from_the_start(ledger, database, TicketProgressNotices())

    messages = outbox(ledger, database, "ticket_progress")
    assert [m.payload["step"] for m in messages] == ["replied", "waiting_on_customer", "resolved"]
    assert {(m.customer_id, m.channel) for m in messages} == {
        (invitee_subject(ledger, BOB), "email")
    }
    assert {opened(ledger, m).recipient for m in messages} == {BOB}
    assert all(m.payload["ticket_id"] == str(ticket_id) for m in messages)
    assert sorted(subjects_sent(ledger, database))[-1] == "Your request is resolved"


def test_an_erased_anonymous_requester_is_told_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    anonymous_complaint_worked(ledger, agent)
    ledger.request_erasure(None, BOB, ErasureReason.CUSTOMER_REQUEST, 0, PRIVACY)
    ledger.complete_erasure(invitee_subject(ledger, BOB), PRIVACY)
    assert run(ledger, database, TicketProgressNotices()) == ledger.head_position()
    assert outbox(ledger, database, "ticket_progress") == []


def test_an_anonymous_requesters_resolved_ticket_sends_no_csat_invitation(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """A survey invitation is a customer's: the reaction passes the resolution over."""
    settings = csat_settings(ledger)
    ticket_id = anonymous_complaint_worked(ledger, agent)
    assert run(ledger, database, SatisfactionAfterResolution(settings)) == ledger.head_position()
    assert ledger.find(SatisfactionRequest.id_for(ticket_id)) is None
    assert outbox(ledger, database, "survey_invitation") == []


def test_an_anonymous_requesters_ticket_moves_no_customers_health(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The at-risk watch follows customers; an anonymous ticket's steps are passed over."""
    ticket_id = anonymous_complaint_worked(ledger, agent)
    reaction = AtRiskTickets(ReactionSettings(at_risk_tickets=True))
    assert run(ledger, database, reaction) == ledger.head_position()
    assert ledger.get_ticket(ticket_id).customer_id is None
