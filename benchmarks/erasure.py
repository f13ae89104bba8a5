"""Erasing a customer costs what their own rows cost, not what the log weighs (issue 8, item 6).

A log of background customers holds two customers: a large one with about ``--events`` events
of their own (loyalty adjustments with a reason, and tickets with replies) and a small one with
about 100. Each erasure is timed from ``complete_erasure`` (key destruction, positions from the
personal-data index, the certificate event) until every read model has applied it (each
projection caught up by the runner the workers use). Baseline, measured in the same run: one
plain committed UPDATE of a customer's directory row. Then the log grows by as many background
customers again and a second small customer is erased: its time should stay the same.

    .venv/bin/python benchmarks/erasure.py [--events 10000] [--background 3000]
                                            [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID, uuid4

from psycopg_pool import ConnectionPool

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from infrastructure.audit_keys import audit_keys_from_text, new_audit_key_text
from infrastructure.bootstrap import build_ledger
from infrastructure.crypto import MasterKey, new_master_key_text
from infrastructure.database import Database, scratch_database, scratch_server
from infrastructure.migrations import migrate
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.secrets import Secrets
from projections.registry import build_projections

AGENT = EventMetadata(actor_id="benchmark", actor_role=Role.AGENT, channel=Channel.API)
OFFICER = EventMetadata(actor_id="officer", actor_role=Role.PRIVACY_OFFICER, channel=Channel.API)
REPLIES_PER_TICKET = 19  # a ticket is loaded whole for each reply: keep each one short
BATCH = 500


@contextlib.contextmanager
def migrated_ledger(database: Database) -> Iterator[Ledger]:
    """A ledger wired as the composition root wires it (erasure included), random keys."""
    keys: ConnectionPool[Any] = ConnectionPool(database.conninfo, min_size=1, max_size=4, open=True)
    bench_secrets = Secrets(
        master_key=MasterKey.from_text(new_master_key_text()),
        jwt_secret=secrets.token_urlsafe(48),
        audit_keys=audit_keys_from_text(new_audit_key_text()),
    )
    ledger, _ = build_ledger(database, bench_secrets, 4, keys)
    try:
        migrate(database, ledger)
        yield ledger
    finally:
        ledger.close()
        keys.close()


def register(ledger: Ledger, label: str) -> UUID:
    email = f"{label}-{uuid4().hex[:12]}@bench.example"
    command = RegisterCustomer("Bench Customer", email, phone="+49 30 1234567")
    return ledger.register_customer(command, AGENT).aggregate_id


def give_events(ledger: Ledger, customer: UUID, events: int) -> None:
    """About ``events`` events of the customer's own: nine in ten loyalty adjustments (their
    account snapshots every 100), the rest ticket steps; each holds personal text."""
    ledger.enrol_in_loyalty(customer, AGENT)
    tickets = max(1, events // 10 // (REPLIES_PER_TICKET + 1))
    for _ in range(events - 3 - tickets * (REPLIES_PER_TICKET + 1)):
        ledger.adjust_points(customer, 5, "Goodwill for a late parcel", AGENT)
    for _ in range(tickets):
        opened = OpenTicket(customer, TicketChannel.WEB, "delivery", "Late", "My parcel is late")
        ticket = ledger.open_ticket(opened, AGENT).aggregate_id
        for _ in range(REPLIES_PER_TICKET):
            ledger.reply_to_ticket(ticket, "We are looking into it", AGENT)


def background(ledger: Ledger, customers: int) -> None:
    for index in range(customers):
        register(ledger, f"bg{index}")


def catch_up_all(ledger: Ledger, database: Database) -> None:
    with database.connect() as conn:
        for projection in build_projections(audit_keys_from_text(new_audit_key_text()).chain):
            ProjectionRunner(ledger, database, projection, BATCH).catch_up(conn)


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def erasure_seconds(ledger: Ledger, database: Database, customer: UUID) -> float:
    """From completing the (already requested) erasure until every read model applied it."""
    ledger.request_erasure(customer, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    catch_up_all(ledger, database)  # the request itself is not what is measured

    def erase() -> None:
        ledger.complete_erasure(customer, OFFICER)
        catch_up_all(ledger, database)

    return timed(erase)


def update_seconds(database: Database, customer: UUID, repeats: int = 21) -> float:
    """Median time of one committed UPDATE of the customer's directory row."""
    times = []
    with database.connect() as conn:
        for _ in range(repeats):
            started = time.perf_counter()
            conn.execute(
                "UPDATE customer_directory SET name = name WHERE customer_id = %s", (customer,)
            )
            conn.commit()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def rows_of(database: Database, customer: UUID) -> int:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM personal_data_positions WHERE subject_id = %s", (customer,)
        ).fetchone()
    return int(row[0]) if row else 0


def run(admin_conninfo: str, events: int, customers: int) -> None:
    with (
        scratch_database(admin_conninfo, "cxl_bench") as database,
        migrated_ledger(database) as ledger,
    ):
        background(ledger, customers // 2)
        large, small, later = (register(ledger, name) for name in ("large", "small", "later"))
        give_events(ledger, large, events)
        give_events(ledger, small, 100)
        give_events(ledger, later, 100)
        background(ledger, customers - customers // 2)
        catch_up_all(ledger, database)
        large_rows, small_rows = rows_of(database, large), rows_of(database, small)
        log_before = ledger.head_position()
        baseline = update_seconds(database, small)
        small_s = erasure_seconds(ledger, database, small)
        large_s = erasure_seconds(ledger, database, large)
        background(ledger, customers)
        catch_up_all(ledger, database)
        log_after = ledger.head_position()
        later_s = erasure_seconds(ledger, database, later)
    print(f"log: {log_before:,} events; a plain UPDATE of one row: {baseline * 1000:.2f} ms")
    print(f"{'erased customer':<34}{'own positions':>14}{'seconds':>10}{'x UPDATE':>10}")
    for label, positions, seconds in (
        (f"small, log {log_before:,}", small_rows, small_s),
        (f"large, log {log_before:,}", large_rows, large_s),
        (f"small, log {log_after:,}", small_rows, later_s),
    ):
        print(f"{label:<34}{positions:>14,}{seconds:>10.3f}{seconds / baseline:>10.0f}")
    print(f"large/small: {large_s / small_s:.1f} for {large_rows / small_rows:.0f}x the rows")
    print(f"small at log {log_after:,} / at log {log_before:,}: {later_s / small_s:.2f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="the large customer's events")
    parser.add_argument(
        "--background", type=int, default=3_000, help="customers registered around them"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.events, args.background)


if __name__ == "__main__":
    main()
