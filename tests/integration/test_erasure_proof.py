"""The proof of erasure (issue 8, item 2; issue 16, item 9): after a customer who used every
feature is erased, no table of the database, events and snapshots included, holds any of
their personal values, as text or as bytes, and once the erasure sweep has run no page of any
table or index does either (dead row versions and free space included); a rebuild of every
read model brings none back; and the figures without identity (survey dashboard, loyalty
balance, ticket metrics, referral funnel, a product's review rating, buyers per product) do not
change."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from psycopg import AsyncConnection

from domain.customer.errors import InvalidRefreshTokenError
from domain.feedback.commands import SubmitFeedback, complaint_ticket_id
from domain.feedback.values import FeedbackKind
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.referral.commands import invitee_subject
from domain.shared.personal_data import PersonalData
from infrastructure.database import Database
from infrastructure.erasure_sweep import ErasureSweep
from infrastructure.outbox_messages import OutboxMessages
from infrastructure.refresh_tokens import RefreshTokens
from infrastructure.sessions import events_table
from infrastructure.tokens import IssuedToken
from projections.campaigns.queries import figures as campaign_figures
from projections.loyalty.queries import account_view
from projections.outbox.queries import pending_notifications_sync
from projections.referrals.funnel_queries import funnel
from projections.reviews.queries import product_rating
from projections.surveys.queries import dashboard, feedback_insight
from projections.surveys.small_groups import EVERY_GROUP
from projections.surveys.views import DashboardFilter
from projections.tickets.metrics_queries import service_metrics
from projections.tickets.views import ServiceMetricsFilter
from tests.integration.erasure_world import (
    AGENT,
    ANONYMOUS,
    BIRTH_YEAR,
    OFFICER,
    REVIEWED_SKU,
    World,
    catch_up_all,
    erase,
    populate,
    rebuild_all,
    scan,
)
from tests.support.outbox import opened
from tests.support.pages import relations_holding

# Values no read model holds in clear even before erasure (sealed in the log, or never stored):
# the outbox's sender opens a message's token from its sealed cause, as it sends it.
# Her refresh token: only its SHA-256 is stored (cxl_refresh_tokens).
NEVER_IN_CLEAR = {
    "password",
    "password hash",
    "password_reset token",
    "survey_invitation token",
    "campaign_message token",  # her written campaign message: sealed in its batch's event
    "refresh token",
    "review text",  # her review's first wording: the edit replaced it in the read model
}


# The product affinity read model's anonymous aggregate: buyers per product.
PRODUCT_BUYERS = "SELECT sku, customers FROM affinity_products ORDER BY sku"


def figures(database: Database, world: World, now: datetime) -> dict[str, Any]:
    """The figures without identity that erasure must leave as they are, as of ``now``."""
    since, until = now - timedelta(days=30), now + timedelta(days=1)

    async def read() -> dict[str, Any]:
        async with await AsyncConnection.connect(database.conninfo) as conn:
            account = await account_view(conn, world.customer, now)
            insight = await feedback_insight(conn, DashboardFilter(), min_group_size=EVERY_GROUP)
            return {
                "dashboard": await dashboard(conn, DashboardFilter(), min_group_size=EVERY_GROUP),
                "comments": (insight.comments, insight.average_sentiment),
                "loyalty": account,
                "tickets": await service_metrics(conn, ServiceMetricsFilter(), None, now),
                "funnel": await funnel(conn, since, until),
                "rating": await product_rating(conn, REVIEWED_SKU),
                "buyers": await (await conn.execute(PRODUCT_BUYERS)).fetchall(),
                "campaign": await campaign_figures(conn, world.campaign)
                if world.campaign
                else None,
            }

    return asyncio.run(read())


def as_bytes(values: dict[str, str]) -> dict[str, bytes]:
    return {name: value.encode() for name, value in values.items()}


def test_every_value_was_somewhere_in_clear_before_the_erasure(
    ledger: Ledger, database: Database
) -> None:
    """The scan finds what is there (else the proof below would prove nothing)."""
    world = populate(ledger, database, loyalty_events=3)
    with database.connect() as conn:
        report = scan(conn, world.values)
    missing = set(world.values) - set(report.found) - NEVER_IN_CLEAR
    assert missing == set()


def test_her_refresh_token_is_held_nowhere_in_clear_and_erasure_ends_it(
    ledger: Ledger, database: Database
) -> None:
    """The refresh-token table holds hashes, ids and times only; the erasure's revocation of
    her sessions leaves the token unable to refresh."""
    world = populate(ledger, database, loyalty_events=1)
    with database.connect() as conn:
        report = scan(conn, {"refresh token": world.values["refresh token"]})
    assert report.found == {}
    erase(ledger, world.customer)
    tokens = RefreshTokens(database.connect, ledger, events_table(ledger), _no_access_token)
    with pytest.raises(InvalidRefreshTokenError):
        tokens.refresh(world.values["refresh token"])


def _no_access_token(customer_id: UUID, session_version: int) -> IssuedToken:
    raise AssertionError("an erased customer's refresh token must not get an access token")


def test_the_outbox_holds_no_address_or_token_of_anyone_even_before_erasure(
    ledger: Ledger, database: Database
) -> None:
    """Messages are queued for her (a reset, a survey link) and for the friend she invited;
    their addresses and tokens stay sealed in the log, under each recipient's own key."""
    world = populate(ledger, database, loyalty_events=1)
    personal = {**world.values, "friend": world.friend_email}
    with database.connect() as conn:
        queued = conn.execute("SELECT count(*) FROM notification_outbox").fetchone()
        report = scan(conn, personal)
    assert queued is not None and queued[0] >= 3
    assert [table for found in report.found.values() for table in found if "outbox" in table] == []


