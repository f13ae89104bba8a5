"""A read model caught up on its own (what each scheduled job does before it reads) needs one
server session at a time. Behind a transaction-mode PgBouncer with a single server session it
finishes; when it read the head on a second session while its batch's transaction held the first,
it waited for PgBouncer's queue timeout and failed, and a few jobs doing so at once stalled every
process behind the pooler (a /health held past a minute in CI)."""

from __future__ import annotations

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.customers.projection import CustomerDirectory
from projections.tracking import all_positions
from tests.support.ledgers import postgres_ledger
from tests.support.pgbouncer import pgbouncer_in_front_of

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
CUSTOMERS = 25
BATCH = 10
"""Smaller than the log, so that catching up takes several batches (transactions)."""
QUEUE_WAIT = 5
"""PgBouncer's queue wait here: a nested wait fails after it rather than after two minutes."""


def test_catching_up_a_read_model_needs_one_server_session_at_a_time(
    database: Database,
) -> None:
    with pgbouncer_in_front_of(
        database.conninfo, server_connections=1, query_wait_timeout=QUEUE_WAIT
    ) as pooled:
        behind = Database(pooled, direct_conninfo=database.conninfo)
        with postgres_ledger(behind, pool_size=2) as ledger:
            for i in range(CUSTOMERS):
                command = RegisterCustomer(f"Solo {i}", f"solo{i}@example.org")
                ledger.register_customer(command, AGENT)
            runner = ProjectionRunner(ledger, behind, CustomerDirectory(), batch_size=BATCH)
            with behind.connect() as conn:
                reached = runner.catch_up(conn)
            head = ledger.head_position()
    assert reached == head
    with database.connect() as conn:
        assert all_positions(conn)[runner.name] == head
