"""Engagement in the customer health read model and the at-risk reaction's watch, through the
real ledger and PostgreSQL: each kind of interaction (a review written, feedback given, a
friend invited, points redeemed) counts once for its customer, a replay changes nothing, and
for random histories the read model's score is the one Python computes from the history, and
the watch's band is the read model's."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer
from domain.feedback.commands import SubmitFeedback
from domain.feedback.values import FeedbackKind
from domain.ledger import Ledger
from domain.loyalty.commands import AddReward
from domain.loyalty.values import RewardKind
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.reactions.policies import AtRiskTickets
from domain.reactions.settings import ReactionSettings
from domain.review.commands import ReviewProduct
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.success.health import Band, HealthInputs, health_of
from domain.success.watch import HealthWatch, watch_id
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from infrastructure.database import Database
from infrastructure.process_manager_runner import ProcessManagerRunner
from projections.success.projection import CustomerHealth
from projections.success.queries import HealthRow, health_row
from tests.support.read_models import apply_again, owned_rows, project, query
from tests.support.surveys import answer_nps

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.WEB)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
SLA_CHECK = EventMetadata.system("sla-check")
NOW = datetime.now(UTC)


def as_customer(customer_id: UUID) -> EventMetadata:
    return EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)


def customer(ledger: Ledger, name: str) -> UUID:
    command = RegisterCustomer(name, f"{name.lower()}@example.org")
    return ledger.register_customer(command, AGENT).aggregate_id


def review(ledger: Ledger, customer_id: UUID, n: int) -> None:
    written = ReviewProduct(customer_id, f"SKU-{n}", 4, "Good", "It works.")
    ledger.review_product(written, as_customer(customer_id))


def feedback(ledger: Ledger, customer_id: UUID, n: int) -> None:
    given = SubmitFeedback(FeedbackKind.SUGGESTION, "delivery", f"Idea number {n}.")
    ledger.handle(given, as_customer(customer_id))


def invite(ledger: Ledger, customer_id: UUID, n: int) -> None:
    ledger.issue_referral_code(customer_id, AGENT)
    ledger.invite_friend(customer_id, f"friend-{n}-{customer_id.hex[:8]}@example.org", AGENT)


def redeem(ledger: Ledger, customer_id: UUID, n: int) -> None:
    if n == 0:
        ledger.enrol_in_loyalty(customer_id, AGENT)
    ledger.adjust_points(customer_id, 50, "Goodwill", AGENT)
    reward = AddReward("Mug", RewardKind.FREE_PRODUCT, 50, reward_id=MUG)
    ledger.add_reward(reward, ADMIN)
    ledger.redeem_reward(customer_id, MUG, AGENT)


MUG = UUID("00000000-0000-4000-8000-00000000a001")
KINDS: dict[str, Callable[[Ledger, UUID, int], None]] = {
    "reviews": review,
    "feedback": feedback,
    "friends_invited": invite,
    "redemptions": redeem,
}


def row_of(database: Database, customer_id: UUID) -> HealthRow:
    row = query(database, lambda conn: health_row(conn, customer_id))
    assert row is not None
    return row


def counts_of(row: HealthRow) -> dict[str, int]:
    return {kind: getattr(row, kind) for kind in KINDS}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_interaction_counts_once_and_a_replay_changes_nothing(
    ledger: Ledger, database: Database, kind: str
) -> None:
    """One interaction of the kind: its count is 1 (the others 0) and engagement 25; the whole
    log applied again leaves every row as it was."""
    ada = customer(ledger, "Ada")
    KINDS[kind](ledger, ada, 0)
    project(ledger, database, CustomerHealth())
    row = row_of(database, ada)
    assert counts_of(row) == {k: int(k == kind) for k in KINDS}
    assert health_of(row.inputs(NOW)).components[-1].score == 25
    before = owned_rows(database, CustomerHealth)
    apply_again(ledger, database, CustomerHealth())
    assert owned_rows(database, CustomerHealth) == before


def test_anonymous_feedback_and_an_edited_review_count_nothing_more(
    ledger: Ledger, database: Database
) -> None:
    """Feedback that names no customer counts for no one; editing a review is not a second
    review."""
    ada = customer(ledger, "Ada")
    review(ledger, ada, 1)
    edited = ReviewProduct(ada, "SKU-1", 2, "Worse", "It broke.")
    ledger.review_product(edited, as_customer(ada))
    anonymous = SubmitFeedback(FeedbackKind.SUGGESTION, "delivery", "Hi", email="x@example.org")
    ledger.handle(anonymous, ANONYMOUS)
    project(ledger, database, CustomerHealth())
    row = row_of(database, ada)
    assert counts_of(row) == {"reviews": 1, "feedback": 0, "friends_invited": 0, "redemptions": 0}
    rows = owned_rows(database, CustomerHealth)
    assert {r[1] for r in rows["health_interactions"]} == {ada}


def random_history(ledger: Ledger, rng: random.Random, name: str) -> tuple[UUID, HealthInputs]:
    """A customer with a random purchase, NPS answers, open tickets and interactions of
    every kind; returns them and the inputs the history makes, counted in Python."""
    customer_id = customer(ledger, name)
    days = rng.choice([None, 3, 200, 700])
    if days is not None:
        # Half a day off a whole number, so that seconds between two readings change no day.
        at = NOW - timedelta(days=days, hours=12)
        command = RecordPurchase(customer_id, f"{name}-1", "10", "EUR", PurchaseChannel.WEB, at)
        ledger.record_purchase(command, AGENT)
    scores = [rng.randint(0, 10) for _ in range(rng.randint(0, 2))]
    for score in scores:
        answer_nps(ledger, customer_id, score)
    tickets = rng.randint(0, 4)
    breached = rng.randint(0, tickets)
    for n in range(tickets):
        opened = OpenTicket(customer_id, TicketChannel.WEB, "delivery", f"Late {n}", "Late")
        if n < breached:  # opened a month ago, past every SLA target now
            ticket_id = ledger.open_ticket(opened, AGENT, now=NOW - timedelta(days=30))
            ledger.record_sla_breaches(ticket_id.aggregate_id, SLA_CHECK, now=NOW)
        else:
            ledger.open_ticket(opened, AGENT)
    counts = {kind: rng.randint(0, 2) for kind in KINDS}
    for kind, count in counts.items():
        for n in range(count):
            KINDS[kind](ledger, customer_id, n)
    inputs = HealthInputs(
        days_since_purchase=days,
        latest_nps=scores[-1] if scores else None,
        previous_nps=scores[-2] if len(scores) > 1 else None,
        open_tickets=tickets,
        breached_tickets=breached,
        complaints=sum(1 for score in scores if score <= 6),
        survey_answers=len(scores),
        **counts,
    )
    return customer_id, inputs


def test_for_random_histories_the_read_model_and_the_watch_agree_with_python(
    ledger: Ledger, database: Database
) -> None:
    """Each customer's stored inputs and score equal those Python counts from the history;
    then, with the at-risk reaction run (and its proactive tickets counted by both), each
    customer's watch holds the read model's inputs and is in the read model's band."""
    rng = random.Random(31)
    histories = [random_history(ledger, rng, f"C{n}") for n in range(10)]
    assert {health_of(inputs).band for _, inputs in histories} == set(Band)  # all three
    project(ledger, database, CustomerHealth())
    for customer_id, expected in histories:
        row = row_of(database, customer_id)
        assert row.inputs(NOW) == expected
        assert health_of(row.inputs(NOW)) == health_of(expected)

    # The reaction opens a proactive ticket for each customer at risk, which both then count.
    reaction = AtRiskTickets(ReactionSettings(at_risk_tickets=True))
    for _ in range(2):  # the second run follows the tickets the first one opened
        with database.connect() as conn:
            ProcessManagerRunner(ledger, database, reaction, 10).catch_up(conn)
    project(ledger, database, CustomerHealth())
    for customer_id, _ in histories:
        row = row_of(database, customer_id)
        watch = ledger.find(watch_id(customer_id))
        assert isinstance(watch, HealthWatch)
        assert watch.inputs(NOW) == row.inputs(NOW)
        assert watch.band == health_of(row.inputs(NOW)).band.value