def test_after_erasure_and_after_a_rebuild_no_table_holds_any_personal_value(
    ledger: Ledger, database: Database
) -> None:
    world = populate(ledger, database)
    now = datetime.now(UTC) + timedelta(minutes=5)
    before = figures(database, world, now)

    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    assert ErasureSweep(ledger, database).run().vacuumed == [world.customer]
    with database.connect() as conn:
        after_erasure = scan(conn, world.values)
        snapshots = conn.execute("SELECT count(*) FROM ledger_snapshots").fetchone()
    with database.connect(autocommit=True) as conn:
        in_pages = relations_holding(conn, as_bytes(world.values))
    assert after_erasure.found == {}
    assert in_pages == {}  # no dead row version, no free space, no index page holds any
    assert {"public.ledger_events", "public.ledger_snapshots"} <= set(after_erasure.tables)
    assert snapshots is not None and snapshots[0] > 0  # the loyalty account's snapshot
    assert figures(database, world, now) == before

    rebuilt = rebuild_all(ledger, database)
    with database.connect() as conn:
        after_rebuild = scan(conn, world.values)
    with database.connect(autocommit=True) as conn:
        assert relations_holding(conn, as_bytes(world.values)) == {}
    assert "customer_directory" in rebuilt and "notification_outbox" in rebuilt
    assert after_rebuild.found == {}
    assert after_rebuild.rows > 0
    assert figures(database, world, now) == before  # sentiment included: it is in the log


def test_the_birth_year_is_sealed_in_the_log_and_reads_as_erased_after_the_erasure(
    ledger: Ledger, database: Database
) -> None:
    """Checked apart from the scan: its four digits also occur inside ids and ciphertexts."""
    world = populate(ledger, database, loyalty_events=1)
    with database.connect() as conn:
        stored = conn.execute(
            "SELECT state FROM ledger_events WHERE originator_id = %s AND topic LIKE %s",
            (world.customer, "%Customer.BirthYearChanged"),
        ).fetchall()
    assert len(stored) == 1 and str(BIRTH_YEAR).encode() not in bytes(stored[0][0])
    assert ledger.get_customer(world.customer).birth_year == PersonalData(
        world.customer, str(BIRTH_YEAR)
    )

    erase(ledger, world.customer)
    rebuild_all(ledger, database)

    customer = ledger.get_customer(world.customer)
    assert customer.birth_year is not None and customer.birth_year.is_erased
    with database.connect() as conn:
        profile = conn.execute(
            "SELECT birth_year, language FROM customer_directory WHERE customer_id = %s",
            (world.customer,),
        ).fetchone()
    assert profile == (None, None)
    with database.connect() as conn:
        facts = conn.execute(
            "SELECT count(*) FROM segment_facts WHERE customer_id = %s", (world.customer,)
        ).fetchone()
    assert facts == (0,)  # segment membership's facts (birth year, language) went with her


