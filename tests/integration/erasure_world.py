"""A customer with a distinctive value in every personal field, who uses every feature, driven
by real commands; every read model caught up by the real runners; and a scan of every table
of the database for those values, as text and as bytes. Used by the erasure proof."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import Connection, sql

from domain.campaign.commands import DraftCampaign, LaunchCampaign, RecordCampaignRecipients
from domain.campaign.values import FrequencyCap
from domain.customer.commands import ChangeDemographics, RegisterCustomer, SetContactPreferences
from domain.customer.profile import Address, ConsentPurpose, ContactChannel
from domain.exclusive_event.commands import RecordAttendance, RsvpToEvent, ScheduleEvent
from domain.exclusive_event.values import EventDetails
from domain.feedback.commands import SubmitFeedback, complaint_ticket_id
from domain.feedback.values import FeedbackKind
from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.fulfilment.values import FulfilmentStep
from domain.improvement.commands import AnnounceImprovement, FeedbackOnTopic
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import RewardKind, Tier
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import OrderLineInput, RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.reactions.policies import REACTIONS
from domain.review.commands import ModerateReview, ReviewProduct
from domain.review.values import ReviewDecision
from domain.segment.commands import DefineSegment
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.success.commands import (
    CloseSuccessPlan,
    OpenSuccessPlan,
    ReachSuccessPlanMilestone,
    RecordSuccessPlanCheckIn,
)
from domain.success.values import PlanOutcome
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from infrastructure.campaign_sending import CampaignSender
from infrastructure.database import Database
from infrastructure.process_manager_runner import ProcessManagerRunner
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.rebuild import rebuild
from infrastructure.refresh_tokens import RefreshTokens
from infrastructure.sessions import events_table
from infrastructure.tokens import IssuedToken, JwtTokens
from projections.campaigns.projection import CampaignFigures
from projections.outbox.queries import pending_notifications_sync
from projections.registry import ALL_PROJECTIONS, build_projections
from projections.segments.projection import SegmentMembership
from tests.support.ledgers import TEST_AUDIT_KEYS, TEST_JWT_SECRET
from tests.support.outbox import opened

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
SENDER = EventMetadata.system("campaign-sender")
OFFICER = EventMetadata("officer-1", Role.PRIVACY_OFFICER, Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)

EMAIL = "o.vexmarl+promo@glimwick.example"
PASSWORD = "Trombonist-Vellichor-42"
BIRTH_YEAR = 1931  # checked on its own: four digits also turn up inside ids and ciphertexts
REFUND_ORDER = "quax-order-1"

# The distinctive values given to the customer's personal fields, by field. Derived values
# (the normalised phone, the password hash, tokens) are added once they exist.
GIVEN: dict[str, str] = {
    "name": "Ottoline Quaxbridge",
    "email": EMAIL,
    "email variant": "ovexmarl@glimwick.example",
    "email domain": "glimwick.example",
    "address line": "17 Glimmerquay Lane",
    "address city": "Frobisham",
    "address postal code": "QX9 4ZT",
    "language": "qtz-Qvxz-QZ",
    "password": PASSWORD,
    "survey comment": "The Plumbiferous courier was wonderfully kind",
    "survey comment term": "plumbiferous",
    "ticket subject": "Snargleton parcel missing",
    "ticket description": "The Kestrelbury depot lost my parcel",
    "customer reply": "Wraithmoor is where I live now",
    "agent reply": "Dunkelfeld depot is checking",
    "ticket note": "Quillifer called twice",
    "escalation reason": "Brindlecombe escalation needed",
    "hold reason": "Mossgiel waits for the courier",
    "resolution": "Ferncastle reshipped the parcel",
    "reopen reason": "Tarnwick parcel still missing",
    "adjustment reason": "Goodwill for Hexengrau delay",
    "reversal reason": "Reversed for Pimblebury mixup",
    "feedback text": "The Zyzzogeton checkout keeps failing",
    "feedback term": "zyzzogeton",
    "anonymous feedback": "Quillborough delivery was slow",
    "anonymous complaint": "The Vornholt parcel arrived crushed",
    "reply to the anonymous requester": "Sorry, Zimbleford will replace it",
    "success plan check-in note": "Spoke with her about the Quenderby onboarding",
    "review title": "Zephyrine kettle sings",
    "review text": "The Quorlwind kettle boils in a minute",
    "edited review text": "Grimbleshank handle gets warm",
    "review shown name": "Ottoline Q.",
    "tracking number": "QX77ZORBLEWICK",
}


# A segment the customer enters (region EU, research consent): the membership read model then
# holds her facts (language and birth year among them) and her stay.
EU_RESEARCHERS = {
    "all": [{"field": "region", "values": ["EU"]}, {"field": "consent", "values": ["research"]}]
}
TRACKED_ORDER = "quax-tracked-1"
REVIEWED_SKU = "QUAX-KETTLE"
REVIEW_RATING = 4


@dataclass
class World:
    customer: UUID
    referrer: UUID
    friend_email: str  # the friend the customer invited: the friend's data, not theirs
    values: dict[str, str] = field(default_factory=dict)
    campaign: UUID | None = None
    """A campaign to her segment, sent: she is on its recipient list (skipped: she withdrew
    her marketing consent)."""


def register(ledger: Ledger, name: str, email: str, **more: Any) -> UUID:
    command = RegisterCustomer(name, email, **more)
    return ledger.register_customer(command, AGENT).aggregate_id


def populate(ledger: Ledger, database: Database, loyalty_events: int = 100) -> World:
    """Someone invites the customer's email first; then she registers, buys, answers a survey
    by an email link (as a promoter), collects and spends points, has a ticket go through every
    step, asks for a password reset, and refers a friend; an improvement is announced on a
    theme of her comment; the reactions thank her and tell her of her ticket's steps and of
    the improvement; she logs in and refreshes her session.
    ``loyalty_events`` adjustments make the account's snapshot."""
    referrer = register(ledger, "Rex Referrer", "rex@example.org")
    segment = ledger.handle(DefineSegment("EU researchers", "", EU_RESEARCHERS), ADMIN)
    ledger.issue_referral_code(referrer, AGENT)
    ledger.invite_friend(referrer, EMAIL, AGENT)
    customer = register(
        ledger, GIVEN["name"], EMAIL, phone="+49 30 7715 2093", region="EU", password=PASSWORD
    )
    ledger.convert_referral(customer, ledger.get_referrer(referrer).code, AGENT)
    _profile(ledger, customer)
    _survey(ledger, customer)
    _loyalty(ledger, customer, loyalty_events)
    _ticket(ledger, customer)
    _feedback(ledger, customer)
    _success_plan(ledger, customer)
    ledger.request_password_reset(EMAIL, ANONYMOUS)
    ledger.issue_referral_code(customer, AGENT)
    friend_email = "friend.yellowmere@example.org"
    ledger.invite_friend(customer, friend_email, AGENT)
    _improvement(ledger, customer)
    _review(ledger, customer)
    _tracked_order(ledger, customer)
    _exclusive_event(ledger, customer)
    _earlier_campaign(ledger, segment.aggregate_id, [customer, referrer])
    _react(ledger, database)
    campaign = _campaign(ledger, database, segment.aggregate_id)
    world = World(customer, referrer, friend_email, dict(GIVEN), campaign)
    world.values.update(_derived(ledger, database, customer))
    world.values["refresh token"] = _session(ledger, database, customer)
    return world


