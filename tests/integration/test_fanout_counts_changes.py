"""The log fan-out counts the changes of the read models it applies
(projections.applied.rows_generation, which projections.row_cache keeps reads under): a pass
counts the read models it applies rows to, not those it only moves past nor its process
managers; a pass whose connection is lost leaves its read models changing until the positions
are read on the next connection; a lease lost with the listener's session is let go of at
once, and one taken on a new session counts as a change."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import psycopg
import pytest
from psycopg import Cursor

from domain.ledger import Ledger
from domain.loyalty.policies import LoyaltyEarning
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from infrastructure.listener import APPLICATION_NAME
from infrastructure.process_manager_runner import ProcessManagerRunner
from infrastructure.projection_runner import ProjectionRunner
from projections.base import Positioned
from projections.customers.projection import CustomerDirectory
from projections.tickets.projection import TicketTimeline
from tests.integration.loyalty_steps import bought, customer, earned_for, one_point_per_euro
from tests.support.fan_out import fan_out
from tests.support.renamed_customers import register_renamed

DIRECTORY = CustomerDirectory.name


def counts(fanout: Any, *names: str) -> list[int | None]:
    return [fanout.applied.rows_generation(name) for name in names]


def run_passes(fanout: Any, conn: Any) -> None:
    while fanout.run_pass(conn):
        pass


def test_a_pass_counts_only_the_read_models_it_applies_rows_to(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """A purchase: the directory (its purchase count) and the loyalty earning (its commands)
    have work, the ticket timeline none. Only the directory's count moves: the timeline is
    only moved past, and a process manager's commands go to the log, not to a read model."""
    one_point_per_euro(ledger)
    ada = customer(ledger, "ada@example.org")
    directory = ProjectionRunner(ledger, database, CustomerDirectory(), 100)
    timeline = ProjectionRunner(ledger, database, TicketTimeline(), 100)
    earning = ProcessManagerRunner(ledger, database, LoyaltyEarning(), 100)
    names = (DIRECTORY, TicketTimeline.name, earning.name)
    with fan_out(database, [directory, timeline, earning]) as (fanout, conn):
        run_passes(fanout, conn)
        before = counts(fanout, *names)
        assert None not in before
        order = bought(ledger, ada, "10")
        run_passes(fanout, conn)
        after = counts(fanout, *names)
    assert after[0] is not None and before[0] is not None and after[0] > before[0]
    assert after[1:] == before[1:]
    assert len(earned_for(ledger, ada, order)) == 1  # the earning did run


class DirectoryLosingItsSession(CustomerDirectory):
    """The customer directory whose session ends while it applies its first batch: the
    pass's transaction dies with its connection, its outcome unknown to the fan-out."""

    lost = False

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        super().apply(cursor, batch)
        if not self.lost:
            self.lost = True
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


def test_a_pass_whose_connection_is_lost_leaves_its_read_models_changing_until_read_again(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    losing = ProjectionRunner(ledger, database, DirectoryLosingItsSession(), 100)
    register_renamed(ledger, agent, 2)
    with fan_out(database, [losing]) as (fanout, conn):
        with pytest.raises(psycopg.OperationalError):
            fanout.run_pass(conn)
        assert conn.broken
        assert counts(fanout, DIRECTORY) == [None]  # changing: its COMMIT's fate unknown
        with database.connect(autocommit=True) as again:
            fanout._known = None  # as the fan-out's loop does on each new connection
            fanout.run_pass(again)
        assert counts(fanout, DIRECTORY) != [None]


def test_a_lease_lost_with_the_listener_session_is_let_go_and_retaken_as_a_change(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    directory = ProjectionRunner(ledger, database, CustomerDirectory(), 100)
    with fan_out(database, [directory]) as (fanout, conn):
        run_passes(fanout, conn)
        [before] = counts(fanout, DIRECTORY)
        assert before is not None
        with psycopg.connect(database.conninfo, autocommit=True) as other:
            other.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s",
                (APPLICATION_NAME.format(pid=_own_pid()),),
            )
        session = fanout.listener.generation
        deadline = time.monotonic() + 10
        while True:  # known lost once the listener notices, before it connects again (1 s)
            generation = fanout.listener.generation
            if not fanout.leases.holds(directory):
                assert generation == session, "the lease was held until a new session"
                break
            assert time.monotonic() < deadline, "the lost lease was still held"
            time.sleep(0.02)
        fanout.run_pass(conn)
        assert counts(fanout, DIRECTORY) == [None]
        while not fanout.leases.renew():  # a new session: the lease taken again
            assert time.monotonic() < deadline, "the lease was not taken again"
            time.sleep(0.05)
        fanout.run_pass(conn)
        [after] = counts(fanout, DIRECTORY)
        assert after is not None and after > before


def _own_pid() -> int:
    return os.getpid()
