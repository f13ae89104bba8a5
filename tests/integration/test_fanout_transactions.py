"""How a pass of the log fan-out commits: the read models a batch concerns (and the followers it
only moves past) in ONE transaction, the process managers in a second; a follower that fails
there is fed again alone, where it parks or rests without undoing or holding back the others,
and a pass that reached the head asks for no second one."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.utils import get_topic

from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.loyalty.policies import LoyaltyEarning
from domain.shared.metadata import EventMetadata
from infrastructure import log_fanout
from infrastructure.database import Database
from infrastructure.log_fanout import LogFanOut
from infrastructure.parking import RetryPolicy
from infrastructure.process_manager_runner import ProcessManagerRunner
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.rebuild import rebuild
from projections.audit.projection import AuditChain
from projections.customers.projection import CustomerDirectory
from projections.history.projection import CustomerHistory
from projections.parked import parked_events
from projections.tracking import all_positions, lock_positions, set_positions
from tests.integration.loyalty_steps import bought, customer, earned_for, one_point_per_euro
from tests.support.fan_out import fan_out
from tests.support.ledgers import TEST_AUDIT_KEYS
from tests.support.parking import DirectoryWithABug
from tests.support.renamed_customers import register_renamed

QUICK = RetryPolicy(max_attempts=2, backoff_seconds=0.001)


def table_rows(database: Database, table: str) -> list[tuple[Any, ...]]:
    with database.connect() as conn:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def run_passes(fanout: LogFanOut, conn: Any) -> None:
    while fanout.run_pass(conn):
        pass


def writers(database: Database) -> dict[str, int]:
    """Each follower's position row and the transaction that last wrote it (its xmin)."""
    with database.connect() as conn:
        rows = conn.execute("SELECT name, xmin::text FROM cxl_projection_positions").fetchall()
    return {str(name): int(xmin) for name, xmin in rows}


def first_registration(ledger: Ledger) -> int:
    rows = ledger.recorder.select_notifications(
        start=1, limit=1, topics=[get_topic(Customer.Registered)]
    )
    return rows[0].id


def test_the_read_models_commit_a_batch_in_one_transaction_and_the_process_managers_in_another(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    one_point_per_euro(ledger)
    ada = customer(ledger, "ada@example.org")
    directory = ProjectionRunner(ledger, database, CustomerDirectory(), 100)
    history = ProjectionRunner(ledger, database, CustomerHistory(), 100)
    audit = ProjectionRunner(ledger, database, AuditChain(TEST_AUDIT_KEYS.chain), 100)
    earning = ProcessManagerRunner(ledger, database, LoyaltyEarning(), 100)
    with fan_out(database, [directory, history, audit, earning]) as (fanout, conn):
        run_passes(fanout, conn)
        order = bought(ledger, ada, "10")  # the directory has nothing to apply in it
        head = ledger.head_position()
        assert not fanout.run_pass(conn)  # one pass: its batch reached the head

    positions = _positions(database)
    assert {positions[f.name] for f in (directory, history, audit, earning)} == {head}
    written = writers(database)
    assert written[directory.name] == written[history.name] == written[audit.name]
    assert written[earning.name] != written[history.name]
    assert len(earned_for(ledger, ada, order)) == 1
    assert fanout.errors() == {}


def _positions(database: Database) -> dict[str, int]:
    with database.connect() as conn:
        return all_positions(conn)


def test_a_read_model_that_fails_in_the_shared_transaction_parks_alone_and_undoes_no_other(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    register_renamed(ledger, agent, 4)
    bad = first_registration(ledger)
    history = ProjectionRunner(ledger, database, CustomerHistory(), 100)  # applied first
    buggy = ProjectionRunner(ledger, database, DirectoryWithABug(bad), 100, QUICK)
    with fan_out(database, [history, buggy]) as (fanout, conn):
        assert not fanout.run_pass(conn)  # one pass: the batch reached the head
        head = ledger.head_position()

    positions = _positions(database)
    assert positions[history.name] == positions[buggy.name] == head
    with database.connect() as check:
        [parked] = parked_events(check, CustomerDirectory.name)
        names = [row[0] for row in check.execute("SELECT name FROM customer_directory")]
    assert parked.position == bad
    assert sorted(names) == ["Cus 1", "Cus 2", "Cus 3"]  # every registration but the bad one
    live = table_rows(database, "customer_history")  # applied once, though tried together first
    rebuild(ledger, database, CustomerHistory(), batch_size=1000)
    assert table_rows(database, "customer_history") == live
    assert fanout.errors() == {}
    assert written_apart(database, history.name, buggy.name)


def written_apart(database: Database, *names: str) -> bool:
    written = writers(database)
    return len({written[name] for name in names}) == len(names)


def test_a_read_model_that_may_not_park_stops_alone_and_is_fed_alone_until_it_applies(
    ledger: Ledger, database: Database, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(log_fanout.BACK_OFF, False, 0.0)  # no rest after a failure
    register_renamed(ledger, agent, 3)
    bad = first_registration(ledger)

    class StrictDirectory(DirectoryWithABug):
        parks_failures = False

    strict = StrictDirectory(bad)
    buggy = ProjectionRunner(ledger, database, strict, 100, QUICK)
    history = ProjectionRunner(ledger, database, CustomerHistory(), 100)
    with fan_out(database, [buggy, history]) as (fanout, conn):
        run_passes(fanout, conn)
        head = ledger.head_position()
        assert _positions(database).get(buggy.name, 0) < bad <= head
        assert _positions(database)[history.name] == head
        assert CustomerDirectory.name in fanout.errors()

        strict.position = -1  # fixed: it is fed alone once, then with the others
        register_renamed(ledger, agent, 1, start=3)
        run_passes(fanout, conn)
        alone = writers(database)
        register_renamed(ledger, agent, 1, start=4)
        run_passes(fanout, conn)
        together = writers(database)

    head = ledger.head_position()
    assert _positions(database)[buggy.name] == _positions(database)[history.name] == head
    assert alone[buggy.name] != alone[history.name]
    assert together[buggy.name] == together[history.name]
    assert fanout.errors() == {}


def test_a_pass_asks_for_another_only_while_a_batch_stopped_short_of_the_head(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    register_renamed(ledger, agent, 3)  # six events
    small = ProjectionRunner(ledger, database, CustomerHistory(), 4)
    with fan_out(database, [small]) as (fanout, conn):
        assert fanout.run_pass(conn)  # four of six: more is waiting
        assert not fanout.run_pass(conn)  # the rest, up to the head
        assert not fanout.run_pass(conn)  # nothing


def test_positions_are_locked_and_recorded_for_several_followers_at_once(
    database: Database, ledger: Ledger
) -> None:
    with database.connect() as conn:
        with conn.transaction():
            assert lock_positions(conn, ["b", "a"]) == {"a": 0, "b": 0}  # made where missing
            set_positions(conn, {"a": 7, "b": 9})
        with conn.transaction():
            assert lock_positions(conn, ["a", "b", "c"]) == {"a": 7, "b": 9, "c": 0}
