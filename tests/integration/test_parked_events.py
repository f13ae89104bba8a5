"""One event a read model cannot apply no longer stops it for everyone: after bounded tries the
event is parked (position, topic, redacted error, attempts, times) in the transaction that
moves the position past it, the events before and after it are applied exactly once, a restart
neither parks nor applies anything again, and a replay applies it once the cause is fixed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
import pytest
from eventsourcing.utils import get_topic
from psycopg import Cursor

from domain.customer.commands import RegisterCustomer
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from infrastructure.parking import EventNotAppliedError, RetryPolicy
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.rebuild import rebuild
from infrastructure.retry_parked import retry_parked
from projections.audit.projection import AuditChain
from projections.audit.verify import verify_audit_trail
from projections.base import Positioned, Projection, handles
from projections.parked import ParkedEvent, parked_events, rebuild_name
from projections.segments.projection import SegmentMembership
from projections.tracking import all_positions
from tests.support.ledgers import TEST_AUDIT_KEYS
from tests.support.read_models import query

QUICK = RetryPolicy(max_attempts=3, backoff_seconds=0.001)
NAME = "test_registrations"


class Registrations(Projection):
    """A read model of its own for these tests: one row per registration applied, with no key,
    so an event applied twice shows as two rows. It cannot apply the registrations at
    ``failing`` (it writes the row, then raises), and counts every try of those."""

    name = NAME
    tables = (NAME,)
    ddl = f"CREATE TABLE IF NOT EXISTS {NAME} (position bigint NOT NULL)"

    def __init__(self, failing: set[int] | None = None, error: Exception | None = None) -> None:
        self.failing_here = frozenset(failing or ())
        self.error = error or ValueError("cannot apply this registration")
        self.tries_of_failing = 0

    @handles(Customer.Registered)
    def registered(self, cursor: Cursor[Any], event: Customer.Registered, position: int) -> None:
        cursor.execute(f"INSERT INTO {NAME} (position) VALUES (%s)", (position,))
        if position in self.failing_here:
            self.tries_of_failing += 1
            raise self.error


def register(ledger: Ledger, agent: EventMetadata, *names: str) -> list[int]:
    """Register customers; the log positions of their ``Customer.Registered`` events."""
    for name in names:
        ledger.register_customer(RegisterCustomer(name, f"{name.lower()}@example.org"), agent)
    rows = ledger.recorder.select_notifications(
        start=1, limit=10_000, topics=[get_topic(Customer.Registered)]
    )
    return [row.id for row in rows][-len(names) :]


def applied(database: Database) -> list[int]:
    with database.connect() as conn:
        return [r[0] for r in conn.execute(f"SELECT position FROM {NAME} ORDER BY position")]


def parked(database: Database, name: str = NAME) -> list[ParkedEvent]:
    with database.connect() as conn:
        return parked_events(conn, name)


def position(database: Database, name: str = NAME) -> int:
    with database.connect() as conn:
        return all_positions(conn).get(name, 0)


def catch_up(ledger: Ledger, database: Database, projection: Projection, batch: int = 10) -> None:
    with database.connect() as conn:
        ProjectionRunner(ledger, database, projection, batch, QUICK).catch_up(conn)


@pytest.fixture(autouse=True)
def registrations_table(database: Database, ledger: Ledger) -> None:
    with database.connect() as conn:
        conn.execute(Registrations.ddl)


def test_an_event_that_fails_every_try_is_parked_and_the_events_around_it_apply_once(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    positions = register(ledger, agent, "Ada", "Bo", "Cy", "Di", "Ed")
    bad = positions[2]
    projection = Registrations({bad})

    catch_up(ledger, database, projection)

    assert applied(database) == [p for p in positions if p != bad]  # its own row rolled back
    assert position(database) == ledger.head_position()
    [event] = parked(database)
    assert (event.name, event.position, event.topic) == (NAME, bad, get_topic(Customer.Registered))
    assert (event.error_class, event.error_message) == (
        "ValueError",
        "cannot apply this registration",
    )
    assert event.attempts == QUICK.max_attempts
    assert event.first_failed_at <= event.last_failed_at
    assert projection.tries_of_failing == 1 + QUICK.max_attempts  # in its batch, then alone


def test_a_restarted_runner_neither_parks_again_nor_applies_again_and_goes_on(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    positions = register(ledger, agent, "Ada", "Bo", "Cy")
    catch_up(ledger, database, Registrations({positions[1]}))
    before = parked(database)

    restarted = Registrations({positions[1]})
    catch_up(ledger, database, restarted)
    later = register(ledger, agent, "Di", "Ed")
    catch_up(ledger, database, restarted)

    assert restarted.tries_of_failing == 0
    assert parked(database) == before
    assert applied(database) == [positions[0], positions[2], *later]


def test_retry_parked_applies_the_event_once_its_cause_is_fixed_and_clears_it(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    positions = register(ledger, agent, "Ada", "Bo", "Cy")
    catch_up(ledger, database, Registrations({positions[1]}))

    fixed = ProjectionRunner(ledger, database, Registrations(), 10, QUICK)
    summary = retry_parked(fixed)
    again = retry_parked(fixed)

    assert (summary.applied, summary.still_parked, summary.all_applied) == (
        [positions[1]],
        [],
        True,
    )
    assert (again.applied, again.still_parked) == ([], [])
    assert parked(database) == []
    assert applied(database) == positions


def test_a_replay_that_fails_again_keeps_the_event_parked_with_one_more_attempt(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    positions = register(ledger, agent, "Ada", "Bo")
    catch_up(ledger, database, Registrations({positions[0]}))
    [first] = parked(database)

    still = Registrations({positions[0]}, KeyError("still broken"))
    summary = retry_parked(ProjectionRunner(ledger, database, still, 10, QUICK))

    assert summary.applied == [] and not summary.all_applied
    assert summary.still_parked == [{"position": positions[0], "error": "KeyError: <value>"}]
    [event] = parked(database)
    assert event.attempts == first.attempts + 1
    assert (event.error_class, event.first_failed_at) == ("KeyError", first.first_failed_at)
    assert applied(database) == [positions[1]]


def test_a_lost_connection_is_not_parked_and_keeps_neither_the_batch_nor_its_position(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    positions = register(ledger, agent, "Ada", "Bo", "Cy")
    lost = Registrations({positions[1]}, psycopg.OperationalError("server closed the connection"))
    with database.connect() as conn, pytest.raises(psycopg.OperationalError):
        ProjectionRunner(ledger, database, lost, 10, QUICK).run_batch(conn)
    assert (applied(database), parked(database), position(database)) == ([], [], 0)


def test_the_stored_error_never_repeats_values_from_the_event(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    [bad] = register(ledger, agent, "Ada")
    chatty = ValueError("no room for 'Ada' ada@example.org (3000000000 points, 42 tries)")

    catch_up(ledger, database, Registrations({bad}, chatty))

    [event] = parked(database)
    assert event.error_message == "no room for <value> <email> (<number> points, 42 tries)"


def test_a_database_error_is_stored_without_the_detail_that_quotes_the_row(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    [bad] = register(ledger, agent, "Ada")
    with database.connect() as conn:
        conn.execute(f"CREATE UNIQUE INDEX {NAME}_once ON {NAME} (position)")
        conn.execute(f"INSERT INTO {NAME} (position) VALUES (%s)", (bad,))

    catch_up(ledger, database, Registrations())

    [event] = parked(database)
    assert event.error_class == "UniqueViolation"
    assert event.error_message == (f'duplicate key value violates unique constraint "{NAME}_once"')


def test_a_rebuild_parks_instead_of_failing_and_its_parked_events_replace_the_old_ones(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    positions = register(ledger, agent, "Ada", "Bo", "Cy", "Di")
    catch_up(ledger, database, Registrations({positions[0]}))

    reached = rebuild(ledger, database, Registrations({positions[2]}), batch_size=3, policy=QUICK)

    assert reached == ledger.head_position() == position(database)
    assert [e.position for e in parked(database)] == [positions[2]]
    assert parked(database, rebuild_name(NAME)) == []
    assert applied(database) == [positions[0], positions[1], positions[3]]


class BrokenChain(AuditChain):
    """The audit chain, unable to chain one position."""

    def __init__(self, failing: int) -> None:
        super().__init__(TEST_AUDIT_KEYS.chain)
        self.failing = failing

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        if any(item.position == self.failing for item in batch):
            raise ValueError("cannot chain this row")
        super().apply(cursor, batch)


def test_the_audit_chain_never_parks_it_stops_at_the_event_and_resumes_from_it_once_fixed(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    positions = register(ledger, agent, "Ada", "Bo", "Cy")
    with database.connect() as conn, pytest.raises(EventNotAppliedError):
        ProjectionRunner(ledger, database, BrokenChain(positions[1]), 100, QUICK).catch_up(conn)
    assert position(database, AuditChain.name) == 0
    assert parked(database, AuditChain.name) == []

    catch_up(ledger, database, AuditChain(TEST_AUDIT_KEYS.chain), batch=100)

    report = query(database, lambda conn: verify_audit_trail(conn, TEST_AUDIT_KEYS.chain))
    assert report.intact and report.chained_up_to == ledger.head_position()


class BrokenMembership(SegmentMembership):
    """Segment membership that cannot apply the event at ``failing``."""

    def __init__(self, failing: int) -> None:
        super().__init__()
        self.failing = failing

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        if any(item.position == self.failing for item in batch):
            raise ValueError("cannot apply this row")
        super().apply(cursor, batch)


def test_segment_membership_never_parks_it_stops_at_the_event_and_resumes_from_it(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Its history is dated in log order: an event skipped now and applied later would be
    lost (it is behind the position the read model keeps), so it stops instead."""
    positions = register(ledger, agent, "Ada", "Bo", "Cy")
    with database.connect() as conn, pytest.raises(EventNotAppliedError):
        ProjectionRunner(ledger, database, BrokenMembership(positions[1]), 100, QUICK).catch_up(
            conn
        )
    assert position(database, SegmentMembership.name) < positions[1]
    assert parked(database, SegmentMembership.name) == []

    catch_up(ledger, database, SegmentMembership(), batch=100)

    with database.connect() as conn:
        facts = conn.execute("SELECT count(*) FROM segment_facts").fetchone()
    assert facts == (3,)