def test_erasure_takes_her_off_the_campaign_recipient_list_and_its_figures_stay(
    ledger: Ledger, database: Database
) -> None:
    """Her recipient row stays (it counts) without her id, live and after a rebuild."""
    world = populate(ledger, database, loyalty_events=1)
    catch_up_all(ledger, database)
    now = datetime.now(UTC)
    before = figures(database, world, now)["campaign"]
    assert before.skipped == {"no_marketing_consent": 1}

    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    held = "SELECT count(*) FROM campaign_recipients WHERE customer_id = %s"
    with database.connect() as conn:
        assert conn.execute(held, (world.customer,)).fetchone() == (0,)
    assert figures(database, world, now)["campaign"] == before
    rebuild_all(ledger, database)
    with database.connect() as conn:
        assert conn.execute(held, (world.customer,)).fetchone() == (0,)
    assert figures(database, world, now)["campaign"] == before


def test_her_campaign_message_goes_with_her_and_the_others_of_its_batch_stay_deliverable(
    ledger: Ledger, database: Database
) -> None:
    """Her message and Rex's are entries of one batch event: after her erasure her entry
    opens to nothing and her row is cancelled, while Rex's still opens, live and rebuilt."""
    world = populate(ledger, database, loyalty_events=1)
    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    for step in ("live", "rebuilt"):
        with database.connect() as conn:
            pending = pending_notifications_sync(conn, "campaign_message")
            held = conn.execute(
                "SELECT count(*) FROM notification_outbox WHERE kind = 'campaign_message'"
                " AND cancelled_at IS NULL AND customer_id = %s",
                (world.customer,),
            ).fetchone()
        assert held == (0,), step
        [rex] = pending
        assert rex.customer_id == world.referrer, step
        assert json.loads(opened(ledger, rex).token or "{}")["subject"] == "Welcome Rex", step
        hers = replace(rex, cause_entry=1 - rex.cause_entry, customer_id=world.customer)
        assert OutboxMessages(ledger).open(hers) is None, step  # her entry of the same event
        if step == "live":
            rebuild_all(ledger, database)


def test_the_friend_the_erased_customer_invited_keeps_their_own_data(
    ledger: Ledger, database: Database
) -> None:
    """Erasure removes the customer's data, not that of the people they dealt with."""
    world = populate(ledger, database, loyalty_events=1)
    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    with database.connect() as conn:
        report = scan(conn, {"friend": world.friend_email, "referrer": "Rex Referrer"})
    assert set(report.found) == {"friend", "referrer"}


def test_the_guest_lists_lose_her_name_and_keep_her_seat(
    ledger: Ledger, database: Database
) -> None:
    """Her RSVP put her name on an event's guest list; after the erasure, and after a rebuild,
    the list holds no name of hers, while her seat and attendance still count."""
    world = populate(ledger, database, loyalty_events=1)
    catch_up_all(ledger, database)
    guests = (
        "SELECT r.guest_name, e.seats_taken, e.attended FROM exclusive_event_rsvps r"
        " JOIN exclusive_events e USING (event_id) WHERE r.customer_id = %s"
    )
    with database.connect() as conn:
        before = conn.execute(guests, (world.customer,)).fetchall()
    assert before == [(world.values["name"], 1, 1)]

    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    with database.connect() as conn:
        assert conn.execute(guests, (world.customer,)).fetchall() == [(None, 1, 1)]
    rebuild_all(ledger, database)
    with database.connect() as conn:
        assert conn.execute(guests, (world.customer,)).fetchall() == [(None, 1, 1)]


