"""The contract every read model keeps, checked for each one on one log that touches all of
them: a rebuild from the first event gives exactly the rows the live read model holds (built
in other batch sizes), and applying a batch it has already applied changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.billing.commands import RecordPaymentNotification
from domain.billing.values import NotificationKind
from domain.campaign.commands import (
    CancelCampaign,
    CompleteCampaign,
    DraftCampaign,
    LaunchCampaign,
    RecordCampaignRecipients,
)
from domain.campaign.messages import queue_campaign_messages
from domain.campaign.model import RecipientBatch
from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ConsentPurpose, ContactChannel
from domain.exclusive_event.commands import (
    CancelRsvp,
    RecordAttendance,
    RsvpToEvent,
    ScheduleEvent,
)
from domain.exclusive_event.values import EventDetails
from domain.feedback.commands import SubmitFeedback, complaint_ticket_id
from domain.feedback.values import FeedbackKind
from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.fulfilment.values import FulfilmentStep
from domain.improvement.commands import AnnounceImprovement, FeedbackOnTopic
from domain.improvement.model import Improvement
from domain.knowledge.commands import ArticleContent, DraftArticle, PublishArticle, VoteOnArticle
from domain.knowledge.values import ArticleLanguage
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import EarningRule, ProgramTerms, RewardKind, RuleKind, Tier
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.reactions.policies import ImprovementNotices
from domain.review.commands import ModerateReview, ReviewProduct
from domain.review.values import ReviewDecision
from domain.segment.commands import ChangeSegmentRule, DefineSegment
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.success.commands import (
    CloseSuccessPlan,
    OpenSuccessPlan,
    ReachSuccessPlanMilestone,
    RecordSuccessPlanCheckIn,
)
from domain.success.values import PlanOutcome
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from domain.testimonial.commands import ReviewTestimonial
from domain.testimonial.model import Decision
from domain.theme_priority.commands import MarkThemeDone, MarkThemePlanned
from infrastructure.database import Database
from infrastructure.rebuild import rebuild
from projections.base import Projection
from projections.registry import build_projections
from tests.integration.history_world import AGENT, World, populate
from tests.support.events import events_of
from tests.support.ledgers import TEST_AUDIT_KEYS
from tests.support.read_models import apply_again, owned_rows, project

OFFICER = EventMetadata(actor_id="dpo-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
READ_MODELS = build_projections(TEST_AUDIT_KEYS.chain)
REBUILDABLE = [p for p in READ_MODELS if p.rebuildable]


def by_name(projections: list[Projection]) -> list[object]:
    return [pytest.param(p, id=p.name) for p in projections]


@pytest.fixture
def world(ledger: Ledger) -> World:
    """Every feature once (``history_world``), and what fills the tables it leaves empty."""
    world = populate(ledger)
    customer_tables(ledger, world.ada)
    loyalty_tables(ledger, world.ada)
    survey_aspects(ledger, world.bo)
    improvement_tables(ledger, world.ada)
    success_plan_tables(ledger, world.ada)
    review_tables(ledger, world.ada)
    affinity_tables(ledger, world.ada)
    order_tables(ledger, world.ada)
    exclusive_event_tables(ledger, world.ada)
    billing_tables(ledger, world.ada)
    ledger.invite_friend(world.ada, "cy@example.org", AGENT)
    ledger.register_customer(RegisterCustomer("Cy Invited", "cy@example.org"), AGENT)
    ledger.record_data_export(world.ada, "access request #1", ["customer"], OFFICER)
    campaign_tables(ledger, segments(ledger), world.ada, world.bo)
    promoter_testimonial(ledger, world.bo)
    feedback_and_articles(ledger, world.ada)
    theme_decisions(ledger)
    ledger.request_erasure(world.bo, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    return world


def feedback_and_articles(ledger: Ledger, customer_id: UUID) -> None:
    """A complaint (with its ticket), anonymous feedback, an anonymous complaint (with its
    anonymous requester's ticket, replied to and resolved), and a published, voted article."""
    as_them = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.APP)
    complaint = SubmitFeedback(FeedbackKind.COMPLAINT, "billing", "The invoice is wrong")
    ledger.handle(complaint, as_them)
    anonymous = EventMetadata("anonymous", Role.ANONYMOUS, Channel.WEB)
    idea = SubmitFeedback(FeedbackKind.SUGGESTION, "app", "Dark mode please", email="x@y.org")
    ledger.handle(idea, anonymous)
    # An anonymous complaint opens a ticket with no customer, which an agent works.
    grumble = SubmitFeedback(FeedbackKind.COMPLAINT, "delivery", "Box crushed", email="z@y.org")
    ticket_id = complaint_ticket_id(ledger.handle(grumble, anonymous).aggregate_id)
    ledger.reply_to_ticket(ticket_id, "Sorry, we send another.", AGENT)
    ledger.resolve_ticket(ticket_id, "Sent again.", AGENT)
    content = ArticleContent("router", "setup", ArticleLanguage.FR, "Box", "Redémarrez la box")
    article_id = ledger.handle(DraftArticle(content), AGENT).aggregate_id
    ledger.handle(PublishArticle(article_id), AGENT)
    ledger.handle(VoteOnArticle(article_id, True), as_them)
    ledger.handle(VoteOnArticle(article_id, False), as_them)
    ledger.handle(VoteOnArticle(article_id, True), anonymous)