def test_the_watch_counts_each_interaction_once_when_everything_is_delivered_again(
    ledger: Ledger, database: Database
) -> None:
    """One interaction of each kind makes four InteractionSeen on the watch; the reaction run
    again from the start (a lost position) records nothing more."""
    ada = customer(ledger, "Ada")
    for do in KINDS.values():
        do(ledger, ada, 0)
    reaction = AtRiskTickets(ReactionSettings(at_risk_tickets=True))
    with database.connect() as conn:
        ProcessManagerRunner(ledger, database, reaction, 10).catch_up(conn)
        conn.execute(
            "UPDATE cxl_projection_positions SET position = 0 WHERE name = 'at_risk_tickets'"
        )
        conn.commit()
    watch = ledger.find(watch_id(ada))
    assert isinstance(watch, HealthWatch)
    with database.connect() as conn:
        ProcessManagerRunner(ledger, database, reaction, 10).catch_up(conn)
    again = ledger.find(watch_id(ada))
    assert isinstance(again, HealthWatch)
    assert again.version == watch.version
    inputs = again.inputs(NOW)
    counts = (inputs.reviews, inputs.feedback, inputs.friends_invited, inputs.redemptions)
    assert counts == (1, 1, 1, 1)
    assert health_of(inputs).components[-1].why == (
        "1 review, 1 piece of feedback, 1 friend invited, 1 points redemption"
    )
