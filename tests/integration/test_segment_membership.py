"""The segment membership read model on a real log: facts follow events, stays open and close
with the event that moved them, a rule change recomputes the segment, and RFM quintiles are
those of the base."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.customer.commands import ChangeDemographics, RegisterCustomer
from domain.customer.profile import ConsentPurpose
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.segment.commands import ArchiveSegment, ChangeSegmentRule, DefineSegment
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from projections.base import Positioned
from projections.segments.projection import SegmentMembership
from projections.segments.queries import rfm_views
from tests.property.test_segment_membership_property import write_log
from tests.support.read_models import project, query

ANALYST = EventMetadata(actor_id="analyst-1", actor_role=Role.ANALYST, channel=Channel.WEB)
OFFICER = EventMetadata(actor_id="dpo-1", actor_role=Role.PRIVACY_OFFICER, channel=Channel.WEB)
NORDICS = {"field": "region", "values": ["NORDICS"]}


def register(ledger: Ledger, agent: EventMetadata, name: str, region: str) -> UUID:
    email = f"{name.lower()}@example.org"
    command = RegisterCustomer(name, email, region=region)
    return ledger.register_customer(command, agent).aggregate_id


def define(ledger: Ledger, rule: dict[str, Any]) -> UUID:
    return ledger.handle(DefineSegment("Nordics", "", rule), ANALYST).aggregate_id


def stays(database: Database, segment_id: UUID) -> list[tuple[Any, ...]]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT customer_id, entered_reason, left_reason FROM segment_memberships"
            " WHERE segment_id = %s ORDER BY membership_id",
            (segment_id,),
        ).fetchall()


def test_a_customer_enters_and_leaves_as_their_region_changes(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Entering and leaving are dated and explained by the events that caused them."""
    segment = define(ledger, NORDICS)
    ada = register(ledger, agent, "Ada", "NORDICS")
    ledger.change_demographics(ChangeDemographics(ada, region="UK"), agent)

    project(ledger, database, SegmentMembership(), batch_size=2)

    assert stays(database, segment) == [(ada, "Customer.Registered", "Customer.RegionChanged")]


def test_a_rule_change_recomputes_the_segment_over_every_customer(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Customers already there enter when a new rule takes them in, in one recomputation."""
    ada = register(ledger, agent, "Ada", "NORDICS")
    bo = register(ledger, agent, "Bo", "UK")
    segment = define(ledger, NORDICS)
    ledger.handle(
        ChangeSegmentRule(segment, {"any": [NORDICS, {"field": "region", "values": ["UK"]}]}),
        ANALYST,
    )
    ledger.handle(ArchiveSegment(segment), ANALYST)

    project(ledger, database, SegmentMembership())

    assert stays(database, segment) == [
        (ada, "Segment.Defined", "Segment.Archived"),
        (bo, "Segment.RuleChanged", "Segment.Archived"),
    ]


def test_consents_and_purchase_channels_are_facts(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """A consent rule and a channel rule follow giveConsent and recordPurchase."""
    ada = register(ledger, agent, "Ada", "UK")
    segment = define(
        ledger,
        {"all": [{"field": "consent", "values": ["marketing"]},
                 {"field": "channel_used", "values": ["app"]}]},
    )  # fmt: skip
    ledger.give_consent(ada, ConsentPurpose.MARKETING, agent)
    order = RecordPurchase(ada, "o-1", "12.00", "EUR", PurchaseChannel.APP, datetime.now(UTC))
    ledger.record_purchase(order, agent)

    project(ledger, database, SegmentMembership())

    assert stays(database, segment) == [(ada, "Purchase.Recorded", None)]


def test_an_erased_customer_leaves_every_segment_and_their_stays_forget_them(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Erasure closes the stays, removes the id from them and deletes the facts."""
    segment = define(ledger, NORDICS)
    ada = register(ledger, agent, "Ada", "NORDICS")
    ledger.request_erasure(ada, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(ada, OFFICER)

    project(ledger, database, SegmentMembership())

    assert stays(database, segment) == [(None, "Customer.Registered", "ErasureRequest.Completed")]
    with database.connect() as conn:
        assert conn.execute("SELECT count(*) FROM segment_facts").fetchone() == (0,)


def test_rfm_quintiles_rank_the_buyers_once_a_new_day_begins(database: Database) -> None:
    """Five buyers, each buying once more than the last: the first event of the next day
    ranks them 1 to 5 in frequency and money; Customer 360's read gives those scores."""
    life: list[tuple[Any, int]] = [
        (("purchase", who, "web", 1000, 0, "EUR"), 5) for who in range(5) for _ in range(who + 1)
    ]
    life.append((("region", 6, "UK"), 24 * 60))  # the next day
    world = write_log({"field": "monetary", "min": 5}, life)
    with database.connect() as conn, conn.cursor() as cursor:
        cursor.execute(SegmentMembership.ddl)
        positioned = [Positioned(i + 1, e) for i, e in enumerate(world.events)]
        SegmentMembership().apply(cursor, positioned)
        conn.commit()

    scores = query(database, lambda conn: rfm_views(conn, world.ids))

    assert [scores[world.ids[i]].frequency for i in range(5)] == [1, 2, 3, 4, 5]
    assert [scores[world.ids[i]].monetary for i in range(5)] == [1, 2, 3, 4, 5]
    assert world.ids[5] not in scores  # never bought
    with database.connect() as conn:
        members = conn.execute(
            "SELECT customer_id, entered_reason FROM segment_memberships WHERE left_at IS NULL"
        ).fetchall()
    assert members == [(world.ids[4], "RfmRecomputed")]


def test_money_spent_in_different_currencies_is_ranked_apart(database: Database) -> None:
    """Three euro buyers and three yen buyers, spending more each: the yen amounts (no minor
    unit) are far bigger numbers, yet each buyer's monetary quintile comes from their rank among
    the buyers of their own main currency. The sixth customer's main currency is the one of most
    of their purchases (two small euro ones against one big yen one)."""
    spends = [("EUR", 1000), ("EUR", 2000), ("EUR", 3000), ("JPY", 500), ("JPY", 90_000)]
    life: list[tuple[Any, int]] = [
        (("purchase", who, "web", amount, 0, currency), 5)
        for who, (currency, amount) in enumerate(spends)
    ]
    life += [
        (("purchase", 5, "web", 10, 0, "EUR"), 5),
        (("purchase", 5, "web", 10, 0, "EUR"), 5),
        (("purchase", 5, "web", 5_000_000, 0, "JPY"), 5),
        (("region", 6, "UK"), 24 * 60),  # the next day ranks them
    ]
    world = write_log({"field": "monetary", "min": 5}, life)
    with database.connect() as conn, conn.cursor() as cursor:
        cursor.execute(SegmentMembership.ddl)
        positioned = [Positioned(i + 1, e) for i, e in enumerate(world.events)]
        SegmentMembership().apply(cursor, positioned)
        conn.commit()

    scores = query(database, lambda conn: rfm_views(conn, world.ids))

    # Euro buyers, by euros spent: customer 5 (20 cents), then 0, 1, 2; yen buyers: 3, then 4.
    # ntile(5) over four gives 1..4, over two gives 1..2.
    assert [scores[world.ids[i]].monetary for i in (5, 0, 1, 2)] == [1, 2, 3, 4]
    assert [scores[world.ids[i]].monetary for i in (3, 4)] == [1, 2]