def theme_decisions(ledger: Ledger) -> None:
    """A theme of the complaint planned and then done, another marked done at once."""
    ledger.handle(MarkThemePlanned("invoice", "next release", raised=True), ADMIN)
    ledger.handle(MarkThemeDone("invoice", "shipped", raised=True), ADMIN)
    ledger.handle(MarkThemeDone("wrong", raised=True), ADMIN)


def customer_tables(ledger: Ledger, customer_id: UUID) -> None:
    channels = SetContactPreferences(customer_id, {ContactChannel.EMAIL: True})
    ledger.set_contact_preferences(channels, AGENT)
    ledger.give_consent(customer_id, ConsentPurpose.MARKETING, AGENT)
    ledger.complete_onboarding_step(customer_id, "profile_completed", AGENT)


def loyalty_tables(ledger: Ledger, member_id: UUID) -> None:
    """A rule, a reward, new terms, and an order that lifts the member to silver."""
    rule = EarningRule(uuid4(), "1 point per euro", RuleKind.BASE_RATE, points_per_unit=1)
    ledger.define_earning_rule(rule, ADMIN)
    ledger.add_reward(AddReward("Coffee", RewardKind.FREE_PRODUCT, 100), ADMIN)
    ledger.change_program_terms(ProgramTerms(400, 10), ADMIN)
    order = RecordPurchase(
        member_id, "big-1", "1500", "EUR", PurchaseChannel.WEB, datetime.now(UTC)
    )
    ledger.record_purchase(order, AGENT)
    ledger.earn_points_for_order("big-1", EventMetadata.system("loyalty-earning"))


def segments(ledger: Ledger) -> UUID:
    """A segment whose rule then changes, so that customers enter it both ways."""
    marketing = {"field": "consent", "values": ["marketing"]}
    segment = ledger.handle(DefineSegment("Opted in", "", marketing), ADMIN).aggregate_id
    widened = {"any": [marketing, {"not": {"field": "open_tickets", "min": 1}}]}
    ledger.handle(ChangeSegmentRule(segment, widened), ADMIN)
    return segment


def campaign_tables(ledger: Ledger, segment_id: UUID, ada: UUID, bo: UUID) -> None:
    """A campaign sent in two batches (Ada queued, Bo skipped and later erased), then
    completed; and a second, cancelled while a draft."""
    draft = DraftCampaign("Spring", segment_id, "Hi {first_name}", "{points} points")
    campaign = ledger.handle(draft, ADMIN).aggregate_id
    ledger.handle(LaunchCampaign(campaign), ADMIN)
    sender = EventMetadata.system("campaign-sender")
    after = None
    for number, member in enumerate(sorted([ada, bo])):
        queued, skipped = ([ada], {}) if member == ada else ([], {"frequency_cap": [bo]})
        record = RecordCampaignRecipients(campaign, number, after, queued, skipped)
        ledger.handle(record, sender)
        after = member
    ledger.handle(CompleteCampaign(campaign), sender)
    other = ledger.handle(DraftCampaign("Later", segment_id, "Hi", "Text"), ADMIN).aggregate_id
    ledger.handle(CancelCampaign(other), ADMIN)
    campaign_messages(ledger, segment_id, [ada, bo])