def _session(ledger: Ledger, database: Database, customer: UUID) -> str:
    """She logs in and refreshes once (two refresh tokens of one family); her current refresh
    token, which no table may hold in clear (only its hash is stored)."""
    tokens = JwtTokens(TEST_JWT_SECRET, "cxledger")

    def issue_access(customer_id: UUID, session_version: int) -> IssuedToken:
        return tokens.issue(str(customer_id), Role.CUSTOMER, 900, session_version)

    refresh = RefreshTokens(database.connect, ledger, events_table(ledger), issue_access)
    grant = ledger.grant_session(EMAIL, PASSWORD)
    access = issue_access(customer, grant.session_version)
    first = refresh.start(customer, grant.session_version, access.token, access.expires_at)
    assert first.refresh_token is not None
    current = refresh.refresh(first.refresh_token).refresh_token
    assert current is not None
    return current


def _profile(ledger: Ledger, customer: UUID) -> None:
    address = Address.checked(
        GIVEN["address line"], None, GIVEN["address city"], GIVEN["address postal code"], "DE"
    )
    ledger.change_address(customer, address, AGENT)
    demographics = ChangeDemographics(customer, language=GIVEN["language"], birth_year=BIRTH_YEAR)
    ledger.change_demographics(demographics, AGENT)
    every = {ContactChannel.EMAIL: True, ContactChannel.SMS: True, ContactChannel.PUSH: True}
    ledger.set_contact_preferences(SetContactPreferences(customer, every), AGENT)
    for purpose in (ConsentPurpose.MARKETING, ConsentPurpose.RESEARCH, ConsentPurpose.TESTIMONIALS):
        ledger.give_consent(customer, purpose, AGENT)
    ledger.withdraw_consent(customer, ConsentPurpose.MARKETING, AGENT)
    buy = RecordPurchase(customer, REFUND_ORDER, "40", "EUR", PurchaseChannel.WEB, _now())
    ledger.record_purchase(buy, AGENT)
    ledger.refund_purchase(REFUND_ORDER, "10", AGENT)


