"""Set-based projections (issue 14, item 4): a batch folded into a few multi-row statements, and
a rebuild that loads its shadow tables by COPY, give the very rows of the same events applied
one at a time, table by table; the log's order still holds where it matters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from psycopg import Cursor, sql

from domain.campaign.commands import (
    CancelCampaign,
    CompleteCampaign,
    DraftCampaign,
    LaunchCampaign,
    RecordCampaignRecipients,
    ScheduleCampaign,
)
from domain.campaign.values import SkipReason
from domain.customer.commands import ChangeContactDetails, ChangeDemographics, RegisterCustomer
from domain.customer.commands import SetContactPreferences as Preferences
from domain.customer.model import Customer
from domain.customer.profile import Address, ConsentPurpose, ContactChannel
from domain.feedback.commands import SubmitFeedback
from domain.feedback.values import FeedbackKind
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.review.commands import ReviewProduct
from domain.segment.commands import ChangeSegmentRule, DefineSegment
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from domain.testimonial.commands import ReviewTestimonial
from domain.testimonial.model import Decision
from domain.ticket.commands import OpenTicket
from domain.ticket.values import Priority, TicketChannel
from infrastructure.database import Database
from infrastructure.parking import EventNotAppliedError, RetryPolicy
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.rebuild import loading, rebuild
from projections.base import Positioned, Projection
from projections.campaigns.projection import CampaignFigures
from projections.customers.projection import CustomerDirectory
from projections.history.projection import CustomerHistory
from projections.improvements.projection import ImprovementImpact
from projections.loyalty.projection import LoyaltyStatements
from projections.parked import parked_events
from projections.referrals.projection import ReferralFunnel
from projections.segments.changes import FactChanges
from projections.segments.projection import SegmentMembership
from projections.success.projection import CustomerHealth
from projections.surveys.projection import SurveyDashboard
from projections.testimonials.projection import Testimonials
from projections.theme_priorities.projection import ThemePriorities
from projections.tickets.projection import TicketTimeline
from projections.tracking import all_positions
from tests.integration.history_world import AGENT, World, populate
from tests.support.loyalty import busy_member
from tests.support.read_models import Rows, owned_rows, project
from tests.support.surveys import answer_nps

ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
OFFICER = EventMetadata(actor_id="dpo-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
CHANGED = [
    pytest.param(projection, id=projection.name)
    for projection in (
        CustomerDirectory(),
        CustomerHistory(),
        ReferralFunnel(),
        TicketTimeline(),
        LoyaltyStatements(),
        SurveyDashboard(),
        SegmentMembership(),
        CustomerHealth(),
        CampaignFigures(),
        Testimonials(),
    )
]
TP_ANSWER_TABLES = ("theme_priority_answers", "theme_priority_totals", "theme_priority_mentions")
ANSWERS_FOLDED = [
    pytest.param(ThemePriorities(), TP_ANSWER_TABLES, id=ThemePriorities.name),
    pytest.param(ImprovementImpact(), ("improvement_nps_answers",), id=ImprovementImpact.name),
]
"""Read models that fold survey answers among events they apply one at a time, and the tables
the answers write (the world makes no decision on a theme and announces no improvement)."""
ANALYST = EventMetadata(actor_id="analyst-1", actor_role=Role.ANALYST, channel=Channel.WEB)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
SEGMENTS: dict[str, dict[str, Any]] = {
    "EU": {"field": "region", "values": ["EU"]},
    "German speakers born 1981": {
        "all": [
            {"field": "language", "values": ["de"]},
            {"field": "birth_year", "min": 1981, "max": 1981},
        ]
    },
    "Web buyers or marketing": {
        "any": [
            {"field": "channel_used", "values": ["web"]},
            {"field": "consent", "values": ["marketing"]},
        ]
    },
    "Onboarded promoters": {
        "all": [
            {"field": "onboarding_steps", "min": 1},
            {"field": "nps_category", "values": ["promoter"]},
        ]
    },
    "Bronze without open tickets": {
        "all": [
            {"field": "loyalty_tier", "values": ["bronze"]},
            {"not": {"field": "open_tickets", "min": 1}},
        ]
    },
    "Recent buyers": {"field": "recency", "min": 1},
}


def define_segments(ledger: Ledger) -> dict[str, UUID]:
    """Live segments testing every kind of fact, so that each folded event moves someone."""
    return {
        name: ledger.handle(DefineSegment(name, "", rule), ANALYST).aggregate_id
        for name, rule in SEGMENTS.items()
    }


@pytest.fixture
def world(ledger: Ledger) -> World:
    """Every feature once, then many changes to the same rows, so that one batch holds several
    changes of one row (names, channels, consents, refunds, a loyalty account's points, lots
    and tier, survey rollups), and an erasure amid them; live segments testing every fact
    throughout, one of whose rules changes amid them."""
    segments = define_segments(ledger)
    world = populate(ledger)
    many_changes(ledger, world.ada)
    many_changes(ledger, world.bo)
    ticket_steps(ledger, world.bo)
    busy_member(ledger, world.ada)
    busy_member(ledger, world.bo)
    campaign_steps(ledger, segments["EU"], [world.ada, world.bo])
    reviewed_testimonials(ledger, world.ada, world.bo)
    survey_answers(ledger, world.ada, world.bo, round_=1)
    reviews_and_feedback(ledger, world.bo, round_=1)
    ledger.request_erasure(world.bo, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(world.bo, OFFICER)
    rule = {"field": "region", "values": ["EU", "R1"]}
    ledger.handle(ChangeSegmentRule(segments["EU"], rule), ANALYST)
    many_changes(ledger, world.ada, round_=2)
    ticket_steps(ledger, world.ada)
    busy_member(ledger, world.ada, round_=2)
    survey_answers(ledger, world.ada, None, round_=2)
    reviews_and_feedback(ledger, world.ada, round_=2)
    # Cy registers with an invited email, then moves to another invited one (both in one run
    # of folded events: the later wins), then to one never invited (her row stays).
    ledger.invite_friend(world.ada, "cy@example.org", AGENT)
    ledger.invite_friend(world.ada, "cy.new@example.org", AGENT)
    cy = ledger.register_customer(RegisterCustomer("Cy Invited", "cy@example.org"), AGENT)
    ledger.change_email(cy.aggregate_id, "cy.new@example.org", AGENT)
    ledger.change_email(cy.aggregate_id, "cy.other@example.org", AGENT)
    return world


def many_changes(ledger: Ledger, customer: UUID, round_: int = 1) -> None:
    for n in range(3):
        details = ChangeContactDetails(customer, name=f"Name {round_}.{n}", phone=f"+4930{n}")
        ledger.change_contact_details(details, AGENT)
    where = Address.checked(f"{round_} Main St", None, "Berlin", "10115", "DE")
    ledger.change_address(customer, where, AGENT)
    ledger.change_demographics(ChangeDemographics(customer, "EU", "de", 1980 + round_), AGENT)
    for opted_in in (True, False, True):
        ledger.set_contact_preferences(Preferences(customer, {ContactChannel.SMS: opted_in}), AGENT)
    ledger.give_consent(customer, ConsentPurpose.MARKETING, AGENT)
    ledger.withdraw_consent(customer, ConsentPurpose.MARKETING, AGENT)
    ledger.withdraw_consent(customer, ConsentPurpose.RESEARCH, AGENT)  # refused
    ledger.complete_onboarding_step(customer, f"step_{round_}", AGENT)
    order = f"{customer}-{round_}"
    bought = datetime(2026, 1, round_, tzinfo=UTC)
    ledger.record_purchase(
        RecordPurchase(customer, order, "30", "EUR", PurchaseChannel.WEB, bought), AGENT
    )
    ledger.refund_purchase(order, "5", AGENT)
    ledger.refund_purchase(order, "7", AGENT)


def campaign_steps(ledger: Ledger, segment: UUID, customers: list[UUID]) -> None:
    """Campaigns through every step and, in one run of folded events, what the sender reads
    changing between their recipient batches: consents given, withdrawn and refused, email
    opted in and out, NPS answers before a batch (its NPS before) and after it (the first is
    its NPS after, a skipped member's counts for nothing), purchases before the message and
    in its window (the first a conversion, attributed once)."""
    sender = EventMetadata.system("campaign-messages")
    newcomer = ledger.register_customer(RegisterCustomer("Eli", "eli@example.org"), AGENT)
    eli = newcomer.aggregate_id
    ledger.withdraw_consent(eli, ConsentPurpose.MARKETING, AGENT)  # refused: never given
    for customer in [*customers, eli]:
        ledger.give_consent(customer, ConsentPurpose.RESEARCH, AGENT)  # for their NPS answers
    for customer in customers:
        ledger.give_consent(customer, ConsentPurpose.MARKETING, AGENT)
        ledger.set_contact_preferences(Preferences(customer, {ContactChannel.EMAIL: True}), AGENT)
        answer_nps(ledger, customer, 7)

    def draft(name: str) -> UUID:
        command = DraftCampaign(name, segment, "Hi {first_name}", "News.", conversion_days=3)
        return ledger.handle(command, ANALYST).aggregate_id

    winter, spring = draft("Winter"), draft("Spring")
    ledger.handle(ScheduleCampaign(winter, datetime.now(UTC) + timedelta(days=1)), ANALYST)
    ledger.handle(ScheduleCampaign(spring, datetime.now(UTC) + timedelta(days=2)), ANALYST)
    ledger.handle(CancelCampaign(spring), ANALYST)
    ledger.handle(LaunchCampaign(winter), ANALYST)
    cursor = None
    for batch, member in enumerate(sorted([*customers, eli])):
        queued = [] if member == eli else [member]
        skipped = {SkipReason.NO_MARKETING_CONSENT.value: [eli]} if member == eli else {}
        command = RecordCampaignRecipients(winter, batch, cursor, queued, skipped)
        ledger.handle(command, sender)
        cursor = member
        answer_nps(ledger, member, 4 + batch)
        buy(ledger, member, f"winter-{batch}-old", datetime(2026, 1, 1, tzinfo=UTC))
        buy(ledger, member, f"winter-{batch}-a", datetime.now(UTC))
        buy(ledger, member, f"winter-{batch}-b", datetime.now(UTC))
    first, second = sorted(customers)
    ledger.set_contact_preferences(Preferences(first, {ContactChannel.EMAIL: False}), AGENT)
    ledger.withdraw_consent(second, ConsentPurpose.MARKETING, AGENT)
    ledger.handle(CompleteCampaign(winter), sender)


def reviewed_testimonials(ledger: Ledger, ada: UUID, bo: UUID) -> None:
    """In one run of folded events: testimonial consent given, withdrawn and given again,
    and refused; a newcomer registered, renamed twice, moved and consenting (their row goes in
    changed); promoters' comments, Ada's approved then rejected."""
    ledger.give_consent(ada, ConsentPurpose.TESTIMONIALS, AGENT)
    ledger.withdraw_consent(ada, ConsentPurpose.TESTIMONIALS, AGENT)
    ledger.give_consent(ada, ConsentPurpose.TESTIMONIALS, AGENT)
    ledger.withdraw_consent(bo, ConsentPurpose.TESTIMONIALS, AGENT)  # refused: never given
    fay = ledger.register_customer(RegisterCustomer("Fay First", "fay@example.org"), AGENT)
    for name in ("Faye Second", "Fae Third"):
        ledger.change_contact_details(ChangeContactDetails(fay.aggregate_id, name=name), AGENT)
    ledger.change_demographics(ChangeDemographics(fay.aggregate_id, region="APAC"), AGENT)
    ledger.give_consent(fay.aggregate_id, ConsentPurpose.TESTIMONIALS, AGENT)
    drafted = DraftSurvey(SurveyKind.NPS, "Recommend", "Would you?", [SurveyChannel.WEB])
    survey = ledger.draft_survey(drafted, AGENT).aggregate_id
    ledger.publish_survey(survey, AGENT)
    for customer in (ada, bo):
        ledger.give_consent(customer, ConsentPurpose.RESEARCH, AGENT)
        response = ledger.invite_to_survey(survey, customer, SurveyChannel.WEB, AGENT)
        answer = SubmitResponse(10, "Wonderful", survey_id=survey, customer_id=customer)
        ledger.submit_survey_response(
            answer, EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
        )
        if customer == ada:
            for decision in (Decision.APPROVED, Decision.REJECTED):
                ledger.handle(ReviewTestimonial(response.aggregate_id, decision), ADMIN)


def buy(ledger: Ledger, customer: UUID, order: str, at: datetime) -> None:
    purchase = RecordPurchase(customer, order, "12", "EUR", PurchaseChannel.WEB, at)
    ledger.record_purchase(purchase, AGENT)


def ticket_steps(ledger: Ledger, customer: UUID) -> None:
    """A ticket through every kind of step, its clocks stopped and started again, a breach
    recorded: many changes of one ticket row in one batch."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def at(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    opened = OpenTicket(customer, TicketChannel.WEB, "billing", "Charged twice", "Twice", now=at(0))
    ticket = ledger.open_ticket(opened, AGENT).aggregate_id
    ledger.add_ticket_note(ticket, "Looks like a double capture.", AGENT, now=at(10))
    ledger.assign_ticket(ticket, "agent-7", AGENT, now=at(20))
    ledger.reply_to_ticket(ticket, "We are on it.", AGENT, now=at(30))
    ledger.change_ticket_priority(ticket, Priority.HIGH, AGENT, now=at(40))
    ledger.escalate_ticket(ticket, "Bank asks for a form.", AGENT, now=at(50))
    ledger.put_ticket_on_hold(ticket, "Waiting for the form.", AGENT, now=at(60))
    ledger.resume_ticket(ticket, AGENT, now=at(600))
    ledger.resolve_ticket(ticket, "Refunded.", AGENT, now=at(700))
    ledger.reopen_ticket(ticket, "Only half refunded.", AGENT, now=at(800))
    ledger.record_sla_breaches(ticket, EventMetadata.system(), now=at(5000))
    ledger.resolve_ticket(ticket, "Refunded in full.", AGENT, now=at(5100))
    ledger.close_ticket(ticket, AGENT, now=at(5200))


def survey_answers(ledger: Ledger, ada: UUID, bo: UUID | None, round_: int) -> None:
    """Two surveys published, then one run of folded events: invitations and answers of
    several people to both, a newcomer registered, enrolled and answering, and Ada's region
    and loyalty tier changed between her two invitations (the second takes the new segment).
    Bo (None once erased) answers with a comment the erasure clears later."""
    for customer in (ada, bo):
        if customer is not None:  # many_changes refused research
            ledger.give_consent(customer, ConsentPurpose.RESEARCH, AGENT)
    surveys = []
    for kind in (SurveyKind.NPS, SurveyKind.CSAT):
        aspects = [AspectQuestion.checked("pricing", "Fair price?")]
        drafted = DraftSurvey(
            kind, f"{kind.value} {round_}", "How was it?", [SurveyChannel.WEB], aspects, "2.0"
        )
        surveys.append(ledger.draft_survey(drafted, AGENT).aggregate_id)
        ledger.publish_survey(surveys[-1], AGENT)
    first, second = surveys
    newcomer = ledger.register_customer(
        RegisterCustomer(f"Dee {round_}", f"dee{round_}@example.org", region="APAC"), AGENT
    ).aggregate_id
    ledger.enrol_in_loyalty(newcomer, AGENT)
    for customer in (ada, bo, newcomer):
        if customer is not None:
            ledger.invite_to_survey(first, customer, SurveyChannel.WEB, AGENT)
    ledger.change_demographics(ChangeDemographics(ada, f"R{round_}", "de", 1980), AGENT)
    ledger.award_points(ada, f"bonus-{round_}", 6_000 * round_, {"why": "test"}, AGENT)
    for customer in (ada, newcomer):
        ledger.invite_to_survey(second, customer, SurveyChannel.WEB, AGENT)
    for survey, customer, score, comment in (
        (first, ada, 10, "Great service"),
        (first, bo, 3, "Slow and rude"),
        (first, newcomer, 8, None),
        (second, ada, 5, "Fine"),
        (second, newcomer, 2, "Broken checkout"),
    ):
        if customer is None:
            continue
        pricing = {"pricing": min(score, 5)}
        answer = SubmitResponse(score, comment, pricing, survey_id=survey, customer_id=customer)
        ledger.submit_survey_response(
            answer, EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
        )


def reviews_and_feedback(ledger: Ledger, customer: UUID, round_: int) -> None:
    """A kettle bought and reviewed, the review edited (each wording an interaction), a
    complaint of the customer's (which opens a ticket of theirs), and anonymous feedback: a
    suggestion and a complaint whose ticket has no customer."""
    sku = f"KETTLE-{round_}"
    order = f"{customer}-kettle"
    line = OrderLineInput(sku, 1, "25")
    bought = datetime(2026, 2, round_, tzinfo=UTC)
    buy = RecordPurchase(customer, order, "25", "EUR", PurchaseChannel.WEB, bought, [line])
    ledger.record_purchase(buy, AGENT)
    as_customer = EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
    for text in ("Boils fast.", "Boils fast, but loud."):
        review = ReviewProduct(customer, sku, 4, "Good kettle", text, (order,))
        ledger.review_product(review, as_customer)
    complaint = SubmitFeedback(FeedbackKind.COMPLAINT, "checkout", "Paid twice")
    ledger.handle(complaint, as_customer)
    for kind in (FeedbackKind.SUGGESTION, FeedbackKind.COMPLAINT):
        anonymous = SubmitFeedback(kind, "delivery", "Late again", email="anon@example.org")
        ledger.handle(anonymous, ANONYMOUS)


def whole_log(ledger: Ledger) -> list[Positioned]:
    rows = ledger.recorder.select_notifications(start=1, limit=100_000)
    return [Positioned(row.id, ledger.decoded(row)) for row in rows]


def rows_in_one_batch(database: Database, projection: Projection, batch: list[Positioned]) -> Rows:
    """The rows ``projection`` writes for ``batch`` applied whole, as one batch, into empty
    tables of a schema of their own (dropped afterwards)."""
    return rows_in_batches(database, projection, [batch])


def rows_in_batches(
    database: Database, projection: Projection, batches: list[list[Positioned]]
) -> Rows:
    """The rows ``projection`` writes for ``batches`` applied one after the other, each whole,
    into empty tables of a schema of their own (dropped afterwards)."""
    schema = sql.Identifier(f"one_batch_{projection.name}")
    with database.connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
        conn.execute(sql.SQL("SET search_path TO {}, public").format(schema))
        conn.execute(projection.ddl)
        with conn.cursor() as cursor:
            for batch in batches:
                projection.apply(cursor, batch)
        rows = {
            table: conn.execute(
                sql.SQL("SELECT * FROM {}.{} ORDER BY 1, 2").format(schema, sql.Identifier(table))
            ).fetchall()
            for table in projection.tables
        }
        conn.rollback()
    return rows


@pytest.mark.parametrize("projection", CHANGED)
def test_one_batch_folded_and_a_rebuild_by_copy_give_the_rows_of_one_event_at_a_time(
    ledger: Ledger, database: Database, world: World, projection: Projection
) -> None:
    project(ledger, database, projection, batch_size=1)
    one_at_a_time = owned_rows(database, projection)
    assert all(one_at_a_time.values()), "every table holds rows"

    folded = rows_in_one_batch(database, projection, whole_log(ledger))
    copied = rows_in_one_batch(database, loading(projection), whole_log(ledger))
    rebuild(ledger, database, projection, batch_size=100_000)

    assert same_rows(folded) == same_rows(one_at_a_time)
    assert same_rows(copied) == same_rows(one_at_a_time)
    assert same_rows(owned_rows(database, projection)) == same_rows(one_at_a_time)


@pytest.mark.parametrize(("projection", "answered"), ANSWERS_FOLDED)
def test_answers_folded_and_a_rebuild_give_the_rows_of_one_answer_at_a_time(
    ledger: Ledger, database: Database, world: World, projection: Projection, answered: tuple[str]
) -> None:
    project(ledger, database, projection, batch_size=1)
    one_at_a_time = owned_rows(database, projection)
    assert all(one_at_a_time[table] for table in answered), "every answers' table holds rows"

    folded = rows_in_one_batch(database, projection, whole_log(ledger))
    copied = rows_in_one_batch(database, loading(projection), whole_log(ledger))
    rebuild(ledger, database, projection, batch_size=100_000)

    assert same_rows(folded) == same_rows(one_at_a_time)
    assert same_rows(copied) == same_rows(one_at_a_time)
    assert same_rows(owned_rows(database, projection)) == same_rows(one_at_a_time)


def same_rows(rows: Rows) -> dict[str, list[tuple[object, ...]]]:
    """Each table's rows in one order, whatever order rows tied on the first two columns come
    in (the rollups' slices share level and survey on many rows)."""
    return {table: sorted(table_rows, key=repr) for table, table_rows in rows.items()}


def loaded_in_fives_and_one_at_a_time(
    ledger: Ledger, database: Database, projection: Projection
) -> tuple[Rows, Rows]:
    """The projection's rows loaded as a rebuild does in batches of 5 events, and its rows
    applied live one event at a time."""
    project(ledger, database, projection, batch_size=1)
    one_at_a_time = owned_rows(database, projection)
    log = whole_log(ledger)
    batches = [log[start : start + 5] for start in range(0, len(log), 5)]
    return rows_in_batches(database, loading(projection), batches), one_at_a_time


@pytest.mark.parametrize(
    "projection",
    [pytest.param(p, id=p.name) for p in (TicketTimeline(), CustomerHealth())],
)
def test_a_rebuild_whose_tickets_span_its_batches_gives_the_rows_of_one_event_at_a_time(
    ledger: Ledger, database: Database, world: World, projection: Projection
) -> None:
    """While a rebuild loads, the tickets a batch opens go in by COPY and the ones an earlier
    batch opened are updated: batches of 5 events, which cut every ticket's steps apart (and a
    loyalty account's or referrer's first event from the later ones), give the rows of one
    event at a time."""
    loaded, one_at_a_time = loaded_in_fives_and_one_at_a_time(ledger, database, projection)

    assert same_rows(loaded) == same_rows(one_at_a_time)


@pytest.mark.parametrize(
    "projection",
    [pytest.param(p, id=p.name) for p in (SurveyDashboard(), SegmentMembership())],
)
def test_a_rebuild_in_batches_of_five_events_gives_the_rows_of_one_event_at_a_time(
    ledger: Ledger, database: Database, world: World, projection: Projection
) -> None:
    """While a rebuild loads, a batch's rows go in by COPY on top of what the batches before
    it wrote (the dashboard's presence rows, only those not there yet; the segments' facts,
    stays and snapshots tested against the live rules' columns only): batches of 5 events
    give the rows of one event at a time."""
    loaded, one_at_a_time = loaded_in_fives_and_one_at_a_time(ledger, database, projection)

    assert same_rows(loaded) == same_rows(one_at_a_time)


def test_an_erasure_amid_a_batch_clears_what_the_batch_set_before_it(
    ledger: Ledger, database: Database, world: World
) -> None:
    """Decoded before the erasure (as a live worker may have), Ada's new name is clear text
    in the batch; the erasure later in that batch still leaves the row without it."""
    ledger.change_contact_details(ChangeContactDetails(world.ada, name="Ada Clear"), AGENT)
    before = whole_log(ledger)
    ledger.request_erasure(world.ada, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(world.ada, OFFICER)
    batch = before + whole_log(ledger)[len(before) :]
    names = [i.event.name.value for i in batch if isinstance(i.event, Customer.NameChanged)]
    assert "Ada Clear" in names
    rows = rows_in_one_batch(database, CustomerDirectory(), batch)

    (ada,) = [row for row in rows["customer_directory"] if row[0] == world.ada]
    assert ada[2:5] == (None, None, None)  # name, email, phone


def test_a_ticket_event_that_cannot_apply_is_parked_alone_and_the_rest_of_its_batch_applies(
    ledger: Ledger, database: Database
) -> None:
    """A folded batch that fails (a step of a ticket the read model lost) falls back to one
    event at a time: that event alone is parked, the other ticket's steps of the same batch
    apply, once each."""
    customer = ledger.register_customer(RegisterCustomer("Di", "di@example.org"), AGENT)
    opened = [
        ledger.open_ticket(
            OpenTicket(customer.aggregate_id, TicketChannel.WEB, "billing", subject, "Twice"),
            AGENT,
        ).aggregate_id
        for subject in ("Lost", "Kept")
    ]
    lost, kept = opened
    project(ledger, database, TicketTimeline(), batch_size=100)
    with database.connect() as conn:
        conn.execute("DELETE FROM tickets WHERE ticket_id = %s", (lost,))
        conn.commit()
    ledger.assign_ticket(kept, "agent-7", AGENT)
    poison = ledger.add_ticket_note(lost, "Noted.", AGENT).position
    ledger.add_ticket_note(kept, "Assigned.", AGENT)

    project(ledger, database, TicketTimeline(), batch_size=100)

    with database.connect() as conn:
        parked = parked_events(conn, TicketTimeline.name)
        steps = conn.execute(
            "SELECT kind FROM ticket_timeline WHERE ticket_id = %s ORDER BY seq", (kept,)
        ).fetchall()
        (version,) = conn.execute(
            "SELECT version FROM tickets WHERE ticket_id = %s", (kept,)
        ).fetchone() or (None,)
    assert [event.position for event in parked] == [poison]
    assert [kind for (kind,) in steps] == ["opened", "assigned", "note_added"]
    assert version == 3


def test_a_loyalty_event_that_cannot_apply_is_parked_alone_and_the_rest_of_its_batch_applies(
    ledger: Ledger, database: Database
) -> None:
    """A folded loyalty batch that fails (points of an account the read model lost) falls back
    to one event at a time: that event alone is parked, the other account's points of the same
    batch apply, once each."""
    members = [
        ledger.register_customer(RegisterCustomer(name, f"{name}@example.org"), AGENT).aggregate_id
        for name in ("lost", "kept")
    ]
    lost, kept = members
    for member in members:
        ledger.enrol_in_loyalty(member, AGENT)
    project(ledger, database, LoyaltyStatements(), batch_size=100)
    with database.connect() as conn:
        conn.execute("DELETE FROM loyalty_accounts WHERE customer_id = %s", (lost,))
        conn.commit()
    ledger.adjust_points(kept, 10, "Goodwill", AGENT)
    poison = ledger.adjust_points(lost, 5, "Goodwill", AGENT).position
    ledger.adjust_points(kept, 20, "Goodwill", AGENT)

    project(ledger, database, LoyaltyStatements(), batch_size=100)

    with database.connect() as conn:
        parked = parked_events(conn, LoyaltyStatements.name)
        points = conn.execute(
            "SELECT points FROM loyalty_transactions WHERE customer_id = %s ORDER BY seq", (kept,)
        ).fetchall()
        (lots,) = conn.execute(
            "SELECT count(*) FROM loyalty_lots WHERE customer_id = %s", (kept,)
        ).fetchone() or (None,)
    assert [event.position for event in parked] == [poison]
    assert [p for (p,) in points] == [10, 20]
    assert lots == 2


def test_a_survey_dashboard_event_that_cannot_apply_is_parked_alone_and_answers_apply(
    ledger: Ledger, database: Database
) -> None:
    """A folded batch that fails (an enrolment of a customer the read model already holds under
    another account) falls back to one event at a time: that enrolment alone is parked, the
    invitations and answers of the same batch apply, once each, with their rollups."""
    customers = [
        ledger.register_customer(RegisterCustomer(name, f"{name}@example.org"), AGENT).aggregate_id
        for name in ("Eve", "Fay")
    ]
    eve, fay = customers
    project(ledger, database, SurveyDashboard(), batch_size=100)
    with database.connect() as conn:
        conn.execute(
            "INSERT INTO survey_member_tiers (account_id, customer_id, tier)"
            " VALUES (gen_random_uuid(), %s, 'gold')",
            (eve,),
        )
        conn.commit()
    poison = ledger.enrol_in_loyalty(eve, AGENT).position
    answer_nps(ledger, eve, 9)
    answer_nps(ledger, fay, 3)

    project(ledger, database, SurveyDashboard(), batch_size=100)

    with database.connect() as conn:
        parked = parked_events(conn, SurveyDashboard.name)
        answers = conn.execute(
            "SELECT customer_id, tier FROM survey_responses ORDER BY seq"
        ).fetchall()
        (counted,) = conn.execute(
            "SELECT sum(responses) FROM survey_response_slices WHERE level = 'all'"
        ).fetchone() or (None,)
    assert [event.position for event in parked] == [poison]
    assert [customer for customer, _ in answers] == [eve, fay]
    assert counted == 2


@dataclass(slots=True)
class PoisonedFacts(FactChanges):
    """A run of folded events that cannot be written if it holds the event at ``failing``."""

    failing: int = 0

    def write(self, cursor: Cursor[Any]) -> None:
        if any(step.cause.position == self.failing for step in self.steps):
            raise ValueError("cannot apply this event")
        FactChanges.write(self, cursor)


class PoisonedMembership(SegmentMembership):
    def __init__(self, failing: int) -> None:
        super().__init__()
        self.failing = failing

    def changes(self) -> FactChanges:
        return PoisonedFacts(self._segments, self.loading, failing=self.failing)


def test_a_segment_fact_event_that_cannot_apply_stops_the_read_model_before_its_batch(
    ledger: Ledger, database: Database
) -> None:
    """A folded segment batch that fails falls back to one event at a time; this read model
    never parks (its history is dated in log order), so the failing event stops it with nothing
    of its batch written and nothing parked; once fixed, it goes on from there and each stay
    opens once."""
    eu = ledger.handle(DefineSegment("EU", "", SEGMENTS["EU"]), ANALYST).aggregate_id

    def register(name: str) -> UUID:
        command = RegisterCustomer(name, f"{name}@example.org", region="EU")
        return ledger.register_customer(command, AGENT).aggregate_id

    def stays() -> list[tuple[UUID, str]]:
        with database.connect() as conn:
            return conn.execute(
                "SELECT customer_id, entered_reason FROM segment_memberships"
                " WHERE segment_id = %s AND left_at IS NULL ORDER BY membership_id",
                (eu,),
            ).fetchall()

    def reached() -> int:
        with database.connect() as conn:
            return all_positions(conn).get(SegmentMembership.name, 0)

    ann = register("ann")
    project(ledger, database, SegmentMembership(), batch_size=100)
    before = reached()
    ben, cat = register("ben"), register("cat")
    rows = ledger.recorder.select_notifications(start=before + 1, limit=100)
    poison = next(row.id for row in rows if row.topic.endswith("Customer.Registered"))
    quick = RetryPolicy(max_attempts=2, backoff_seconds=0.001)

    with database.connect() as conn, pytest.raises(EventNotAppliedError):
        ProjectionRunner(ledger, database, PoisonedMembership(poison), 100, quick).catch_up(conn)

    with database.connect() as conn:
        parked = parked_events(conn, SegmentMembership.name)
    assert parked == []
    assert reached() == before
    assert stays() == [(ann, "Customer.Registered")]

    project(ledger, database, SegmentMembership(), batch_size=100)

    assert stays() == [(customer, "Customer.Registered") for customer in (ann, ben, cat)]