def campaign_messages(ledger: Ledger, segment_id: UUID, queued: list[UUID]) -> None:
    """A campaign whose one batch queues both: the reaction writes one event with a message
    for each, which the outbox turns into a row each."""
    draft = DraftCampaign("Summer", segment_id, "Hi {first_name}", "Text")
    campaign = ledger.handle(draft, ADMIN).aggregate_id
    ledger.handle(LaunchCampaign(campaign), ADMIN)
    sender = EventMetadata.system("campaign-sender")
    ledger.handle(RecordCampaignRecipients(campaign, 0, None, queued), sender)
    [batch] = [
        e for e in ledger.history(RecipientBatch.id_for(campaign, 0))
        if isinstance(e, RecipientBatch.Recorded)
    ]  # fmt: skip
    queue_campaign_messages(ledger, batch, EventMetadata.system("campaign-messages"))


def promoter_testimonial(ledger: Ledger, customer_id: UUID) -> None:
    """A promoter's comment, with testimonial consent, approved and then rejected."""
    ledger.give_consent(customer_id, ConsentPurpose.TESTIMONIALS, AGENT)
    drafted = DraftSurvey(SurveyKind.NPS, "Recommend", "Would you?", [SurveyChannel.WEB])
    survey_id = ledger.draft_survey(drafted, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    response = ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.WEB, AGENT)
    as_them = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    answer = SubmitResponse(10, "Wonderful", survey_id=survey_id, customer_id=customer_id)
    ledger.submit_survey_response(answer, as_them)
    for decision in (Decision.APPROVED, Decision.REJECTED):
        ledger.handle(ReviewTestimonial(response.aggregate_id, decision), ADMIN)


def exclusive_event_tables(ledger: Ledger, member_id: UUID) -> None:
    """An event for silver members: the member RSVPs, cancels, RSVPs again and attends."""
    starts = datetime.now(UTC) + timedelta(days=10)
    details = EventDetails.checked(
        title="Roastery night", description="", starts_at=starts,
        ends_at=starts + timedelta(hours=2), place="Torino", capacity=5,
        invited_tiers=[Tier.SILVER], points_for_attending=100,
    )  # fmt: skip
    event_id = ledger.schedule_event(ScheduleEvent(details), ADMIN).aggregate_id
    ledger.rsvp_to_event(RsvpToEvent(event_id, member_id), AGENT)
    ledger.cancel_rsvp(CancelRsvp(event_id, member_id), AGENT)
    ledger.rsvp_to_event(RsvpToEvent(event_id, member_id), AGENT)
    ledger.record_attendance(RecordAttendance(event_id, member_id), AGENT)


def billing_tables(ledger: Ledger, customer_id: UUID) -> None:
    """An invoice, a failed and a successful payment of it, and a partial refund."""
    provider = EventMetadata.system("payment-provider")
    kind = NotificationKind
    for command in (
        RecordPaymentNotification(
            "n1", kind.INVOICE_ISSUED, customer_id, "EUR", 5000, invoice_id="inv_1",
            payment_url="https://pay.example.com/1",
        ),
        RecordPaymentNotification(
            "n2", kind.PAYMENT_FAILED, customer_id, "EUR", 5000, invoice_id="inv_1",
            payment_id="p1", failure_code="card_declined",
        ),
        RecordPaymentNotification(
            "n3", kind.PAYMENT_RECEIVED, customer_id, "EUR", 5000, invoice_id="inv_1",
            payment_id="p2",
        ),
        RecordPaymentNotification(
            "n4", kind.REFUND_ISSUED, customer_id, "EUR", 1000, payment_id="p2", refund_id="r1"
        ),
    ):  # fmt: skip
        ledger.record_payment_notification(command, provider)


def survey_aspects(ledger: Ledger, customer_id: UUID) -> None:
    """An answer that scores an aspect question."""
    aspects = [AspectQuestion.checked("delivery", "How was the delivery?")]
    drafted = DraftSurvey(SurveyKind.CSAT, "Delivery", "Happy?", [SurveyChannel.WEB], aspects)
    survey_id = ledger.draft_survey(drafted, ADMIN).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)
    ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.WEB, AGENT)
    answer = SubmitResponse(
        4, aspect_scores={"delivery": 5}, survey_id=survey_id, customer_id=customer_id
    )
    as_them = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    ledger.submit_survey_response(answer, as_them)


def success_plan_tables(ledger: Ledger, customer_id: UUID) -> None:
    """A plan with a goal, a milestone reached, a check-in, and a close."""
    opened = OpenSuccessPlan(customer_id, "Adoption", ("Use the app weekly",))
    plan_id = ledger.handle(opened, AGENT).aggregate_id
    goal_id = ledger.get_success_plan(plan_id).goal_ids[0]
    ledger.handle(ReachSuccessPlanMilestone(plan_id, goal_id, "First log-in"), AGENT)
    ledger.handle(RecordSuccessPlanCheckIn(plan_id, "Ada is happy"), AGENT)
    ledger.handle(CloseSuccessPlan(plan_id, PlanOutcome.ACHIEVED), AGENT)


