"""Each read model purges what it holds of an erased person when it applies
``ErasureRequest.Completed`` (for the subject and every subject erased with them), keeps the
figures without identity, and a rebuild after the erasure ends with the same purged rows."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest
from psycopg import AsyncConnection, Connection

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from infrastructure.database import Database
from infrastructure.outbox_messages import OutboxMessages
from infrastructure.rebuild import rebuild
from projections.customers.queries import CustomerView, customer_by_id, customers_count
from projections.customers.views import CustomerFilter
from projections.outbox.queries import pending_notifications_sync
from projections.registry import projection_named
from tests.integration.erasure_world import (
    AGENT,
    EMAIL,
    GIVEN,
    OFFICER,
    REVIEW_RATING,
    REVIEWED_SKU,
    TRACKED_ORDER,
    World,
    catch_up_all,
    erase,
    populate,
)


@pytest.fixture
def world(ledger: Ledger, database: Database) -> World:
    return populate(ledger, database, loyalty_events=2)


def rows(conn: Connection[Any], query: str, *params: Any) -> list[tuple[Any, ...]]:
    return conn.execute(query, params).fetchall()


def erased(ledger: Ledger, database: Database, world: World) -> Connection[Any]:
    erase(ledger, world.customer)
    catch_up_all(ledger, database)
    return database.connect()


def rebuilt(ledger: Ledger, database: Database, name: str) -> None:
    rebuild(ledger, database, projection_named(name)(), 7)


def directory_row(database: Database, customer: UUID) -> CustomerView | None:
    async def read() -> CustomerView | None:
        async with await AsyncConnection.connect(database.conninfo) as conn:
            return await customer_by_id(conn, customer)

    return asyncio.run(read())


def search(database: Database, prefix: str) -> int:
    async def read() -> int:
        async with await AsyncConnection.connect(database.conninfo) as conn:
            return await customers_count(conn, CustomerFilter(search=prefix))

    return asyncio.run(read())


def test_the_directory_row_loses_every_personal_column_and_says_when_it_was_erased(
    ledger: Ledger, database: Database, world: World
) -> None:
    with erased(ledger, database, world) as conn:
        [(name, email, phone, address, flag)] = rows(
            conn,
            "SELECT name, email, phone, address, personal_data_erased FROM customer_directory"
            " WHERE customer_id = %s",
            world.customer,
        )
        completed_at = ledger.get_erasure_request(world.customer).completed_at
    view = directory_row(database, world.customer)
    assert (name, email, phone, address, flag) == (None, None, None, None, True)
    assert view is not None and view.erased_at == completed_at
    assert (
        view.region == "EU" and view.purchase_count == 2
    )  # no identity: kept (the refunded order and the reviewed kettle)


def test_a_search_by_name_or_email_prefix_no_longer_finds_the_erased_customer(
    ledger: Ledger, database: Database, world: World
) -> None:
    assert search(database, "Ottoline") == search(database, "o.vexmarl") == 1
    erased(ledger, database, world).close()
    assert search(database, "Ottoline") == search(database, "o.vexmarl") == 0


def test_a_customer_never_erased_has_no_erasure_time(
    ledger: Ledger, database: Database, world: World
) -> None:
    view = directory_row(database, world.referrer)
    assert view is not None and view.erased_at is None and view.name == "Rex Referrer"


def test_unsent_messages_to_the_erased_customer_are_cancelled_and_open_to_nothing(
    ledger: Ledger, database: Database, world: World
) -> None:
    with database.connect() as conn:
        theirs = [m for m in pending_notifications_sync(conn) if m.customer_id == world.customer]
    assert {m.kind for m in theirs} >= {"password_reset", "survey_invitation"}
    assert all(OutboxMessages(ledger).open(m) is not None for m in theirs)

    with erased(ledger, database, world) as conn:
        pending = [m for m in pending_notifications_sync(conn) if m.customer_id == world.customer]
        purged = rows(
            conn,
            "SELECT payload ? 'token', cancelled_at IS NOT NULL"
            " FROM notification_outbox WHERE customer_id = %s",
            world.customer,
        )
    assert pending == []
    assert purged and set(purged) == {(False, True)}
    # Her address and tokens were only ever sealed in the log, under the destroyed key (her
    # invitation to a friend is addressed to the friend: cancelled, but the friend's data).
    to_her = [m for m in theirs if m.kind != "referral_invitation"]
    assert [OutboxMessages(ledger).open(m) for m in to_her] == [None] * len(to_her)


def test_a_message_already_sent_stays_sent_and_not_cancelled(
    ledger: Ledger, database: Database, world: World
) -> None:
    with database.connect() as conn:
        conn.execute(
            "UPDATE notification_outbox SET sent_at = now()"
            " WHERE customer_id = %s AND kind = 'password_reset'",
            (world.customer,),
        )
        conn.commit()
    with erased(ledger, database, world) as conn:
        [(sent, cancelled)] = rows(
            conn,
            "SELECT sent_at IS NOT NULL, cancelled_at FROM notification_outbox"
            " WHERE customer_id = %s AND kind = 'password_reset'",
            world.customer,
        )
    assert (sent, cancelled) == (True, None)


def test_the_invitation_a_referrer_sent_to_the_erased_customers_email_is_purged(
    ledger: Ledger, database: Database, world: World
) -> None:
    """Her email as an invited person is another subject, erased with her (``also_erased``)."""
    with erased(ledger, database, world) as conn:
        outbox = rows(
            conn,
            "SELECT payload ->> 'invitee_id', cancelled_at IS NOT NULL FROM notification_outbox"
            " WHERE customer_id = %s AND kind = 'referral_invitation'",
            world.referrer,
        )
        funnel = rows(
            conn,
            "SELECT email, variant, converted_friend_id FROM referral_invitations"
            " WHERE referrer_id = %s",
            world.referrer,
        )
        remembered = rows(
            conn, "SELECT 1 FROM referral_invitee_customers WHERE customer_id = %s", world.customer
        )
    assert outbox == [(str(ledger.invitee_subject(EMAIL)), True)]
    assert funnel == [(None, None, world.customer)]  # still counted as converted
    assert remembered == []


def test_the_invitations_the_erased_customer_sent_keep_the_friends_email(
    ledger: Ledger, database: Database, world: World
) -> None:
    with erased(ledger, database, world) as conn:
        funnel = rows(
            conn, "SELECT email FROM referral_invitations WHERE referrer_id = %s", world.customer
        )
    assert funnel == [(world.friend_email,)]


def test_an_invited_person_erased_by_email_loses_the_invitation_and_its_message(
    ledger: Ledger, database: Database
) -> None:
    rex = ledger.register_customer(RegisterCustomer("Rex", "rex@example.org"), AGENT)
    ledger.issue_referral_code(rex.aggregate_id, AGENT)
    ledger.invite_friend(rex.aggregate_id, "never.joined@example.org", AGENT)
    ledger.request_erasure(
        None, "never.joined@example.org", ErasureReason.CONSENT_WITHDRAWN, 0, OFFICER
    )
    ledger.complete_erasure(ledger.invitee_subject("never.joined@example.org"), OFFICER)
    catch_up_all(ledger, database)
    with database.connect() as conn:
        funnel = rows(conn, "SELECT email, variant FROM referral_invitations")
        assert pending_notifications_sync(conn, "referral_invitation") == []
    assert funnel == [(None, None)]


def test_survey_comments_lose_text_and_terms_but_keep_sentiment_and_scores(
    ledger: Ledger, database: Database, world: World
) -> None:
    with database.connect() as conn:
        [(sentiment,)] = rows(conn, "SELECT sentiment FROM survey_comments")
    with erased(ledger, database, world) as conn:
        comments = rows(conn, "SELECT comment, sentiment FROM survey_comments")
        terms = rows(conn, "SELECT term FROM survey_comment_terms")
        scores = rows(conn, "SELECT score, nps_category FROM survey_responses")
    assert sentiment is not None and comments == [(None, sentiment)]
    assert terms == []
    assert scores == [(9, "promoter")]


def test_survey_presence_rows_go_and_the_distinct_counts_stay(
    ledger: Ledger, database: Database, world: World
) -> None:
    """The days she answered and was invited on (presence rows, by her customer id) go; the
    slices' distinct respondents and invitees she counted in stay, so suppression does not
    change."""
    presence = (
        "SELECT count(*) FROM survey_respondent_days WHERE customer_id = %s"
        " UNION ALL SELECT count(*) FROM survey_invitee_days WHERE customer_id = %s"
    )
    counts = (
        "SELECT sum(respondents) FROM survey_response_slices"
        " UNION ALL SELECT sum(invitees) FROM survey_invitation_slices"
    )
    with database.connect() as conn:
        before = rows(conn, presence, world.customer, world.customer)
        counted = rows(conn, counts)
    with erased(ledger, database, world) as conn:
        after = rows(conn, presence, world.customer, world.customer)
        still = rows(conn, counts)
    assert before == [(1,), (1,)] and after == [(0,), (0,)]
    assert still == counted and counted[0][0] > 0


def test_loyalty_reasons_go_and_points_stay(
    ledger: Ledger, database: Database, world: World
) -> None:
    query = "SELECT kind, points, reason FROM loyalty_transactions WHERE customer_id = %s"
    with database.connect() as conn:
        before = rows(conn, query + " ORDER BY seq", world.customer)
    with erased(ledger, database, world) as conn:
        after = rows(conn, query + " ORDER BY seq", world.customer)
    assert {reason for _, _, reason in before} >= {
        GIVEN["adjustment reason"],
        GIVEN["reversal reason"],
    }
    assert after == [(kind, points, None) for kind, points, _ in before]


def test_every_ticket_text_goes_and_the_steps_and_clocks_stay(
    ledger: Ledger, database: Database, world: World
) -> None:
    steps = "SELECT kind, at, sla, text IS NULL FROM ticket_timeline ORDER BY seq"
    with database.connect() as conn:
        before = rows(conn, steps)
    with erased(ledger, database, world) as conn:
        tickets = rows(
            conn, "SELECT subject, description, status, reopen_count FROM tickets ORDER BY status"
        )
        after = rows(conn, steps)
    # The ticket of every step, the one her complaint opened, and the one she opened as an
    # anonymous requester, by email (tests/integration/erasure_world).
    assert tickets == [(None, None, "closed", 1), (None, None, "new", 0), (None, None, "new", 0)]
    assert [step[:3] for step in after] == [step[:3] for step in before]
    assert all(is_null for *_, is_null in after)


def test_a_review_loses_its_words_and_name_and_keeps_its_rating_in_the_figures(
    ledger: Ledger, database: Database, world: World
) -> None:
    """Title, text and shown name go; the rating, the badge and the publication stay, so the
    product's figures count it as before."""
    query = (
        "SELECT rating, title, body, shown_name, verified_order_id IS NOT NULL, status"
        " FROM product_reviews WHERE sku = %s"
    )
    with database.connect() as conn:
        [before] = rows(conn, query, REVIEWED_SKU)
    with erased(ledger, database, world) as conn:
        after = rows(conn, query, REVIEWED_SKU)
    assert before == (
        REVIEW_RATING, GIVEN["review title"], GIVEN["edited review text"],
        GIVEN["review shown name"], True, "published",
    )  # fmt: skip
    assert after == [(REVIEW_RATING, None, None, None, True, "published")]


