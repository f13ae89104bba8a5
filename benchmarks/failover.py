"""How long the projections' leadership takes to move when the leading worker dies (issue 22).

A log of about ``--events`` events is written through the ledger; a first `cxledger project`
worker starts catching up, a second one starts beside it (it leads nothing: the first holds
every lease), and the first is killed with SIGKILL while the read models still lag. The figure
is the time from the kill until each lagging read model's position moves again (the second
worker has taken its lease and committed a batch), and until every read model has caught up.
The ratio is the takeover time over the stand-by worker's lease retry interval
(``infrastructure.leases.STAND_BY_SECONDS``): about 1 means the lease moved at the first retry.

    .venv/bin/python -m benchmarks.failover [--events 20000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.rebuild import write_log
from benchmarks.support.setup import add_database_url, migrated_ledger, scratch
from infrastructure.audit_keys import new_audit_key_text
from infrastructure.crypto import new_master_key_text
from infrastructure.database import Database, conninfo_as_url
from infrastructure.leases import STAND_BY_SECONDS

REPO = Path(__file__).resolve().parents[1]
CXLEDGER = [sys.executable, "-m", "infrastructure.cli"]
LIMIT = 120.0


def positions(database: Database) -> dict[str, int]:
    with database.connect() as conn:
        rows = conn.execute("SELECT name, position FROM cxl_projection_positions").fetchall()
    return {str(name): int(position) for name, position in rows}


def standing_by(database: Database, process: subprocess.Popen[bytes]) -> None:
    """Wait until ``process`` has opened its listener session (it then tries for leases)."""
    deadline = time.monotonic() + LIMIT
    name = f"cxledger listener {process.pid}"
    while True:
        with database.connect() as conn:
            row = conn.execute(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = %s", (name,)
            ).fetchone()
        if row is not None:
            return
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the second worker did not start")
        time.sleep(0.05)


@contextlib.contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([*CXLEDGER, "project"], cwd=REPO, env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def run(database: Database, events: int) -> None:
    master_key, audit_key = new_master_key_text(), new_audit_key_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXL_")}
    env.update(
        CXL_DATABASE_URL=conninfo_as_url(database.conninfo),
        CXL_MASTER_KEY=master_key,
        CXL_AUDIT_KEY=audit_key,
        CXL_JWT_SECRET=secrets.token_urlsafe(48),
        CXL_LOG_LEVEL="WARNING",
    )
    with (
        migrated_ledger(database, 4, master_key, audit_key) as ledger,
        worker(env) as first,
    ):
        standing_by(database, first)  # the only worker: it takes every lease
        with worker(env) as second:
            standing_by(database, second)
            # Frozen, the first keeps its sessions and leases: the log written meanwhile
            # waits for it, as it would for a worker that hangs or dies mid-batch.
            first.send_signal(signal.SIGSTOP)
            head = write_log(ledger, events)
            at_kill = positions(database)
            first.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            first.wait(10)
            lagging = {name for name, p in at_kill.items() if p < head}
            moved: dict[str, float] = {}
            while lagging - set(moved) or any(p < head for p in positions(database).values()):
                now = positions(database)
                for name in lagging - set(moved):
                    if now.get(name, 0) > at_kill[name]:
                        moved[name] = time.monotonic() - killed
                if time.monotonic() - killed > LIMIT or second.poll() is not None:
                    raise RuntimeError("the second worker did not take over")
                time.sleep(0.01)
            caught_up = time.monotonic() - killed
    takeover = statistics.median(moved.values())
    print(f"log: {head:,} events; {len(lagging)} read models lagging at the kill")
    print("| figure | seconds | ratio to the lease retry interval |")
    print("|---|---|---|")
    print(f"| takeover, median | {takeover:.2f} | {takeover / STAND_BY_SECONDS:.2f} |")
    slowest = max(moved.values())
    print(f"| takeover, slowest | {slowest:.2f} | {slowest / STAND_BY_SECONDS:.2f} |")
    print(f"| every read model caught up | {caught_up:.2f} | {caught_up / STAND_BY_SECONDS:.2f} |")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="events in the log")
    add_database_url(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch(args.database_url) as database:
        run(database, args.events)


if __name__ == "__main__":
    main()
