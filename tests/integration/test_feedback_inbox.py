"""The feedback inbox on PostgreSQL: an anonymous sender erased by their email loses their
words and email from the inbox (kind, topic and sentiment stay), and a customer's feedback is
indexed in their history."""

from __future__ import annotations

from domain.customer.commands import RegisterCustomer
from domain.feedback.commands import SubmitFeedback
from domain.feedback.values import FeedbackKind
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.referral.commands import invitee_subject
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from projections.feedback.projection import FeedbackInbox
from projections.history.projection import CustomerHistory
from tests.support.read_models import project

OFFICER = EventMetadata(actor_id="dpo-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)


def test_erasing_an_anonymous_sender_by_email_clears_their_words(
    ledger: Ledger, database: Database
) -> None:
    """requestErasure by email reaches feedback given anonymously with it; only theirs."""
    mine = SubmitFeedback(FeedbackKind.COMPLAINT, "delivery", "Parcel lost again", email="a@b.org")
    other = SubmitFeedback(FeedbackKind.COMPLIMENT, "staff", "Lovely staff", email="c@d.org")
    ledger.handle(mine, ANONYMOUS)
    ledger.handle(other, ANONYMOUS)
    ledger.request_erasure(None, "A@B.org", ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(invitee_subject(ledger, "a@b.org"), OFFICER)
    project(ledger, database, FeedbackInbox())
    with database.connect() as conn:
        inbox = conn.execute(
            "SELECT topic, text, email, sentiment_bucket,"
            " (SELECT count(*) FROM feedback_terms t WHERE t.feedback_id = f.feedback_id)"
            " FROM feedback_inbox f ORDER BY seq"
        ).fetchall()
    assert inbox == [
        ("delivery", None, None, "negative", 0),
        ("staff", "Lovely staff", "c@d.org", "positive", 3),  # lovely, staff, lovely staff
    ]


def test_a_customers_feedback_is_in_their_history(ledger: Ledger, database: Database) -> None:
    """The history index (and so exports and customerAsOf) lists the feedback they gave."""
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), OFFICER)
    as_ada = EventMetadata(str(ada.aggregate_id), Role.CUSTOMER, Channel.WEB)
    ledger.handle(SubmitFeedback(FeedbackKind.QUESTION, "billing", "When is the bill?"), as_ada)
    project(ledger, database, CustomerHistory())
    with database.connect() as conn:
        types = conn.execute(
            "SELECT event_type FROM customer_history WHERE customer_id = %s ORDER BY position",
            (ada.aggregate_id,),
        ).fetchall()
    assert [t for (t,) in types] == ["Customer.Registered", "Feedback.Submitted"]