def test_a_tracked_order_loses_its_tracking_number_and_keeps_its_steps(
    ledger: Ledger, database: Database, world: World
) -> None:
    """The tracking number goes from the order and its shipment step; the steps, their times
    and the carrier stay."""
    steps = "SELECT step, at, carrier FROM tracked_order_steps WHERE order_id = %s ORDER BY seq"
    with database.connect() as conn:
        before = rows(conn, steps, TRACKED_ORDER)
        [(tracking,)] = rows(
            conn, "SELECT tracking_number FROM tracked_orders WHERE order_id = %s", TRACKED_ORDER
        )
    with erased(ledger, database, world) as conn:
        after = rows(conn, steps, TRACKED_ORDER)
        numbers = rows(
            conn,
            "SELECT tracking_number FROM tracked_orders WHERE order_id = %s UNION ALL"
            " SELECT tracking_number FROM tracked_order_steps WHERE order_id = %s",
            TRACKED_ORDER,
            TRACKED_ORDER,
        )
    assert tracking == GIVEN["tracking number"]
    assert after == before and [s for s, _, _ in after][-1] == "shipped"
    assert numbers == [(None,)] * 5


@pytest.mark.parametrize(
    "name",
    [
        "customer_directory",
        "product_reviews",
        "order_tracking",
        "notification_outbox",
        "survey_dashboard",
        "loyalty_statements",
        "ticket_timeline",
        "referral_funnel",
        "product_affinity",
    ],
)
def test_a_rebuild_after_the_erasure_reads_every_erased_value_as_none_and_purges_alike(
    ledger: Ledger, database: Database, world: World, name: str
) -> None:
    projection = projection_named(name)
    with erased(ledger, database, world) as conn:
        purged = {table: sorted(map(repr, rows(conn, f"SELECT * FROM {table}"))) for table in
                  projection.tables if table != "notification_outbox"}  # fmt: skip
    rebuilt(ledger, database, name)
    with database.connect() as conn:
        again = {table: sorted(map(repr, rows(conn, f"SELECT * FROM {table}"))) for table in
                 projection.tables if table != "notification_outbox"}  # fmt: skip
    assert again == purged


