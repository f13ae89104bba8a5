"""Rebuilding a read model against reading the same log with COPY (issue 14, items 3 and 7).

A log of about ``--events`` events (customers registering, then changing their name and phone:
every event holds personal data, encrypted with the customer's key) is read two ways:

- the baseline: ``COPY (SELECT * FROM ledger_events) TO STDOUT``, drained by the client;
- ``rebuild`` of ``customer_directory`` and of ``customer_history`` (shadow tables, decode and
  decrypt each event, apply, swap), as `cxledger rebuild NAME` runs it.

The ratio column is each rebuild's events per second over COPY's: 1.0 would be a rebuild as
fast as reading the bytes.

    .venv/bin/python -m benchmarks.rebuild [--events 32000] [--batch-size 500]
                                           [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from psycopg_pool import ConnectionPool

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.audit_keys import audit_keys_from_text, new_audit_key_text
from infrastructure.bootstrap import build_ledger
from infrastructure.crypto import MasterKey, new_master_key_text
from infrastructure.database import Database, scratch_database, scratch_server
from infrastructure.migrations import migrate
from infrastructure.rebuild import REBUILD_BATCH_SIZE, rebuild
from infrastructure.secrets import Secrets
from projections.base import Projection
from projections.customers.projection import CustomerDirectory
from projections.history.projection import CustomerHistory

AGENT = EventMetadata(actor_id="benchmark", actor_role=Role.AGENT, channel=Channel.API)
WRITERS = 4
EVENTS_PER_CUSTOMER = 5
"""Registered and email claimed (2), a name and phone change (2), then a name change."""


@contextlib.contextmanager
def migrated_ledger(database: Database) -> Iterator[Ledger]:
    """A ledger wired as the composition root wires it, with random keys."""
    keys: ConnectionPool[Any] = ConnectionPool(database.conninfo, min_size=1, max_size=4, open=True)
    bench_secrets = Secrets(
        master_key=MasterKey.from_text(new_master_key_text()),
        jwt_secret=secrets.token_urlsafe(48),
        audit_keys=audit_keys_from_text(new_audit_key_text()),
    )
    ledger, _ = build_ledger(database, bench_secrets, WRITERS, keys)
    try:
        migrate(database, ledger)
        yield ledger
    finally:
        ledger.close()
        keys.close()


def one_customer(ledger: Ledger, index: int) -> None:
    email = f"c{index}-{secrets.token_hex(4)}@bench.example"
    registered = ledger.register_customer(RegisterCustomer(f"Customer {index}", email), AGENT)
    for change in range(2):
        ledger.change_contact_details(
            ChangeContactDetails(
                registered.aggregate_id, name=f"Customer {index}.{change}", phone=f"+4930{index}"
            ),
            AGENT,
        )


def write_log(ledger: Ledger, events: int) -> int:
    customers = max(1, events // EVENTS_PER_CUSTOMER)
    with ThreadPoolExecutor(WRITERS) as writers:
        list(writers.map(lambda i: one_customer(ledger, i), range(customers)))
    return ledger.head_position()


def copy_seconds(database: Database) -> float:
    """Time to read every stored event through COPY, as bytes, on the client."""
    started = time.perf_counter()
    with (
        database.connect() as conn,
        conn.cursor() as cursor,
        cursor.copy("COPY (SELECT * FROM ledger_events) TO STDOUT") as copy,
    ):
        for _ in copy:
            pass
    return time.perf_counter() - started


def rebuild_seconds(
    ledger: Ledger, database: Database, projection: Projection, batch_size: int
) -> float:
    started = time.perf_counter()
    rebuild(ledger, database, projection, batch_size)
    return time.perf_counter() - started


def run(admin_conninfo: str, events: int, batch_size: int) -> None:
    with (
        scratch_database(admin_conninfo, "cxl_bench") as database,
        migrated_ledger(database) as ledger,
    ):
        head = write_log(ledger, events)
        copy_s = min(copy_seconds(database) for _ in range(3))
        rebuilds = [
            (p.name, rebuild_seconds(ledger, database, p, batch_size))
            for p in (CustomerDirectory(), CustomerHistory())
        ]
    copy_rate = head / copy_s
    read_size = max(batch_size, REBUILD_BATCH_SIZE)
    print(f"log: {head:,} events; rebuild batches of {read_size:,} events")
    print(f"{'read':<28}{'seconds':>10}{'events/s':>12}{'ratio to COPY':>15}")
    print(f"{'COPY ledger_events':<28}{copy_s:>10.3f}{copy_rate:>12,.0f}{1:>15.3f}")
    for name, seconds in rebuilds:
        rate = head / seconds
        print(f"{'rebuild ' + name:<28}{seconds:>10.3f}{rate:>12,.0f}{rate / copy_rate:>15.3f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=32_000, help="events in the log")
    parser.add_argument("--batch-size", type=int, default=5_000, help="events per rebuild batch")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.events, args.batch_size)


if __name__ == "__main__":
    main()
