"""The customer history index, driven by real commands: one row per event about a customer
across every aggregate of theirs (later events of a stream included, a referral in both
customers' histories), none for aggregates about no one; pages in log order; the streams about
a customer and their versions at an instant; identical rebuilds and idempotent re-application."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.ledger import Ledger
from domain.referral.model import Referrer
from infrastructure.database import Database
from projections.history.projection import CustomerHistory
from projections.history.queries import history_page, page_statement, stream_versions_at, streams_of
from tests.integration.history_world import AGENT, World, populate
from tests.support import read_models
from tests.support.read_models import query

ADA_TYPES = [
    "Customer.Registered",
    "Customer.PasswordSet",
    "Purchase.Recorded",
    "Purchase.Refunded",
    "Invitation.Issued",
    "Invitation.Responded",
    "LoyaltyAccount.Enrolled",
    "LoyaltyAccount.PointsAdjusted",
    "Ticket.Opened",
    "Ticket.Assigned",
    "Ticket.Resolved",
    "Customer.NameChanged",
    "Referrer.CodeIssued",
    "Referrer.FriendInvited",
]


def project(ledger: Ledger, database: Database, batch_size: int = 4) -> None:
    read_models.project(ledger, database, CustomerHistory(), batch_size)


@pytest.fixture
def world(ledger: Ledger, database: Database) -> World:
    w = populate(ledger)
    project(ledger, database)
    return w


def positions_of_streams(ledger: Ledger, streams: set[UUID]) -> list[int]:
    """The oracle: every position in the log whose event is in one of ``streams``."""
    rows = ledger.recorder.select_notifications(start=1, limit=10_000)
    return [row.id for row in rows if UUID(str(row.originator_id)) in streams]


def history_of(database: Database, customer_id: UUID) -> list[Any]:
    return query(database, lambda conn: history_page(conn, customer_id, None, None, 500)).items


def test_every_event_of_every_stream_about_the_customer_is_indexed_once_in_log_order(
    ledger: Ledger, database: Database, world: World
) -> None:
    entries = history_of(database, world.ada)

    assert [e.position for e in entries] == positions_of_streams(
        ledger, set(world.ada_streams.values())
    )
    types = [e.event_type for e in entries]
    assert types[: len(ADA_TYPES)] == ADA_TYPES
    assert sorted(types[len(ADA_TYPES) :]) == ["Referral.Converted", "Referrer.FriendConverted"]


def test_a_referral_is_in_both_customers_histories_and_the_friend_gets_only_her_conversion(
    ledger: Ledger, database: Database, world: World
) -> None:
    bo = history_of(database, world.bo)

    assert [e.event_type for e in bo] == [
        "Customer.Registered",
        *sorted(["Referral.Converted", "Referrer.FriendConverted"], key=_position_in(bo)),
    ]
    converted = [e for e in bo if e.event_type == "Referrer.FriendConverted"]
    assert converted[0].stream_id == Referrer.id_for(world.ada)
    ada_positions = {e.position for e in history_of(database, world.ada)}
    assert {e.position for e in bo[1:]} <= ada_positions


def _position_in(entries: list[Any]) -> Any:
    order = {e.event_type: e.position for e in entries}
    return lambda event_type: order[event_type]


def test_each_entry_carries_the_events_stream_time_and_metadata(
    ledger: Ledger, database: Database, world: World
) -> None:
    resolved = next(e for e in history_of(database, world.ada) if e.event_type == "Ticket.Resolved")
    stored: Any = list(ledger.repository.event_store.get(world.ticket))[-1]

    assert (resolved.stream_id, resolved.stream_version) == (
        world.ticket,
        stored.originator_version,
    )
    assert resolved.topic == "domain.ticket.model:Ticket.Resolved"
    assert resolved.occurred_at == stored.timestamp
    assert (resolved.actor_id, resolved.actor_role, resolved.channel) == (
        "agent-7",
        "agent",
        "phone",
    )
    assert resolved.correlation_id == stored.metadata.correlation_id
    assert resolved.causation_id == stored.metadata.causation_id


def test_aggregates_about_no_one_are_indexed_nowhere(database: Database, world: World) -> None:
    with database.connect() as conn:
        kinds = conn.execute(
            "SELECT DISTINCT split_part(event_type, '.', 1) FROM customer_history"
        ).fetchall()
        streams = conn.execute(
            "SELECT count(*) FROM customer_history WHERE stream_id = %s", (world.survey,)
        ).fetchone()

    assert {k for (k,) in kinds} == set(world.ada_streams)
    assert streams == (0,)


def test_the_streams_about_a_customer_are_listed_in_the_order_they_began(
    database: Database, world: World
) -> None:
    ada = query(database, lambda conn: streams_of(conn, world.ada))
    bo = query(database, lambda conn: streams_of(conn, world.bo))

    assert [(s.kind, s.stream_id) for s in ada] == list(world.ada_streams.items())
    assert [s.kind for s in bo] == ["Customer", "Referral"]


def test_pages_follow_the_log_from_the_cursor_and_filter_by_time(
    database: Database, world: World
) -> None:
    everything = history_of(database, world.ada)
    first = query(database, lambda conn: history_page(conn, world.ada, None, None, 5))
    second = query(
        database,
        lambda conn: history_page(conn, world.ada, None, None, 5, first.items[-1].position),
    )
    since, until = everything[2].occurred_at, everything[4].occurred_at
    window = query(database, lambda conn: history_page(conn, world.ada, since, until, 50))

    assert first.items + second.items == everything[:10] and first.has_next_page
    assert window.items == everything[2:4] and not window.has_next_page


def test_stream_versions_at_an_instant_leave_out_later_events_and_later_streams(
    ledger: Ledger, database: Database, world: World
) -> None:
    entries = history_of(database, world.ada)
    assigned = next(e for e in entries if e.event_type == "Ticket.Assigned")

    versions = query(
        database, lambda conn: stream_versions_at(conn, world.ada, assigned.occurred_at)
    )

    assert [(v.kind, v.version) for v in versions] == [
        ("Customer", 2), ("Purchase", 2), ("Invitation", 2), ("LoyaltyAccount", 2), ("Ticket", 2),
    ]  # fmt: skip
    before = datetime(2000, 1, 1, tzinfo=UTC)
    assert query(database, lambda conn: stream_versions_at(conn, world.ada, before)) == []


def test_later_events_of_a_known_stream_are_indexed_in_a_later_batch(
    ledger: Ledger, database: Database, world: World
) -> None:
    ledger.close_ticket(world.ticket, AGENT)
    project(ledger, database)

    assert history_of(database, world.ada)[-1].event_type == "Ticket.Closed"


def test_a_history_page_reads_the_primary_key_index(ledger: Ledger, database: Database) -> None:
    with database.connect() as conn:
        conn.execute(
            """
            INSERT INTO customer_history
            SELECT ('00000000-0000-0000-0000-' || lpad((i % 2000)::text, 12, '0'))::uuid, i,
                gen_random_uuid(), 1, 't', 'Customer.Registered', now(), 'a', 'agent', 'web',
                gen_random_uuid(), gen_random_uuid()
            FROM generate_series(1, 40000) AS i
            """
        )
        conn.execute("ANALYZE customer_history")
        customer = UUID("00000000-0000-0000-0000-000000000007")
        statement, params = page_statement(customer, None, datetime.now(UTC), 21, 0)
        plan = conn.execute("EXPLAIN " + statement, params, prepare=False).fetchall()

    text = "\n".join(str(line[0]) for line in plan)
    assert "customer_history_pkey" in text, text
