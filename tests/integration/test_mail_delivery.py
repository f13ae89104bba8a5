"""The mail sender against a real SMTP server on loopback (aiosmtpd): what arrives (headers,
links, language), retries and failure, a crash between sending and recording, erasure, and a
rebuilt outbox."""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import UUID

from psycopg import Connection

from domain.customer.commands import ChangeDemographics, RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import SurveyChannel, SurveyKind
from infrastructure.database import Database
from infrastructure.delivery.mail_catcher import CaughtMail, MailCatcher
from infrastructure.delivery.sender import MailDelivery
from infrastructure.delivery.store import MessageKey, RetryPolicy
from infrastructure.projection_runner import ProjectionRunner
from projections.outbox.projection import NotificationOutbox
from tests.support.delivery import (
    PUBLIC_URL,
    TOKENS,
    MovableClock,
    deliveries,
    project_outbox,
    sender,
)
from tests.support.smtp import RefusingHandler

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
PRIVACY = EventMetadata("dpo-1", Role.PRIVACY_OFFICER, Channel.WEB)


def invited(ledger: Ledger, agent: EventMetadata, language: str = "en") -> UUID:
    """Ada, opted in to email and speaking ``language``, invited to an NPS survey by email."""
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent).aggregate_id
    ledger.set_contact_preferences(SetContactPreferences(ada, {ContactChannel.EMAIL: True}), agent)
    ledger.change_demographics(ChangeDemographics(ada, language=language), agent)
    draft = DraftSurvey(SurveyKind.NPS, "NPS", "Recommend us?", [SurveyChannel.EMAIL])
    survey = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey, ADMIN)
    ledger.invite_to_survey(survey, ada, SurveyChannel.EMAIL, ADMIN)
    return ada


def only(catcher: MailCatcher) -> CaughtMail:
    [mail] = catcher.mailbox.all()
    return mail


