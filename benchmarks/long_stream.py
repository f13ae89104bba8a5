"""Appending one event to a customer with a long stream costs what appending to a new customer
costs (issue 14, the last row of its table).

A customer is given ``--events`` events of her own (consent given, then withdrawn, and so on),
triggered on the aggregate in memory and saved through the ledger in batches of 500, which
takes its snapshots on the way as any command would. Then each sample runs one real command
(``give_consent`` or ``withdraw_consent``: load, decide, append one event, commit), timed, on
her and on a customer just registered (the baseline, measured in the same run), interleaved.
The same commands then run on a ledger without snapshots (every load replays the whole stream),
which is what the long stream cost before every long-lived aggregate snapshotted.

    .venv/bin/python -m benchmarks.long_stream [--events 10000] [--samples 60]
                                               [--replays 5] [--database-url URL]

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
from collections.abc import Iterator
from typing import Any, ClassVar
from uuid import UUID, uuid4

from psycopg_pool import ConnectionPool

from domain.customer.commands import RegisterCustomer
from domain.customer.profile import ConsentPurpose
from domain.ledger import SNAPSHOT_EVERY, Ledger
from domain.shared.metadata import Channel, EventMetadata, Role, acting_as
from infrastructure.audit_keys import audit_keys_from_text, new_audit_key_text
from infrastructure.bootstrap import build_ledger
from infrastructure.crypto import MasterKey, new_master_key_text
from infrastructure.database import Database, scratch_database, scratch_server
from infrastructure.migrations import migrate
from infrastructure.secrets import Secrets

AGENT = EventMetadata(actor_id="benchmark", actor_role=Role.AGENT, channel=Channel.API)
PURPOSE = ConsentPurpose.MARKETING
BATCH = 500


class ReplayingLedger(Ledger):
    """The ledger as it was for customers before: no snapshots, every load a full replay."""

    name = "Ledger"  # the same log (a subclass would otherwise get tables of its own)
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {}


@contextlib.contextmanager
def ledgers(database: Database) -> Iterator[tuple[Ledger, Ledger]]:
    """The ledger as the composition root wires it, and one without snapshots, on one log."""
    keys: ConnectionPool[Any] = ConnectionPool(database.conninfo, min_size=1, max_size=4, open=True)
    bench_secrets = Secrets(
        master_key=MasterKey.from_text(new_master_key_text()),
        jwt_secret=secrets.token_urlsafe(48),
        audit_keys=audit_keys_from_text(new_audit_key_text()),
    )
    ledger, _ = build_ledger(database, bench_secrets, 2, keys)
    try:
        migrate(database, ledger)  # before the second ledger, whose recorder needs the schema
        replaying, _ = build_ledger(database, bench_secrets, 2, keys, ledger_class=ReplayingLedger)
        try:
            yield ledger, replaying
        finally:
            replaying.close()
    finally:
        ledger.close()
        keys.close()


def register(ledger: Ledger) -> UUID:
    command = RegisterCustomer("Bench Customer", f"c-{uuid4().hex[:12]}@bench.example")
    return ledger.register_customer(command, AGENT).aggregate_id


def grow(ledger: Ledger, customer_id: UUID, events: int) -> None:
    """Give the customer ``events`` more events, saved in batches (snapshots taken as usual)."""
    customer = ledger.get_customer(customer_id)
    left = events
    while left:
        with acting_as(AGENT):
            for _ in range(min(BATCH, left)):
                toggle(customer)
        left -= min(BATCH, left)
        ledger.commit(customer)


def toggle(customer: Any) -> None:
    if customer.consents.get(PURPOSE.value) is True:
        customer.withdraw_consent(PURPOSE)
    else:
        customer.give_consent(PURPOSE)


def append_seconds(ledger: Ledger, customer_id: UUID, given: bool) -> float:
    """One command that appends one event to the customer, timed."""
    command = ledger.withdraw_consent if given else ledger.give_consent
    started = time.perf_counter()
    command(customer_id, PURPOSE, AGENT)
    return time.perf_counter() - started


def sample(ledger: Ledger, long: UUID, samples: int) -> tuple[list[float], list[float]]:
    """Interleaved appends: to the long stream, and each to a customer just registered."""
    given = ledger.get_customer(long).consents.get(PURPOSE.value) is True
    on_long, on_new = [], []
    for _ in range(samples):
        on_long.append(append_seconds(ledger, long, given))
        given = not given
        on_new.append(append_seconds(ledger, register(ledger), given=False))
    return on_long, on_new


def run(admin_conninfo: str, events: int, samples: int, replays: int) -> None:
    with scratch_database(admin_conninfo, "cxl_bench") as database, ledgers(database) as pair:
        ledger, replaying = pair
        long = register(ledger)
        started = time.perf_counter()
        grow(ledger, long, events - 1)
        built = time.perf_counter() - started
        for _ in range(3):  # warm both paths (pools, statement caches) before timing
            sample(ledger, long, 1)
        long_s, new_s = sample(ledger, long, samples)
        replay_long_s, replay_new_s = sample(replaying, long, replays)
        version = ledger.get_customer(long).version
    print(
        f"customer of {version:,} events built in {built:.1f} s; "
        f"snapshots every {SNAPSHOT_EVERY} events"
    )
    print(f"{'append one event':<44}{'median ms':>10}{'mean ms':>10}{'long/new':>10}")
    for label, on_long, on_new in (
        ("with snapshots", long_s, new_s),
        ("without snapshots (full replay)", replay_long_s, replay_new_s),
    ):
        long_ms, new_ms = statistics.median(on_long) * 1000, statistics.median(on_new) * 1000
        print(
            f"{label + ', new customer':<44}{new_ms:>10.2f}{statistics.mean(on_new) * 1000:>10.2f}"
        )
        print(
            f"{label + f', {version:,} events':<44}{long_ms:>10.2f}"
            f"{statistics.mean(on_long) * 1000:>10.2f}{long_ms / new_ms:>10.2f}"
        )
    ratio = statistics.median(long_s) / statistics.median(new_s)
    print(f"long/new with snapshots (median): {ratio:.2f} (target <= 2)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="events of the long stream")
    parser.add_argument("--samples", type=int, default=60, help="timed appends with snapshots")
    parser.add_argument("--replays", type=int, default=5, help="timed appends without them")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.events, args.samples, args.replays)


if __name__ == "__main__":
    main()
