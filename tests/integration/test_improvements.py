"""Announcing an improvement, through the real ledger, read models, process manager runner and
mail sender: the audience is read from the survey read model (who scored the aspect, whose
comment mentions the theme); each is told once, even after a crash; an erased customer is
never told and their unsent notice is cancelled; the improvements read model shows the
audience's NPS before and after, with small groups suppressed."""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.persistence import Notification

from domain.customer.commands import ChangeDemographics, RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.improvement.commands import AnnounceImprovement, FeedbackOnTopic
from domain.improvement.errors import UnknownTopicError
from domain.improvement.values import Topic
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.reactions.model import ImprovementNotice
from domain.reactions.policies import ImprovementNotices
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from infrastructure.database import Database
from infrastructure.delivery.mail_catcher import MailCatcher
from infrastructure.process_manager_runner import ProcessManagerRunner
from projections.improvements.projection import ImprovementImpact
from projections.improvements.queries import ImprovementView, improvement_by_id
from projections.outbox.queries import pending_notifications_sync
from projections.surveys.projection import SurveyDashboard
from projections.surveys.topics import feedback_on_topic
from projections.tracking import all_positions
from tests.support.delivery import MovableClock, project_outbox, sender
from tests.support.read_models import project, query

ANALYST = EventMetadata(actor_id="analyst-1", actor_role=Role.ANALYST, channel=Channel.WEB)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
OFFICER = EventMetadata("dpo-1", Role.PRIVACY_OFFICER, Channel.WEB)


class CrashAfterTheCommand(BaseException):
    """The process dies between the command's commit and the position's."""


class CrashingRunner(ProcessManagerRunner):
    def react(self, notification: Notification) -> None:
        super().react(notification)
        raise CrashAfterTheCommand


def customer(ledger: Ledger, agent: EventMetadata, name: str, language: str = "en") -> UUID:
    email = f"{name.lower()}@example.org"
    customer_id = ledger.register_customer(RegisterCustomer(name, email), agent).aggregate_id
    channels = {ContactChannel.EMAIL: True}
    ledger.set_contact_preferences(SetContactPreferences(customer_id, channels), agent)
    ledger.change_demographics(ChangeDemographics(customer_id, language=language), agent)
    return customer_id


def nps_survey(ledger: Ledger) -> UUID:
    aspects = [AspectQuestion.checked("delivery", "How was the delivery?")]
    draft = DraftSurvey(SurveyKind.NPS, "NPS", "Recommend us?", [SurveyChannel.WEB], aspects)
    survey_id = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    return survey_id


def answer(
    ledger: Ledger,
    survey_id: UUID,
    customer_id: UUID,
    score: int,
    *,
    delivery: int | None = None,
    comment: str | None = None,
) -> None:
    aspects = {} if delivery is None else {"delivery": delivery}
    command = SubmitResponse(
        score, comment, aspect_scores=aspects, survey_id=survey_id, customer_id=customer_id
    )
    as_them = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    ledger.submit_survey_response(command, as_them)


def announce(ledger: Ledger, database: Database, *, aspect: str | None, theme: str | None) -> UUID:
    """Announce as the API does: the feedback on the topic from the survey read model."""
    project(ledger, database, SurveyDashboard(), batch_size=100)
    topic = Topic.checked(aspect, theme)
    known, customers = query(
        database, lambda conn: feedback_on_topic(conn, topic.kind.value, topic.name)
    )
    feedback = FeedbackOnTopic(known, tuple(customers))
    command = AnnounceImprovement(aspect, theme, "2.5.0", "Deliveries are faster.", feedback)
    return ledger.announce_improvement(command, ANALYST).aggregate_id


def run(ledger: Ledger, database: Database, runner: type[ProcessManagerRunner]) -> None:
    with database.connect() as conn:
        runner(ledger, database, ImprovementNotices(), 10).catch_up(conn)


def notified(ledger: Ledger, improvement_id: UUID, customers: list[UUID]) -> set[UUID]:
    return {
        c for c in customers if ledger.find(ImprovementNotice.id_for(improvement_id, c)) is not None
    }


def impact(
    ledger: Ledger, database: Database, improvement_id: UUID, smallest: int
) -> ImprovementView:
    project(ledger, database, ImprovementImpact(), batch_size=7)
    view = query(
        database, lambda conn: improvement_by_id(conn, improvement_id, min_group_size=smallest)
    )
    assert view is not None
    return view


