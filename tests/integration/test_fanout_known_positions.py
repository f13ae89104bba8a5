"""The log fan-out keeps where each follower stands in memory and checks it in each commit: a pass
reads no positions and no head of its own (the batch's read answers the head), and a position
moved by another process is found in the commit that would have moved it, so the batch is left
unapplied for that follower and read again from where the other process left it, never applied
twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from eventsourcing.utils import get_topic
from psycopg import Connection, Cursor

from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure import log_fanout
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.rebuild import rebuild
from projections.base import Positioned
from projections.history.projection import CustomerHistory
from projections.tracking import all_positions, claim_positions
from tests.support.fan_out import fan_out
from tests.support.renamed_customers import register_renamed


class CountedHistory(CustomerHistory):
    """The customer history, counting each position it applies."""

    def __init__(self) -> None:
        self.applied: Counter[int] = Counter()

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        super().apply(cursor, batch)
        self.applied.update(item.position for item in batch)


def positions(database: Database) -> dict[str, int]:
    with database.connect() as conn:
        return all_positions(conn)


def history_positions_after(ledger: Ledger, after: int) -> set[int]:
    topics = sorted(CustomerHistory.topics())
    return {r.id for r in ledger.recorder.select_notifications(after + 1, 100, topics=topics)}


def history_rows(database: Database) -> list[tuple[Any, ...]]:
    with database.connect() as conn:
        rows = conn.execute("SELECT * FROM customer_history").fetchall()
    return sorted(rows, key=repr)


@contextmanager
def caught_up_then_two_more(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> Iterator[tuple[CountedHistory, log_fanout.LogFanOut, Connection[Any], int]]:
    """A fan-out of the counted history caught up with two customers, then two more written:
    the history, the fan-out, its connection and the head it knows."""
    register_renamed(ledger, agent, 2)
    history = CountedHistory()
    with fan_out(database, [ProjectionRunner(ledger, database, history, 100)]) as (fanout, conn):
        while fanout.run_pass(conn):
            pass
        known = ledger.head_position()
        register_renamed(ledger, agent, 2, start=2)
        yield history, fanout, conn, known


def assert_each_applied_once_at_the_head(
    ledger: Ledger, database: Database, history: CountedHistory
) -> None:
    """Every position applied once, the follower at the head, its rows a rebuild's rows."""
    assert set(history.applied.values()) == {1}
    assert positions(database)[history.name] == ledger.head_position()
    live = history_rows(database)
    rebuild(ledger, database, CustomerHistory(), batch_size=1000)
    assert history_rows(database) == live  # every event once


def test_a_position_moved_by_another_worker_is_found_and_its_batch_not_applied_twice(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    with caught_up_then_two_more(ledger, database, agent) as (history, fanout, conn, known):
        # Another worker (a job's catch-up here) applies the new events and moves the position
        # past them while this fan-out still knows the old one.
        with database.connect() as other:
            moved_to = ProjectionRunner(ledger, database, CustomerHistory(), 100).catch_up(other)
        assert fanout.run_pass(conn)  # found moved: another pass, from the position read again
        assert not fanout.run_pass(conn)
        register_renamed(ledger, agent, 1, start=4)  # and it follows on from there
        while fanout.run_pass(conn):
            pass
        assert fanout.errors() == {}

    assert not set(history.applied) & set(range(known + 1, moved_to + 1))
    assert set(history.applied) >= history_positions_after(ledger, moved_to)
    assert_each_applied_once_at_the_head(ledger, database, history)


def test_a_rebuild_switched_in_meanwhile_is_followed_from_where_it_left_off(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    with caught_up_then_two_more(ledger, database, agent) as (history, fanout, conn, known):
        rebuilt_to = rebuild(ledger, database, CustomerHistory(), batch_size=1000)
        register_renamed(ledger, agent, 1, start=4)
        while fanout.run_pass(conn):
            pass
        assert fanout.errors() == {}

    assert not set(history.applied) & set(range(known + 1, rebuilt_to + 1))
    assert_each_applied_once_at_the_head(ledger, database, history)


def test_a_pass_reads_the_positions_once_and_no_head_of_its_own(
    ledger: Ledger, database: Database, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []

    def counted_read(conn: Any) -> dict[str, int]:
        read.append("positions")
        return all_positions(conn)

    monkeypatch.setattr(log_fanout, "all_positions", counted_read)

    def counted_head() -> int:
        read.append("head")
        return 0

    monkeypatch.setattr(ledger, "head_position", counted_head)
    history = ProjectionRunner(ledger, database, CustomerHistory(), 100)
    with fan_out(database, [history]) as (fanout, conn):
        for start in range(3):
            register_renamed(ledger, agent, 1, start=start)
            while fanout.run_pass(conn):
                pass
    assert read == ["positions"]
    assert positions(database)[history.name] == max(
        row.id for row in ledger.recorder.select_notifications(start=1, limit=100)
    )


def test_a_claim_moves_only_the_positions_that_stand_where_expected(
    database: Database, ledger: Ledger
) -> None:
    with database.connect() as conn:
        with conn.transaction():
            conn.execute("INSERT INTO cxl_projection_positions (name, position) VALUES ('a', 4)")
            conn.execute("INSERT INTO cxl_projection_positions (name, position) VALUES ('b', 6)")
        with conn.transaction():
            moved = claim_positions(conn, {"b": (6, 9), "a": (3, 9), "c": (0, 9)})
        assert moved == {"b"}
        assert {k: v for k, v in all_positions(conn).items() if k in "abc"} == {"a": 4, "b": 9}


def test_the_batch_and_the_head_read_together_are_the_reads_made_apart(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    recorder: Any = ledger.recorder
    with database.connect(autocommit=True) as conn:
        assert recorder.select_notifications_to_head(conn, 0, 10) == ([], 0)  # an empty log
        register_renamed(ledger, agent, 3)
        head = ledger.head_position()
        registered = [get_topic(Customer.Registered)]
        reads = [(0, 100, []), (1, 2, []), (0, 100, registered), (2, 1, registered), (head, 5, [])]
        for after, limit, topics in reads:
            expected = recorder.select_notifications(
                start=after + 1, limit=limit, stop=head, topics=topics
            )
            assert recorder.select_notifications_to_head(conn, after, limit, topics) == (
                list(expected),
                head,
            )
