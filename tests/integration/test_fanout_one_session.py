"""The log fan-out never waits for a second server session while its transaction holds one.
It fetched a batch's subject keys at the first decode, inside the read models' transaction:
behind a transaction-mode PgBouncer whose other sessions were held by jobs waiting for that
transaction's position-row locks, nobody moved until the queue timeout (a /health behind
PgBouncer held 60 s in CI; pg_stat_activity showed the fan-out "idle in transaction" and two
jobs waiting on its locks). With a one-session pooler the wait is certain."""

from __future__ import annotations

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.customers.projection import CustomerDirectory
from projections.tracking import all_positions
from tests.support.fan_out import fan_out_to_the_head
from tests.support.ledgers import postgres_ledger
from tests.support.pgbouncer import pgbouncer_in_front_of

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
CUSTOMERS = 5
QUEUE_WAIT = 5
"""PgBouncer's queue wait here: a nested wait fails after it rather than after two minutes."""


def test_the_fan_out_fetches_a_batchs_keys_before_its_transaction(database: Database) -> None:
    with pgbouncer_in_front_of(
        database.conninfo, server_connections=1, query_wait_timeout=QUEUE_WAIT
    ) as pooled:
        behind = Database(pooled, direct_conninfo=database.conninfo)
        with postgres_ledger(behind, pool_size=2) as writer:
            for i in range(CUSTOMERS):
                writer.register_customer(RegisterCustomer(f"Key {i}", f"key{i}@example.org"), AGENT)
            head = writer.head_position()
        # A second process's ledger: none of the subject keys is in its caches yet.
        with postgres_ledger(behind, pool_size=2) as reader:
            directory = ProjectionRunner(reader, behind, CustomerDirectory(), batch_size=100)
            fanout = fan_out_to_the_head(behind, [directory])
            assert fanout.errors() == {}
    with database.connect() as conn:
        assert all_positions(conn)[directory.name] == head
        names = conn.execute("SELECT count(*) FROM customer_directory").fetchone()
    assert names == (CUSTOMERS,)