def _campaign(ledger: Ledger, database: Database, segment_id: UUID) -> UUID:
    """A campaign to the segment she is in, launched and sent by the real sender."""
    with database.connect() as conn:
        ProjectionRunner(ledger, database, SegmentMembership(), 100).catch_up(conn)
    draft = DraftCampaign("Spring", segment_id, "Hi {first_name}", "You have {points} points.")
    campaign = ledger.handle(draft, ADMIN).aggregate_id
    ledger.handle(LaunchCampaign(campaign), ADMIN)
    read_model = ProjectionRunner(ledger, database, CampaignFigures(), 100)
    CampaignSender(ledger, database, read_model, FrequencyCap(3, 7)).run()
    return campaign


def _earlier_campaign(ledger: Ledger, segment_id: UUID, queued: list[UUID]) -> None:
    """A campaign sent while she still consented: one batch queued her and Rex, so the
    reaction writes one event holding both messages, each sealed with its recipient's key."""
    draft = DraftCampaign("Welcome", segment_id, "Welcome {first_name}", "Hello {first_name}.")
    campaign = ledger.handle(draft, ADMIN).aggregate_id
    ledger.handle(LaunchCampaign(campaign), ADMIN)
    ledger.handle(RecordCampaignRecipients(campaign, 0, None, queued), SENDER)


def _survey(ledger: Ledger, customer: UUID) -> None:
    draft = DraftSurvey(SurveyKind.NPS, "After your order", "Recommend us?", [SurveyChannel.EMAIL])
    survey = ledger.draft_survey(draft, ADMIN).aggregate_id
    ledger.publish_survey(survey, ADMIN)
    ledger.invite_to_survey(survey, customer, SurveyChannel.EMAIL, ADMIN)
    answer = SubmitResponse(9, GIVEN["survey comment"], survey_id=survey, customer_id=customer)
    ledger.submit_survey_response(answer, EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB))


def _improvement(ledger: Ledger, customer: UUID) -> None:
    """An improvement on a theme of her comment ("courier": a common word, not hers alone),
    announced to her as its audience."""
    feedback = FeedbackOnTopic(True, (customer,))
    command = AnnounceImprovement(None, "courier", "3.0.0", "Couriers are now tracked.", feedback)
    ledger.announce_improvement(command, ADMIN)


def _review(ledger: Ledger, customer: UUID) -> None:
    """She buys a kettle, reviews it (a verified purchase), a moderator publishes it, and she
    edits it (the first wording stays in the log, sealed)."""
    line = OrderLineInput(REVIEWED_SKU, 1, "25")
    buy = RecordPurchase(
        customer, "quax-kettle-1", "25", "EUR", PurchaseChannel.WEB, _now(), [line]
    )
    ledger.record_purchase(buy, AGENT)
    as_customer = EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
    written = ReviewProduct(
        customer, REVIEWED_SKU, REVIEW_RATING, GIVEN["review title"], GIVEN["review text"],
        ("quax-kettle-1",),
    )  # fmt: skip
    review = ledger.review_product(written, as_customer).aggregate_id
    ledger.moderate_review(ModerateReview(review, ReviewDecision.PUBLISH), ADMIN)
    edited = ReviewProduct(
        customer, REVIEWED_SKU, REVIEW_RATING, GIVEN["review title"], GIVEN["edited review text"],
        ("quax-kettle-1",),
    )  # fmt: skip
    ledger.review_product(edited, as_customer)
    ledger.moderate_review(ModerateReview(review, ReviewDecision.PUBLISH), ADMIN)


def _tracked_order(ledger: Ledger, customer: UUID) -> None:
    """Her order is placed, paid, packed and shipped with a tracking number."""
    lines = [LineInput(REVIEWED_SKU, 1)]
    placed = RecordFulfilment(
        TRACKED_ORDER, FulfilmentStep.PLACED, customer_id=customer, lines=lines
    )
    ledger.record_fulfilment(placed, AGENT)
    for step in (FulfilmentStep.PAID, FulfilmentStep.PACKED):
        ledger.record_fulfilment(RecordFulfilment(TRACKED_ORDER, step), AGENT)
    shipped = RecordFulfilment(
        TRACKED_ORDER, FulfilmentStep.SHIPPED, carrier="dhl",
        tracking_number=GIVEN["tracking number"],
    )  # fmt: skip
    ledger.record_fulfilment(shipped, AGENT)