def test_her_themes_go_with_her_words_and_her_scores_stay(
    ledger: Ledger, database: Database
) -> None:
    """The enhancement priorities drew themes from her survey comment, her complaint and the
    feedback she sent anonymously (each of her data subjects); after the erasure, and after a
    rebuild, no theme mention of hers is left, while the NPS totals her answer is in stay."""
    world = populate(ledger, database, loyalty_events=1)
    catch_up_all(ledger, database)
    hers = "SELECT theme FROM theme_priority_mentions WHERE theme = ANY(%s) ORDER BY theme"
    words = ["plumbiferous", "quillborough", "zyzzogeton"]
    totals = "SELECT product_version, answers, score_sum FROM theme_priority_totals ORDER BY 1"
    with database.connect() as conn:
        assert [row[0] for row in conn.execute(hers, (words,)).fetchall()] == words
        before = conn.execute(totals).fetchall()
    assert sum(row[1] for row in before) >= 1

    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    with database.connect() as conn:
        assert conn.execute(hers, (words,)).fetchall() == []
        assert conn.execute(totals).fetchall() == before
    rebuild_all(ledger, database)
    with database.connect() as conn:
        assert conn.execute(hers, (words,)).fetchall() == []
        assert conn.execute(totals).fetchall() == before


ANONYMOUS_TICKET = (
    "SELECT customer_id, requester, requester_email, subject, description FROM tickets"
    " WHERE requester = 'anonymous'"
)
ANONYMOUS_TIMELINE = (
    "SELECT count(*) FILTER (WHERE text IS NOT NULL), count(*) FROM ticket_timeline"
    " WHERE ticket_id IN (SELECT ticket_id FROM tickets WHERE requester = 'anonymous')"
)


def test_her_anonymous_complaints_ticket_loses_her_email_and_words_and_keeps_its_steps(
    ledger: Ledger, database: Database
) -> None:
    """The complaint she sent anonymously opened a ticket whose requester is her email's own
    subject; erasing her erases that subject too: the ticket keeps no email, subject,
    description or step text, live and after a rebuild, while its steps stay."""
    world = populate(ledger, database, loyalty_events=1)
    catch_up_all(ledger, database)
    with database.connect() as conn:
        row = conn.execute(ANONYMOUS_TICKET).fetchone()
        assert row is not None and row[:3] == (None, "anonymous", world.values["email"])
        assert row[4] == world.values["anonymous complaint"]
        assert conn.execute(ANONYMOUS_TIMELINE).fetchone() == (2, 2)

    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    erased = (None, "anonymous", None, None, None)
    with database.connect() as conn:
        assert conn.execute(ANONYMOUS_TICKET).fetchone() == erased
        assert conn.execute(ANONYMOUS_TIMELINE).fetchone() == (0, 2)
    rebuild_all(ledger, database)
    with database.connect() as conn:
        assert conn.execute(ANONYMOUS_TICKET).fetchone() == erased
        assert conn.execute(ANONYMOUS_TIMELINE).fetchone() == (0, 2)


def test_erasing_an_anonymous_requester_by_email_empties_their_ticket(
    ledger: Ledger, database: Database
) -> None:
    """Someone who never registered complains with an email, and asks (by that email) to be
    erased: their ticket's email and texts go, live and after a rebuild; the ticket stays."""
    email = "wendeline.pargeter@example.org"
    complaint = SubmitFeedback(FeedbackKind.COMPLAINT, "parcel", "Hollowmere box torn", email=email)
    ticket_id = complaint_ticket_id(ledger.handle(complaint, ANONYMOUS).aggregate_id)
    ledger.reply_to_ticket(ticket_id, "Sorry, Brackenthorpe resends it", AGENT)
    catch_up_all(ledger, database)
    values = {"email": email, "complaint": "Hollowmere", "reply": "Brackenthorpe"}
    with database.connect() as conn:
        assert set(scan(conn, values).found) == set(values)

    ledger.request_erasure(None, email, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(invitee_subject(ledger, email), OFFICER)
    catch_up_all(ledger, database)
    with database.connect() as conn:
        assert scan(conn, values).found == {}
    rebuild_all(ledger, database)
    with database.connect() as conn:
        assert scan(conn, values).found == {}
        held = conn.execute("SELECT status FROM tickets WHERE ticket_id = %s", (ticket_id,))
        assert held.fetchone() == ("new",)  # replied to, never assigned
