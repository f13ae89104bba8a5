"""How far a streaming hot standby trails the primary, idle and under a write load (issue 22).

A real pair on this machine (an embedded primary and a `pg_basebackup -R` standby of it,
benchmarks/standby_pair.py). The figure is the visibility delay: take the primary's current WAL
position, then time until the standby has replayed past it. It is sampled for ``--seconds``
with nothing else running (the baseline), then for as long again while ``--writers`` threads
register customers through the ledger on the primary (what every command writes: the log, the
subject's key). Printed: p50 and p99 of each, the write rate, and the ratio loaded / idle.

    .venv/bin/python -m benchmarks.replica_lag [--seconds 10] [--writers 8]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from benchmarks.support.setup import migrated_ledger
from benchmarks.support.standby_pair import Pair, primary_and_standby
from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database

AGENT = EventMetadata(actor_id="benchmark", actor_role=Role.AGENT, channel=Channel.API)
DATABASE = "cxl_bench_replica"


def delays(pair: Pair, seconds: float) -> list[float]:
    """Visibility delays sampled back to back for ``seconds``."""
    found: list[float] = []
    deadline = time.monotonic() + seconds
    with (
        psycopg.connect(pair.primary_url, autocommit=True) as primary,
        psycopg.connect(pair.standby_url, autocommit=True) as standby,
    ):
        while time.monotonic() < deadline:
            row = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
            assert row is not None
            written = row[0]
            started = time.perf_counter()
            while True:
                replayed = standby.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (written,)
                ).fetchone()
                if replayed is not None and replayed[0]:
                    break
                time.sleep(0.0005)
            found.append(time.perf_counter() - started)
    return found


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def run(pair: Pair, seconds: float, writers: int) -> None:
    with psycopg.connect(pair.primary_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    database = Database(pair.url("primary", DATABASE))
    with migrated_ledger(database, writers) as ledger:
        idle = delays(pair, seconds)
        stop = threading.Event()
        written = [0] * writers

        def write(index: int) -> None:
            while not stop.is_set():
                n = written[index]
                email = f"w{index}-{n}-{secrets.token_hex(3)}@bench.example"
                ledger.register_customer(RegisterCustomer(f"Customer {n}", email), AGENT)
                written[index] = n + 1

        threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            loaded = delays(pair, seconds)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        elapsed = time.monotonic() - started
    rate = sum(written) / elapsed
    print(f"{writers} writers registering customers: {rate:,.0f} registrations/s on the primary")
    print("| standby visibility delay | samples | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|")
    for label, values in (("idle", idle), ("under load", loaded)):
        print(
            f"| {label} | {len(values):,} | {statistics.median(values) * 1000:.2f} "
            f"| {percentile(values, 0.99) * 1000:.2f} | {max(values) * 1000:.2f} |"
        )
    ratio = statistics.median(loaded) / statistics.median(idle)
    print(f"p50 ratio loaded / idle: {ratio:.2f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per sampling")
    parser.add_argument("--writers", type=int, default=8, help="threads writing on the primary")
    parser.add_argument(
        "--database-url",
        default=None,
        help="ignored: the pair is always built here (accepted for the smoke runner)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    # A short folder: the standby's Unix socket path must fit in 107 bytes.
    with primary_and_standby(Path(tempfile.mkdtemp(prefix="cxl-lag-"))) as pair:
        run(pair, args.seconds, args.writers)


if __name__ == "__main__":
    main()