def test_a_survey_invitation_arrives_with_its_link_a_stable_message_id_and_one_click_unsubscribe(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = invited(ledger, agent)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        summary = sender(ledger, database, catcher.endpoint, MovableClock()).run()
        mail = only(catcher)

    assert summary.sent == 1
    assert mail.envelope_to == ("ada@example.org",)
    [row] = deliveries(database)
    assert (
        mail.message["Message-ID"] == f"<cxl.notification.{row['cause_position']}@shop.example.com>"
    )
    assert mail.message["From"] == "Shop <no-reply@shop.example.com>"
    unsubscribe = f"{PUBLIC_URL}/unsubscribe/{TOKENS.issue(ada)}"
    assert mail.message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = mail.body("plain"), mail.body("html")
    assert f"{PUBLIC_URL}/s/" in text and f'href="{PUBLIC_URL}/s/' in html
    assert unsubscribe in text and unsubscribe in html
    assert (row["status"], row["attempts"], row["sent"]) == ("sent", 1, True)


def test_the_token_in_the_link_answers_the_survey(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    invited(ledger, agent)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        sender(ledger, database, catcher.endpoint, MovableClock()).run()
        text = only(catcher).body("plain")
    token = text.split(f"{PUBLIC_URL}/s/")[1].split()[0]
    ledger.submit_survey_response(SubmitResponse(9, token=token), ANONYMOUS)


def test_a_customer_who_speaks_french_gets_the_french_message(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    invited(ledger, agent, language="fr-CA")
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        sender(ledger, database, catcher.endpoint, MovableClock()).run()
        mail = only(catcher)
    assert mail.subject == "Votre avis compte : répondez en un clic"
    assert mail.message["Content-Language"] == "fr"
    assert "Ne plus recevoir ces e-mails" in mail.body("html")


def test_a_language_without_a_translation_gets_english(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    invited(ledger, agent, language="ja")
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        sender(ledger, database, catcher.endpoint, MovableClock()).run()
        assert only(catcher).subject == "How did we do? Tell us in one click"


def test_a_password_reset_links_to_the_reset_page_and_offers_no_unsubscribe(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.request_password_reset("ada@example.org", ANONYMOUS)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        sender(ledger, database, catcher.endpoint, MovableClock()).run()
        mail = only(catcher)
    assert mail.subject == "Reset your password"
    assert f"{PUBLIC_URL}/reset/" in mail.body("plain")
    assert mail.message["List-Unsubscribe"] is None


def test_a_server_answering_4xx_gets_retries_after_growing_waits_then_the_message_fails(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    invited(ledger, agent)
    project_outbox(ledger, database)
    clock, refusing = MovableClock(), RefusingHandler("451 4.3.0 ada@example.org busy, try later")
    with MailCatcher(refusing) as server:
        mail = sender(ledger, database, server.endpoint, clock, RetryPolicy(3, 10))
        mail.run()
        assert (refusing.tries, deliveries(database)[0]["status"]) == (1, "pending")
        clock.advance(9)
        mail.run()
        assert refusing.tries == 1  # not due before the first wait (10 s)
        clock.advance(1)
        mail.run()
        clock.advance(19)
        mail.run()
        assert refusing.tries == 2  # the second wait is twice as long (20 s)
        clock.advance(1)
        mail.run()
        clock.advance(3600)
        mail.run()
    assert refusing.tries == 3
    [row] = deliveries(database)
    assert (row["status"], row["attempts"], row["sent"]) == ("failed", 3, False)
    assert "SMTP 451" in row["last_error"]
    assert "ada@example.org" not in row["last_error"]  # no address kept, even echoed


def test_a_5xx_refusal_fails_the_message_at_once(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    invited(ledger, agent)
    project_outbox(ledger, database)
    refusing = RefusingHandler("554 5.7.1 rejected")
    with MailCatcher(refusing) as server:
        sender(ledger, database, server.endpoint, MovableClock()).run()
    [row] = deliveries(database)
    assert (row["status"], row["attempts"], refusing.tries) == ("failed", 1, 1)
    assert "SMTP 554" in row["last_error"]


def test_an_unreachable_server_is_a_retry_not_a_loss(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    invited(ledger, agent)
    project_outbox(ledger, database)
    with MailCatcher() as server:
        endpoint = server.endpoint
    clock = MovableClock()
    sender(ledger, database, endpoint, clock).run()  # the server is gone
    assert deliveries(database)[0]["status"] == "pending"
    with MailCatcher() as back:
        clock.advance(10)
        sender(ledger, database, back.endpoint, clock).run()
        assert len(back.mailbox.all()) == 1
    assert deliveries(database)[0]["status"] == "sent"


class _CrashAfterAccept(MailDelivery):
    """Dies once right after the server accepted a message, before recording it sent."""

    crashed = False

    def record_sent(self, conn: Connection[Any], message: MessageKey) -> None:
        if not _CrashAfterAccept.crashed:
            _CrashAfterAccept.crashed = True
            raise KeyboardInterrupt("the process dies here")
        super().record_sent(conn, message)


def test_a_crash_between_acceptance_and_record_sends_once_more_with_the_same_message_id(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    invited(ledger, agent)
    project_outbox(ledger, database)
    clock = MovableClock()
    with MailCatcher() as catcher:
        crashing = sender(ledger, database, catcher.endpoint, clock, cls=_CrashAfterAccept)
        with contextlib.suppress(KeyboardInterrupt):
            crashing.run()
        assert deliveries(database)[0]["status"] == "sending"
        restarted = sender(ledger, database, catcher.endpoint, clock)
        restarted.run()
        assert len(catcher.mailbox.all()) == 1  # not due again before the backoff
        clock.advance(10)
        restarted.run()
        clock.advance(3600)
        restarted.run()
        first, second = catcher.mailbox.all()
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert first.body("plain") == second.body("plain")
    assert deliveries(database)[0]["status"] == "sent"


def test_an_erasure_cancels_the_unsent_message(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = invited(ledger, agent)
    project_outbox(ledger, database)
    clock = MovableClock()
    with MailCatcher(RefusingHandler("451 later")) as refusing:
        sender(ledger, database, refusing.endpoint, clock).run()  # pending, to be retried
    ledger.request_erasure(ada, None, ErasureReason.CUSTOMER_REQUEST, 0, PRIVACY)
    ledger.complete_erasure(ada, PRIVACY)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        clock.advance(3600)
        sender(ledger, database, catcher.endpoint, clock).run()
        assert catcher.mailbox.all() == []
    assert deliveries(database)[0]["status"] == "cancelled"


def test_a_rebuilt_outbox_sends_nothing_already_sent(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    invited(ledger, agent)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        mail = sender(ledger, database, catcher.endpoint, MovableClock())
        mail.run()
        with database.connect() as conn:  # the read model dropped and replayed from the log
            conn.execute("TRUNCATE notification_outbox")
            conn.execute("DELETE FROM cxl_projection_positions WHERE name = 'notification_outbox'")
        with database.connect() as conn:
            ProjectionRunner(ledger, database, NotificationOutbox(), 100).catch_up(conn)
        mail.run()
        assert len(catcher.mailbox.all()) == 1


def test_a_survey_invitation_to_a_customer_who_unsubscribed_since_is_cancelled(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = invited(ledger, agent)
    off = SetContactPreferences(ada, {ContactChannel.EMAIL: False})
    ledger.set_contact_preferences(off, agent)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        summary = sender(ledger, database, catcher.endpoint, MovableClock()).run()
        assert catcher.mailbox.all() == []
    assert summary.cancelled == 1
    [row] = deliveries(database)
    assert (row["status"], row["last_error"]) == ("cancelled", "recipient unsubscribed from email")
