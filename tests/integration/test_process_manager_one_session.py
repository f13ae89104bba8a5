"""A process manager reacts with no transaction open on its follower's connection, so it needs
one server session at a time. It used to hold its position row locked through the whole batch
while each command took a connection of its own: behind a transaction-mode PgBouncer, one
session held idle per busy process manager, waiting for a second; with as many busy process
managers (across workers) as the pooler had sessions, everyone waited for the queue timeout
(a /health behind PgBouncer timed out in CI). A one-session pooler makes that wait certain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from domain.ledger import Ledger
from domain.loyalty.policies import LoyaltyEarning
from infrastructure.database import Database
from infrastructure.process_manager_runner import ProcessManagerRunner
from projections.tracking import all_positions
from tests.integration.loyalty_steps import bought, customer, earned_for, one_point_per_euro
from tests.support.fan_out import fan_out_to_the_head
from tests.support.ledgers import postgres_ledger
from tests.support.pgbouncer import pgbouncer_in_front_of

ORDERS = 6
BATCH = 4
"""Smaller than the log, so that the manager takes several batches."""
QUEUE_WAIT = 5
"""PgBouncer's queue wait here: a nested wait fails after it rather than after two minutes."""


@contextmanager
def ledger_behind_one_session(database: Database) -> Iterator[tuple[Ledger, Database]]:
    with pgbouncer_in_front_of(
        database.conninfo, server_connections=1, query_wait_timeout=QUEUE_WAIT
    ) as pooled:
        behind = Database(pooled, direct_conninfo=database.conninfo)
        with postgres_ledger(behind, pool_size=2) as ledger:
            yield ledger, behind


def purchases(ledger: Ledger) -> list[tuple[UUID, str]]:
    one_point_per_euro(ledger)
    ada = customer(ledger, "ada@example.org")
    return [(ada, bought(ledger, ada, str(10 + n))) for n in range(ORDERS)]


def test_the_log_fan_out_feeds_a_process_manager_through_one_server_session(
    database: Database,
) -> None:
    with ledger_behind_one_session(database) as (ledger, behind):
        orders = purchases(ledger)
        head = ledger.head_position()  # the points earned come after it
        earning = ProcessManagerRunner(ledger, behind, LoyaltyEarning(), BATCH)
        fanout = fan_out_to_the_head(behind, [earning])
        assert fanout.errors() == {}
        assert all(len(earned_for(ledger, ada, order)) == 1 for ada, order in orders)
    with database.connect() as conn:
        assert all_positions(conn)[earning.name] >= head


def test_a_process_manager_caught_up_on_its_own_needs_one_server_session_at_a_time(
    database: Database,
) -> None:
    """What a job does before it reads (the health drift catches its reaction up)."""
    with ledger_behind_one_session(database) as (ledger, behind):
        orders = purchases(ledger)
        head = ledger.head_position()  # the points earned come after it
        earning = ProcessManagerRunner(ledger, behind, LoyaltyEarning(), BATCH)
        with behind.connect() as conn:
            reached = earning.catch_up(conn)
        assert reached >= head
        assert all(len(earned_for(ledger, ada, order)) == 1 for ada, order in orders)
