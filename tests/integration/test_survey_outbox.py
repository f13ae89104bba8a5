"""Survey links in the notification outbox: one message per issued or re-issued link, on the
invitation's channel, carrying a token that answers the survey; none for in-product
invitations or for erased customers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.shared.personal_data import PersonalData
from domain.survey.commands import INVITATION_LIFETIME, DraftSurvey, SubmitResponse
from domain.survey.errors import InvalidSurveyTokenError
from domain.survey.values import SurveyChannel, SurveyKind
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.base import Positioned
from projections.outbox.projection import NotificationOutbox
from projections.outbox.queries import PendingNotification, pending_notifications_sync
from tests.support.outbox import opened, token_of

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
NOW = datetime.now(UTC).replace(microsecond=0)
LINKS = [SurveyChannel.EMAIL, SurveyChannel.SMS, SurveyChannel.PUSH, SurveyChannel.APP]


def catch_up(ledger: Ledger, database: Database) -> list[PendingNotification]:
    with database.connect() as conn:
        ProjectionRunner(ledger, database, NotificationOutbox(), 2).catch_up(conn)
        return pending_notifications_sync(conn, "survey_invitation")


def open_survey(ledger: Ledger) -> UUID:
    draft = DraftSurvey(SurveyKind.NPS, "NPS", "Recommend us?", LINKS)
    survey_id = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    return survey_id


def reachable(ledger: Ledger, agent: EventMetadata) -> UUID:
    command = RegisterCustomer("Ada", "ada@example.org", phone="+49 30 1234567")
    ada = ledger.register_customer(command, agent).aggregate_id
    every = {ContactChannel.EMAIL: True, ContactChannel.SMS: True, ContactChannel.PUSH: True}
    ledger.set_contact_preferences(SetContactPreferences(ada, every), agent)
    return ada


def test_an_email_invitation_puts_one_message_whose_token_answers_the_survey(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    survey, ada = open_survey(ledger), reachable(ledger, agent)
    ledger.invite_to_survey(survey, ada, SurveyChannel.EMAIL, ADMIN, now=NOW)

    [message] = catch_up(ledger, database)
    assert catch_up(ledger, database) == [message]  # catching up again adds nothing

    sent = opened(ledger, message)
    assert (message.customer_id, message.channel, sent.recipient) == (
        ada,
        "email",
        "ada@example.org",
    )
    assert message.payload == {
        "survey_id": str(survey),
        "expires_at": (NOW + INVITATION_LIFETIME).isoformat(),
    }  # neither the address nor the token: they stay sealed in the log
    assert sent.token is not None
    ledger.submit_survey_response(SubmitResponse(9, token=sent.token), ANONYMOUS)
    assert ledger.get_invitation(survey, ada).responded_at is not None


def test_a_reissued_link_is_a_second_message_on_its_channel_and_the_first_link_dies(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    survey, ada = open_survey(ledger), reachable(ledger, agent)
    ledger.invite_to_survey(survey, ada, SurveyChannel.EMAIL, ADMIN)
    ledger.invite_to_survey(survey, ada, SurveyChannel.SMS, ADMIN, now=NOW + timedelta(days=1))

    first, second = catch_up(ledger, database)

    assert (second.channel, opened(ledger, second).recipient) == ("sms", "+49 30 1234567")
    assert second.payload["survey_id"] == str(survey) and second.customer_id == ada
    with pytest.raises(InvalidSurveyTokenError):
        ledger.submit_survey_response(SubmitResponse(9, token=token_of(ledger, first)), ANONYMOUS)
    ledger.submit_survey_response(SubmitResponse(9, token=token_of(ledger, second)), ANONYMOUS)


def test_a_push_link_goes_to_the_customer_and_app_or_web_invitations_send_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    survey, ada = open_survey(ledger), reachable(ledger, agent)
    bob = ledger.register_customer(RegisterCustomer("Bob", "bob@example.org"), agent).aggregate_id
    ledger.invite_to_survey(survey, ada, SurveyChannel.PUSH, ADMIN)
    ledger.invite_to_survey(survey, bob, SurveyChannel.APP, ADMIN)
    as_bob = EventMetadata(str(bob), Role.CUSTOMER, Channel.APP)
    ledger.submit_survey_response(SubmitResponse(7, survey_id=survey, customer_id=bob), as_bob)

    [message] = catch_up(ledger, database)

    recipient = opened(ledger, message).recipient
    assert (message.channel, recipient, message.customer_id) == ("push", str(ada), ada)


def erased(event: Any) -> Any:
    """The event as it decodes once its subject's key is gone: personal values erased."""
    changes = {
        field.name: PersonalData(value.subject_id, None)
        for field in dataclasses.fields(event)
        if isinstance(value := getattr(event, field.name), PersonalData)
    }
    return dataclasses.replace(event, **changes)


def test_an_erased_customers_link_adds_no_message(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    survey, ada = open_survey(ledger), reachable(ledger, agent)
    ledger.invite_to_survey(survey, ada, SurveyChannel.EMAIL, ADMIN)
    ledger.invite_to_survey(survey, ada, SurveyChannel.PUSH, ADMIN)
    rows = ledger.recorder.select_notifications(start=1, limit=100)
    events = [Positioned(row.id, erased(ledger.mapper.to_domain_event(row))) for row in rows]

    with database.connect() as conn, conn.cursor() as cursor:
        NotificationOutbox().apply(cursor, events)
        conn.commit()
        assert pending_notifications_sync(conn, "survey_invitation") == []