def test_those_who_scored_the_aspect_are_told_and_no_one_else(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The aspect's audience is whoever scored it; a respondent who did not is not told."""
    survey_id = nps_survey(ledger)
    ada, bea, cy = (customer(ledger, agent, n) for n in ("Ada", "Bea", "Cy"))
    answer(ledger, survey_id, ada, 3, delivery=1)
    answer(ledger, survey_id, bea, 6, delivery=2)
    answer(ledger, survey_id, cy, 9)
    improvement_id = announce(ledger, database, aspect="delivery", theme=None)
    run(ledger, database, ProcessManagerRunner)
    assert notified(ledger, improvement_id, [ada, bea, cy]) == {ada, bea}


def test_those_whose_comment_mentions_the_theme_are_told(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """A theme's audience is whoever's comment mentions it (any case)."""
    survey_id = nps_survey(ledger)
    ada, bea = customer(ledger, agent, "Ada"), customer(ledger, agent, "Bea")
    answer(ledger, survey_id, ada, 4, comment="The Checkout kept failing")
    answer(ledger, survey_id, bea, 10, comment="Lovely staff")
    improvement_id = announce(ledger, database, aspect=None, theme="CHECKOUT")
    run(ledger, database, ProcessManagerRunner)
    assert notified(ledger, improvement_id, [ada, bea]) == {ada}


def test_a_theme_no_comment_mentions_is_refused(ledger: Ledger, database: Database) -> None:
    """The read model knows no such theme: UNKNOWN_TOPIC, nothing written."""
    with pytest.raises(UnknownTopicError, match="'chekout'"):
        announce(ledger, database, aspect=None, theme="chekout")


def test_a_crash_after_the_notices_tells_nobody_twice(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Exactly once per (improvement, customer): a crash between the notices' commit and the
    position delivers the chunk again, which queues nothing more."""
    survey_id = nps_survey(ledger)
    ada, bea = customer(ledger, agent, "Ada"), customer(ledger, agent, "Bea")
    answer(ledger, survey_id, ada, 3, delivery=1)
    answer(ledger, survey_id, bea, 5, delivery=2)
    announce(ledger, database, aspect="delivery", theme=None)
    with pytest.raises(CrashAfterTheCommand):
        run(ledger, database, CrashingRunner)
    with database.connect() as conn:
        assert all_positions(conn).get(ImprovementNotices.name, 0) == 0
    run(ledger, database, ProcessManagerRunner)
    project_outbox(ledger, database)
    with database.connect() as conn:
        messages = pending_notifications_sync(conn, "improvement_notice")
    assert sorted(m.customer_id for m in messages) == sorted([ada, bea])


def test_each_is_told_in_their_language_with_the_message(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The mail reaches a real SMTP server, in English or French, with the staff's message."""
    survey_id = nps_survey(ledger)
    ada = customer(ledger, agent, "Ada")
    zoe = customer(ledger, agent, "Zoe", language="fr")
    answer(ledger, survey_id, ada, 3, delivery=1)
    answer(ledger, survey_id, zoe, 3, delivery=1)
    announce(ledger, database, aspect="delivery", theme=None)
    run(ledger, database, ProcessManagerRunner)
    project_outbox(ledger, database)
    with MailCatcher() as catcher:
        sender(ledger, database, catcher.endpoint, MovableClock()).run()
        mails = {mail.subject: mail for mail in catcher.mailbox.all()}
    assert set(mails) == {
        "We improved what you told us about",
        "Nous avons amélioré ce que vous nous aviez signalé",
    }
    assert all("Deliveries are faster." in mail.body("plain") for mail in mails.values())
    assert all("2.5.0" in mail.body("html") for mail in mails.values())


def test_an_erased_customer_is_never_told_and_their_unsent_notice_is_cancelled(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Erased before the reaction: no notice. Erased after it, before the sender: the queued
    message is cancelled and nothing reaches the server."""
    survey_id = nps_survey(ledger)
    ada, bea = customer(ledger, agent, "Ada"), customer(ledger, agent, "Bea")
    answer(ledger, survey_id, ada, 3, delivery=1)
    answer(ledger, survey_id, bea, 3, delivery=1)
    first = announce(ledger, database, aspect="delivery", theme=None)
    run(ledger, database, ProcessManagerRunner)
    project_outbox(ledger, database)
    ledger.request_erasure(ada, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(ada, OFFICER)
    second = announce(ledger, database, aspect="delivery", theme=None)
    run(ledger, database, ProcessManagerRunner)

    assert notified(ledger, first, [ada, bea]) == {ada, bea}
    assert notified(ledger, second, [ada, bea]) == {bea}
    project_outbox(ledger, database)
    with database.connect() as conn:
        cancelled = conn.execute(
            "SELECT count(*) FROM notification_outbox WHERE kind = 'improvement_notice'"
            " AND customer_id = %s AND cancelled_at IS NOT NULL",
            (ada,),
        ).fetchone()
    assert cancelled == (1,)
    with MailCatcher() as catcher:
        sender(ledger, database, catcher.endpoint, MovableClock()).run()
        recipients = [mail.envelope_to for mail in catcher.mailbox.all()]
    assert recipients == [("bea@example.org",), ("bea@example.org",)]


def test_the_audiences_nps_before_and_after_and_the_number_told(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Before: the audience's answers before the announcement; after: from it on. Others'
    answers count in neither. With a minimum group of 3, a side from 2 people is suppressed."""
    before_survey = nps_survey(ledger)
    people = [customer(ledger, agent, f"P{i}") for i in range(3)]
    outsider = customer(ledger, agent, "Out")
    for person, score in zip(people, (2, 5, 8), strict=True):
        answer(ledger, before_survey, person, score, delivery=1)
    answer(ledger, before_survey, outsider, 10)
    improvement_id = announce(ledger, database, aspect="delivery", theme=None)
    run(ledger, database, ProcessManagerRunner)
    after_survey = nps_survey(ledger)
    answer(ledger, after_survey, people[0], 9)
    answer(ledger, after_survey, people[1], 10)
    answer(ledger, after_survey, outsider, 0)

    every = impact(ledger, database, improvement_id, smallest=1)
    assert (every.audience_size, every.notified) == (3, 3)
    before, after = every.before, every.after
    assert (before.promoters, before.passives, before.detractors) == (0, 1, 2)
    assert before.nps == pytest.approx(-200 / 3) and before.margin_of_error is not None
    assert (after.promoters, after.passives, after.detractors, after.nps) == (2, 0, 0, 100.0)

    small = impact(ledger, database, improvement_id, smallest=3)
    assert small.before == every.before
    assert small.after.suppressed and small.after.responses == 0 and small.after.nps is None