def improvement_tables(ledger: Ledger, customer_id: UUID) -> None:
    """An improvement announced to the customer, and its notice queued."""
    feedback = FeedbackOnTopic(True, (customer_id,))
    command = AnnounceImprovement("delivery", None, "2.5.0", "Faster deliveries.", feedback)
    improvement_id = ledger.announce_improvement(command, ADMIN).aggregate_id
    for chunk in events_of(ledger, improvement_id, Improvement.AudienceRecorded):
        ImprovementNotices().react(ledger, chunk)


def review_tables(ledger: Ledger, customer_id: UUID) -> None:
    """An order with a line, its buyer's review of it, published, then edited."""
    line = OrderLineInput("KETTLE-2", 1, "30")
    order = RecordPurchase(
        customer_id, "kettle-1", "30", "EUR", PurchaseChannel.WEB, datetime.now(UTC), [line]
    )
    ledger.record_purchase(order, AGENT)
    as_them = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    written = ReviewProduct(customer_id, "KETTLE-2", 4, "Fast", "Boils fast.", ("kettle-1",))
    review_id = ledger.review_product(written, as_them).aggregate_id
    ledger.moderate_review(ModerateReview(review_id, ReviewDecision.PUBLISH), ADMIN)
    edited = ReviewProduct(customer_id, "KETTLE-2", 5, "Fast", "Boils fast, quietly.")
    ledger.review_product(edited, as_them)


def affinity_tables(ledger: Ledger, customer_id: UUID) -> None:
    """An order of two products (a pair for the product affinity read model)."""
    lines = [OrderLineInput("KETTLE-2", 1, "30", "kitchen"), OrderLineInput("FILTER-1", 2, "5")]
    order = RecordPurchase(
        customer_id, "kettle-2", "40", "EUR", PurchaseChannel.WEB, datetime.now(UTC), lines
    )
    ledger.record_purchase(order, AGENT)


def order_tables(ledger: Ledger, customer_id: UUID) -> None:
    """An order placed, paid, packed and shipped (with a tracking number), then delivered."""
    lines = [LineInput("KETTLE-2", 1)]
    ledger.record_fulfilment(
        RecordFulfilment("track-1", FulfilmentStep.PLACED, customer_id=customer_id, lines=lines),
        AGENT,
    )
    for step in (FulfilmentStep.PAID, FulfilmentStep.PACKED):
        ledger.record_fulfilment(RecordFulfilment("track-1", step), AGENT)
    shipped = RecordFulfilment(
        "track-1", FulfilmentStep.SHIPPED, carrier="dhl", tracking_number="JD0146000039"
    )
    ledger.record_fulfilment(shipped, AGENT)
    ledger.record_fulfilment(RecordFulfilment("track-1", FulfilmentStep.DELIVERED), AGENT)


def test_every_read_model_is_checked_on_a_log_that_touches_it(
    ledger: Ledger, database: Database, world: World
) -> None:
    empty = []
    for projection in READ_MODELS:
        project(ledger, database, projection, batch_size=50)
        rows = owned_rows(database, projection)
        empty += [f"{projection.name}.{table}" for table, held in rows.items() if not held]
    assert len(READ_MODELS) >= 10
    assert empty == []


@pytest.mark.parametrize("batch_size", [7, 100_000], ids=["batches", "one-batch"])
@pytest.mark.parametrize("projection", by_name(REBUILDABLE))
def test_a_rebuild_gives_the_rows_the_live_read_model_holds(
    ledger: Ledger, database: Database, world: World, projection: Projection, batch_size: int
) -> None:
    project(ledger, database, projection, batch_size=3)
    live = owned_rows(database, projection)

    rebuild(ledger, database, projection, batch_size=batch_size)

    assert owned_rows(database, projection) == live


@pytest.mark.parametrize("projection", by_name(READ_MODELS))
def test_applying_a_batch_again_changes_nothing(
    ledger: Ledger, database: Database, world: World, projection: Projection
) -> None:
    project(ledger, database, projection, batch_size=5)
    live = owned_rows(database, projection)

    apply_again(ledger, database, projection)

    assert owned_rows(database, projection) == live