def _exclusive_event(ledger: Ledger, customer: UUID) -> None:
    """She RSVPs to an event open to every tier (her name goes on its guest list) and
    attends."""
    starts = _now() + timedelta(days=14)
    details = EventDetails.checked(
        title="Members' evening", description="", starts_at=starts,
        ends_at=starts + timedelta(hours=2), place="Torino", capacity=10,
        invited_tiers=list(Tier), points_for_attending=10,
    )  # fmt: skip
    event_id = ledger.schedule_event(ScheduleEvent(details), ADMIN).aggregate_id
    ledger.rsvp_to_event(RsvpToEvent(event_id, customer), AGENT)
    ledger.record_attendance(RecordAttendance(event_id, customer), AGENT)


def _loyalty(ledger: Ledger, customer: UUID, adjustments: int) -> None:
    ledger.enrol_in_loyalty(customer, AGENT)
    for _ in range(adjustments):
        ledger.adjust_points(customer, 60, GIVEN["adjustment reason"], AGENT)
    reward = ledger.add_reward(AddReward("Mug", RewardKind.FREE_PRODUCT, 50), ADMIN).aggregate_id
    redemption = ledger.redeem_reward(customer, reward, AGENT)
    ledger.reverse_redemption(customer, redemption.redemption_id, GIVEN["reversal reason"], AGENT)


def _ticket(ledger: Ledger, customer: UUID) -> None:
    opened = OpenTicket(
        customer, TicketChannel.WEB, "delivery", GIVEN["ticket subject"],
        GIVEN["ticket description"],
    )  # fmt: skip
    ticket = ledger.open_ticket(opened, AGENT).aggregate_id
    as_customer = EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
    ledger.assign_ticket(ticket, "agent-7", AGENT)
    ledger.reply_to_ticket(ticket, GIVEN["agent reply"], AGENT)
    ledger.reply_to_ticket(ticket, GIVEN["customer reply"], as_customer)
    ledger.add_ticket_note(ticket, GIVEN["ticket note"], AGENT)
    ledger.escalate_ticket(ticket, GIVEN["escalation reason"], AGENT)
    ledger.put_ticket_on_hold(ticket, GIVEN["hold reason"], AGENT)
    ledger.resume_ticket(ticket, AGENT)
    ledger.resolve_ticket(ticket, GIVEN["resolution"], AGENT)
    ledger.reopen_ticket(ticket, GIVEN["reopen reason"], as_customer)
    ledger.resolve_ticket(ticket, GIVEN["resolution"], AGENT)
    ledger.close_ticket(ticket, AGENT)


def _feedback(ledger: Ledger, customer: UUID) -> None:
    """A complaint of hers (which opens a ticket with her words), and feedback she gave
    anonymously with her email before logging in (her own subject as an invited person): a
    suggestion, and a complaint that opens an anonymous requester's ticket."""
    as_customer = EventMetadata(str(customer), Role.CUSTOMER, Channel.WEB)
    complaint = SubmitFeedback(FeedbackKind.COMPLAINT, "checkout", GIVEN["feedback text"])
    ledger.handle(complaint, as_customer)
    anonymous = SubmitFeedback(
        FeedbackKind.SUGGESTION, "delivery", GIVEN["anonymous feedback"], email=EMAIL
    )
    ledger.handle(anonymous, ANONYMOUS)
    # An anonymous complaint opens a ticket whose requester is that subject, known by her
    # email (the tickets read model holds it), answered by an agent (told to that email).
    complained = SubmitFeedback(
        FeedbackKind.COMPLAINT, "parcel", GIVEN["anonymous complaint"], email=EMAIL
    )
    feedback_id = ledger.handle(complained, ANONYMOUS).aggregate_id
    ticket_id = complaint_ticket_id(feedback_id)
    ledger.reply_to_ticket(ticket_id, GIVEN["reply to the anonymous requester"], AGENT)


def _success_plan(ledger: Ledger, customer: UUID) -> None:
    """A success plan with a goal, a milestone, a check-in (its note is hers) and a close."""
    opened = OpenSuccessPlan(customer, "Adoption", ("Use the app weekly",))
    plan_id = ledger.handle(opened, AGENT).aggregate_id
    goal_id = ledger.get_success_plan(plan_id).goal_ids[0]
    ledger.handle(ReachSuccessPlanMilestone(plan_id, goal_id, "First login"), AGENT)
    note = GIVEN["success plan check-in note"]
    ledger.handle(RecordSuccessPlanCheckIn(plan_id, note), AGENT)
    ledger.handle(CloseSuccessPlan(plan_id, PlanOutcome.ACHIEVED), AGENT)


