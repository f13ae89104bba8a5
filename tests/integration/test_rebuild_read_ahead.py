"""A rebuild of many batches, each read and decoded by a reader thread while the batch before
it is applied: every event is applied once, in log order, decoded as the read model reads it,
and an event that cannot be applied is parked as it is without reading ahead."""

from __future__ import annotations

import gc
import sys
import threading
from typing import Any

import pytest
from psycopg import Cursor

from domain.customer.commands import RegisterCustomer
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure import projection_runner
from infrastructure import rebuild as rebuild_module
from infrastructure.database import Database
from infrastructure.parking import RetryPolicy
from infrastructure.rebuild import rebuild
from projections.base import Projection, handles
from projections.parked import parked_events
from projections.tracking import all_positions

NAME = "test_names_read_ahead"
QUICK = RetryPolicy(max_attempts=2, backoff_seconds=0.001)


class Names(Projection):
    """One row per registration applied (no key: an event applied twice shows twice), with
    the name as decoded; it cannot apply the registration of ``failing``."""

    name = NAME
    tables = (NAME,)
    ddl = f"CREATE TABLE IF NOT EXISTS {NAME} (position bigint NOT NULL, name text)"

    def __init__(self, failing: str = "") -> None:
        self.failing = failing
        self.switch_intervals: set[float] = set()
        """The interpreter's switch interval whenever an event was applied."""

    @handles(Customer.Registered)
    def registered(self, cursor: Cursor[Any], event: Customer.Registered, position: int) -> None:
        self.switch_intervals.add(sys.getswitchinterval())
        if event.name.value == self.failing:
            raise ValueError("cannot apply this registration")
        cursor.execute(
            f"INSERT INTO {NAME} (position, name) VALUES (%s, %s)", (position, event.name.value)
        )


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of two events: five registrations (ten events) take several read-aheads."""
    monkeypatch.setattr(rebuild_module, "REBUILD_BATCH_SIZE", 2)


def names_applied(database: Database) -> list[str]:
    with database.connect() as conn:
        return [r[0] for r in conn.execute(f"SELECT name FROM {NAME} ORDER BY position")]


def test_a_rebuild_of_many_batches_applies_each_event_once_in_log_order_decoded(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    names = ["Ada", "Bo", "Cy", "Di", "Ed"]
    for name in names:
        ledger.register_customer(RegisterCustomer(name, f"{name.lower()}@example.org"), agent)

    thresholds = gc.get_threshold()
    interval = sys.getswitchinterval()
    names_model = Names()
    reached = rebuild(ledger, database, names_model, batch_size=2, policy=QUICK)

    assert reached == ledger.head_position()
    assert names_applied(database) == names
    with database.connect() as conn:
        assert all_positions(conn)[NAME] == reached
    # The collector's settings for the build are put back: nothing stays frozen.
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0
    # The build hands the interpreter lock over sooner (the applying thread, back from the
    # database, waits less for the reader), then puts the interval back.
    assert names_model.switch_intervals == {rebuild_module.BUILD_SWITCH_INTERVAL}
    assert sys.getswitchinterval() == interval


def test_an_event_that_fails_in_a_batch_read_ahead_is_parked_and_the_rest_apply_once(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    for name in ["Ada", "Bo", "Cy", "Di"]:
        ledger.register_customer(RegisterCustomer(name, f"{name.lower()}@example.org"), agent)

    rebuild(ledger, database, Names(failing="Cy"), batch_size=2, policy=QUICK)

    assert names_applied(database) == ["Ada", "Bo", "Di"]
    with database.connect() as conn:
        assert [event.topic for event in parked_events(conn, NAME)] == [
            "domain.customer.model:Customer.Registered"
        ]


def test_a_rebuild_of_an_empty_log_makes_the_empty_tables_and_reads_nothing(
    ledger: Ledger, database: Database
) -> None:
    """The first batch is read while the shadow tables are made, unless the log is empty: then
    nothing is read, and the empty tables still replace the read model's at position 0."""
    assert ledger.head_position() == 0

    reached = rebuild(ledger, database, Names(), batch_size=2, policy=QUICK)

    assert reached == 0
    assert names_applied(database) == []
    with database.connect() as conn:
        assert all_positions(conn)[NAME] == 0


def test_each_batch_is_read_by_one_thread_in_order_and_decoded_by_another(
    ledger: Ledger, database: Database, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader thread reads the batches in log order (walking the positions' index) while
    the decoder thread decodes the one it read before; neither is the applying thread."""
    for name in ["Ada", "Bo", "Cy", "Di", "Ed"]:
        ledger.register_customer(RegisterCustomer(name, f"{name.lower()}@example.org"), agent)
    reads: list[tuple[str, int]] = []
    decodes: list[str] = []
    read_in_order = rebuild_module._in_position_order

    def read(recorder: Any, start: int, *rest: Any) -> Any:
        reads.append((threading.current_thread().name, start))
        return read_in_order(recorder, start, *rest)

    def decode(projection: Projection, batch: Any) -> None:
        decodes.append(threading.current_thread().name)
        projection_runner.decode_ahead(projection, batch)

    monkeypatch.setattr(rebuild_module, "_in_position_order", read)
    monkeypatch.setattr(rebuild_module, "decode_ahead", decode)

    rebuild(ledger, database, Names(), batch_size=2, policy=QUICK)

    assert names_applied(database) == ["Ada", "Bo", "Cy", "Di", "Ed"]
    assert len(reads) == len(decodes) > 2
    assert {thread for thread, _ in reads} == {reads[0][0]}
    assert [start for _, start in reads] == sorted({start for _, start in reads})
    assert set(decodes) == {decodes[0]}
    assert reads[0][0].startswith("rebuild-reader")
    assert decodes[0].startswith("rebuild-decoder")