def test_a_rebuilt_survey_dashboard_has_the_erased_comment_without_text_or_terms_but_sentiment(
    ledger: Ledger, database: Database, world: World
) -> None:
    """The sentiment is recorded with the response, so a rebuild restores it without the text."""
    with erased(ledger, database, world) as conn:
        [(live_sentiment,)] = rows(conn, "SELECT sentiment FROM survey_comments")
    rebuilt(ledger, database, "survey_dashboard")
    with database.connect() as conn:
        comments = rows(conn, "SELECT comment, sentiment FROM survey_comments")
        terms = rows(conn, "SELECT term FROM survey_comment_terms")
        scores = rows(conn, "SELECT score, nps_category FROM survey_responses")
    assert live_sentiment is not None
    assert (comments, terms, scores) == ([(None, live_sentiment)], [], [(9, "promoter")])


def test_a_rebuilt_outbox_queues_nothing_for_the_erased_customer(
    ledger: Ledger, database: Database, world: World
) -> None:
    erased(ledger, database, world).close()
    rebuilt(ledger, database, "notification_outbox")
    with database.connect() as conn:
        held = rows(
            conn,
            "SELECT kind, cancelled_at IS NOT NULL FROM notification_outbox WHERE customer_id = %s",
            world.customer,
        )
        pending = [m for m in pending_notifications_sync(conn) if m.customer_id == world.customer]
    # Nothing to her is queued again (her address and tokens read as erased); her invitation
    # to a friend is the friend's message, queued again and cancelled again; the campaign's
    # batch named her (by id only: its messages are written when sent) before her erasure,
    # which withdraws that message again.
    assert pending == [] and all(cancelled for _, cancelled in held)
    assert {kind for kind, _ in held} == {"referral_invitation", "campaign_message"}