def _react(ledger: Ledger, database: Database) -> None:
    """The reactions between aggregates, once over the log: the thank-you and the ticket's
    progress notices, each sealing her address in its event."""
    with database.connect() as conn:
        for manager in REACTIONS:
            ProcessManagerRunner(ledger, database, manager(), 50).catch_up(conn)


def _derived(ledger: Ledger, database: Database, customer: UUID) -> dict[str, str]:
    """Values the product made from the given ones: the phone as stored, the password hash,
    and the tokens of the messages queued for her (as the outbox's sender opens them)."""
    stored = ledger.get_customer(customer)
    assert stored.phone is not None and stored.password_hash is not None
    phone, password_hash = stored.phone.value, stored.password_hash.value
    assert phone is not None and password_hash is not None
    found = {"phone": phone, "password hash": password_hash}
    catch_up_all(ledger, database)
    with database.connect() as conn:
        messages = pending_notifications_sync(conn, limit=1000)
        kinds = {m.kind for m in messages}
        assert {
            "promoter_thanks",
            "ticket_progress",
            "improvement_notice",
            "campaign_message",
        } <= kinds
        for message in messages:
            token = opened(ledger, message).token if message.customer_id == customer else None
            if token is not None:
                found[f"{message.kind} token"] = token
    assert {"password_reset token", "survey_invitation token", "campaign_message token"} <= (
        found.keys()
    )
    return found


def _now() -> datetime:
    return datetime.now(UTC) - timedelta(days=1)


def catch_up_all(ledger: Ledger, database: Database) -> None:
    """Every read model, by the runner the workers use."""
    with database.connect() as conn:
        for projection in build_projections(TEST_AUDIT_KEYS.chain):
            ProjectionRunner(ledger, database, projection, 50).catch_up(conn)


def rebuild_all(ledger: Ledger, database: Database) -> list[str]:
    """Rebuild every read model that may be rebuilt; their names."""
    rebuilt = [p for p in ALL_PROJECTIONS if p.rebuildable]
    for projection in rebuilt:
        rebuild(ledger, database, projection(), 50)
    return [p.name for p in rebuilt]


def erase(ledger: Ledger, customer: UUID) -> None:
    ledger.request_erasure(customer, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(customer, OFFICER)


# --- the scan -----------------------------------------------------------------------------

_TABLES = """
    SELECT table_schema, table_name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY 1, 2
"""
_RAW_COLUMNS = """
    SELECT column_name, data_type FROM information_schema.columns
    WHERE table_schema = %s AND table_name = %s AND data_type IN ('bytea', 'jsonb', 'json')
"""


@dataclass
class ScanReport:
    tables: list[str]
    rows: int
    found: dict[str, list[str]]
    """Distinctive value's field -> the tables where it was found."""


def scan(conn: Connection[Any], values: dict[str, str]) -> ScanReport:
    """Every row of every table, whole (each column cast to text), and each bytea and json
    column as its raw bytes, searched for each value case-insensitively (as text and as its
    UTF-8 bytes)."""
    report = ScanReport([], 0, {})
    for schema, table in conn.execute(_TABLES).fetchall():
        name = f"{schema}.{table}"
        report.tables.append(name)
        for blob in _contents(conn, schema, table):
            report.rows += 1
            for what, value in values.items():
                if _holds(blob, value) and name not in report.found.get(what, []):
                    report.found.setdefault(what, []).append(name)
    return report


def _contents(conn: Connection[Any], schema: str, table: str) -> list[bytes]:
    """Per row: the row as text, then its raw bytea and json bytes, as one byte string."""
    target = sql.Identifier(schema, table)
    raw = conn.execute(_RAW_COLUMNS, (schema, table)).fetchall()
    parts: list[sql.Composable] = [sql.SQL("convert_to(t::text, 'UTF8')")]
    for column, data_type in raw:
        ident = sql.Identifier(column)
        parts.append(
            ident if data_type == "bytea" else sql.SQL("convert_to({}::text, 'UTF8')").format(ident)
        )
    query = sql.SQL("SELECT {} FROM {} AS t").format(sql.SQL(", ").join(parts), target)
    return [b"\x00".join(bytes(p) for p in row if p is not None) for row in conn.execute(query)]


def _holds(blob: bytes, value: str) -> bool:
    wanted = value.encode()
    return (
        wanted in blob or wanted.lower() in blob.lower() or value.lower().encode() in blob.lower()
    )