def test_the_erased_customer_leaves_every_segment_and_only_an_anonymous_stay_remains(
    ledger: Ledger, database: Database, world: World
) -> None:
    """Segment membership: the stay is closed by the erasure and loses the customer's id (it
    still counts in past sizes); the facts row, with language and birth year, is gone."""
    catch_up_all(ledger, database)
    with database.connect() as conn:
        before = rows(conn, "SELECT count(*) FROM segment_memberships WHERE customer_id = %s",
                      world.customer)  # fmt: skip
    assert before == [(1,)]

    with erased(ledger, database, world) as conn:
        stays = rows(conn, "SELECT customer_id, left_reason FROM segment_memberships")
        facts = rows(conn, "SELECT count(*) FROM segment_facts WHERE customer_id = %s",
                     world.customer)  # fmt: skip
        sized = rows(
            conn,
            "SELECT count(*) FROM segment_memberships WHERE entered_at <= %s AND left_at > %s",
            *[rows(conn, "SELECT entered_at FROM segment_memberships")[0][0]] * 2,
        )

    assert stays == [(None, "ErasureRequest.Completed")]
    assert facts == [(0,)]
    assert sized == [(1,)]


def test_the_erased_customers_testimonial_and_author_row_are_deleted(
    ledger: Ledger, database: Database, world: World
) -> None:
    """Her promoter comment was proposed (she consented); erasure deletes it and her first
    name and region with it."""
    catch_up_all(ledger, database)
    with database.connect() as conn:
        before = rows(conn, "SELECT count(*) FROM testimonials WHERE customer_id = %s",
                      world.customer)  # fmt: skip
    assert before == [(1,)]

    with erased(ledger, database, world) as conn:
        left = rows(conn, "SELECT count(*) FROM testimonials WHERE customer_id = %s",
                    world.customer)  # fmt: skip
        authors = rows(conn, "SELECT count(*) FROM testimonial_authors WHERE customer_id = %s",
                       world.customer)  # fmt: skip

    assert left == [(0,)] and authors == [(0,)]


def test_the_erased_customers_products_go_from_product_affinity_and_the_buyer_count_stays(
    ledger: Ledger, database: Database, world: World
) -> None:
    """Product affinity: her row of the kettle she bought is deleted; the kettle's count of
    buyers (an anonymous aggregate that recommendations rank by) still counts her."""
    catch_up_all(ledger, database)
    mine = "SELECT sku FROM affinity_purchases WHERE customer_id = %s"
    buyers = "SELECT customers FROM affinity_products WHERE sku = %s"
    with database.connect() as conn:
        assert rows(conn, mine, world.customer) == [(REVIEWED_SKU,)]
        before = rows(conn, buyers, REVIEWED_SKU)

    with erased(ledger, database, world) as conn:
        assert rows(conn, mine, world.customer) == []
        assert rows(conn, buyers, REVIEWED_SKU) == before == [(1,)]
