"""Customer registrations per second through the ledger, against raw INSERT commits per second.

Each registration commits two events (Customer.Registered and EmailClaim.Claimed) and creates
one per-subject key row. The baseline is the same server's rate of single-row INSERT commits
(psycopg 3, autocommit) of a uuid and a bytea the size of a stored event, at the same
concurrency, measured in the same run in the same fresh database. A second table gives the
event store alone: commands of one event of that size appended through the ledger's recorder
(its lock, group commit and NOTIFY, none of a registration's reads, keys and encryption).

    .venv/bin/python -m benchmarks.append [--seconds 5 | --count N] [--database-url URL]

Beside each rate it prints the CPU time one operation cost: the benchmark process's (client)
and, when the server runs on this machine, its backends' for the benchmark's database (server,
from /proc/PID/schedstat), which other work on the machine changes far less than the rates;
and the client's voluntary context switches per operation (a thread blocking, or handing the
interpreter lock to another: with sixteen writers, what the interpreter lock costs shows here).

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg import sql

from benchmarks.support.setup import migrated_ledger
from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database, scratch_database, scratch_server

CONCURRENCIES = (1, 16)
WARM_UP = 50
RAW_DDL = "CREATE TABLE bench_raw (id uuid PRIMARY KEY, payload bytea NOT NULL)"
RAW_INSERT = "INSERT INTO bench_raw (id, payload) VALUES (%s, %s)"


@dataclass(frozen=True)
class Budget:
    """How long each measurement runs: for some seconds, or for a number of operations."""

    seconds: float | None
    count: int | None

    def share(self, workers: int, index: int) -> int | None:
        if self.count is None:
            return None
        return self.count // workers + (1 if index < self.count % workers else 0)


@dataclass(frozen=True)
class Measured:
    """Operations per second, and the CPU time one operation took: the client's (this
    process's) and the server's (the database's backends'; None if not on this machine)."""

    rate: float
    client_us: float
    server_us: float | None
    switches: float
    """The client's voluntary context switches per operation."""


class ServerCpu:
    """The CPU time of the backends serving one database, read from /proc (the server on this
    machine only): the sum over the backends alive at either reading."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def read(self) -> dict[int, int] | None:
        with self._database.connect(autocommit=True) as conn:
            pids = [
                int(row[0])
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid()"
                )
            ]
        used: dict[int, int] = {}
        for pid in pids:
            try:
                with open(f"/proc/{pid}/schedstat") as stat:
                    used[pid] = int(stat.read().split()[0])  # nanoseconds on a CPU
            except (FileNotFoundError, PermissionError, ValueError, IndexError):
                if pid not in used:
                    return None  # not a process of this machine: no figure
        return used

    @staticmethod
    def spent_ns(before: dict[int, int] | None, after: dict[int, int] | None) -> int | None:
        if before is None or after is None:
            return None
        return sum(ns - before.get(pid, 0) for pid, ns in after.items())


def measure(
    workers: int,
    budget: Budget,
    make_op: Callable[[], Callable[[], None]],
    server: ServerCpu | None = None,
) -> Measured:
    """Operations per second of ``workers`` threads, each running its own operation."""
    ops = [make_op() for _ in range(workers)]
    done = [0] * workers
    errors: list[BaseException] = []
    start_gate = threading.Barrier(workers + 1)
    deadline = [0.0]

    def more(index: int, limit: int | None) -> bool:
        return done[index] < limit if limit is not None else time.monotonic() < deadline[0]

    def work(index: int) -> None:
        op, limit = ops[index], budget.share(workers, index)
        start_gate.wait()
        try:
            while more(index, limit):
                op()
                done[index] += 1
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    server_before = server.read() if server else None
    cpu_before = time.process_time()
    switches_before = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw
    started = time.monotonic()
    deadline[0] = started + (budget.seconds or 0.0)
    start_gate.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu_before
    switches = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw - switches_before
    server_ns = ServerCpu.spent_ns(server_before, server.read() if server else None)
    if errors:
        raise errors[0]
    ops_done = max(sum(done), 1)
    return Measured(
        sum(done) / elapsed,
        cpu / ops_done * 1e6,
        None if server_ns is None else server_ns / ops_done / 1000,
        switches / ops_done,
    )


def registration(ledger: Ledger) -> Callable[[], None]:
    metadata = EventMetadata(actor_id="benchmark", actor_role=Role.AGENT, channel=Channel.API)

    def register() -> None:
        email = f"{uuid.uuid4().hex}@bench.example"
        ledger.register_customer(RegisterCustomer(name="Bench Customer", email=email), metadata)

    return register


def log_append(ledger: Ledger, payload_bytes: int) -> Callable[[], None]:
    """One command of one event, straight to the ledger's recorder."""

    def append() -> None:
        event = StoredEvent(uuid.uuid4(), 1, "benchmark:Appended", os.urandom(payload_bytes))
        ledger.recorder.insert_events([event])

    return append


def measure_raw(
    database: Database, workers: int, budget: Budget, payload_bytes: int, server: ServerCpu
) -> Measured:
    """Single-row INSERT commits per second, one autocommit connection per writer."""
    with contextlib.ExitStack() as stack:

        def raw_insert() -> Callable[[], None]:
            conn = stack.enter_context(psycopg.connect(database.conninfo, autocommit=True))

            def insert() -> None:
                conn.execute(RAW_INSERT, (uuid.uuid4(), os.urandom(payload_bytes)))

            return insert

        return measure(workers, budget, raw_insert, server)


def mean_event_size(database: Database, ledger: Ledger) -> int:
    table = sql.Identifier(getattr(ledger.recorder, "events_table_name", "stored_events"))
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT avg(octet_length(state))::int FROM {}").format(table)
        ).fetchone()
    return int(row[0]) if row and row[0] else 300


def run(admin_conninfo: str, budget: Budget) -> None:
    pool_size = max(CONCURRENCIES)
    with (
        scratch_database(admin_conninfo, "cxl_bench") as database,
        migrated_ledger(database, pool_size) as ledger,
    ):
        with database.connect(autocommit=True) as conn:
            conn.execute(RAW_DDL)
            version = str(conn.execute("SELECT current_setting('server_version')").fetchall()[0][0])
        measure(1, Budget(None, WARM_UP), lambda: registration(ledger))
        payload = mean_event_size(database, ledger)
        server = ServerCpu(database)
        rows = []
        for workers in CONCURRENCIES:
            app = measure(workers, budget, lambda: registration(ledger), server)
            raw = measure_raw(database, workers, budget, payload, server)
            appends = measure(workers, budget, lambda: log_append(ledger, payload), server)
            rows.append((workers, app, raw, appends))
    print_table(version, payload, budget, rows)


def print_table(
    version: str, payload: int, budget: Budget, rows: list[tuple[int, Measured, Measured, Measured]]
) -> None:
    each = f"{budget.seconds:g} s" if budget.count is None else f"{budget.count} operations"
    print(f"PostgreSQL {version}; {each} per measurement; raw payload {payload} bytes")
    print(
        "(CPU us/op: client = this process, server = the database's backends;"
        " switches/op: the client's voluntary context switches)"
    )
    print(
        f"{'writers':>7}  {'app registrations/s':>19}  {'raw INSERT commits/s':>20}  app/raw"
        f"  {'app CPU us/op client, server':>28}  {'raw CPU us/op client, server':>28}"
        f"  {'app switches/op':>15}"
    )
    for workers, app, raw, _ in rows:
        print(
            f"{workers:>7}  {app.rate:>19,.0f}  {raw.rate:>20,.0f}  {app.rate / raw.rate:>7.3f}"
            f"  {_cpu(app):>28}  {_cpu(raw):>28}  {app.switches:>15.1f}"
        )
    print("The event store alone, one-event commands through the ledger's recorder:")
    print(
        f"{'writers':>7}  {'log appends/s':>19}  {'raw INSERT commits/s':>20}  log/raw"
        f"  {'log CPU us/op client, server':>28}"
    )
    for workers, _, raw, appends in rows:
        print(
            f"{workers:>7}  {appends.rate:>19,.0f}  {raw.rate:>20,.0f}"
            f"  {appends.rate / raw.rate:>7.3f}  {_cpu(appends):>28}"
        )


def _cpu(measured: Measured) -> str:
    server = "-" if measured.server_us is None else f"{measured.server_us:,.0f}"
    return f"{measured.client_us:,.0f}, {server}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=float, help="length of each measurement (default 5)")
    budget.add_argument("--count", type=int, help="operations per measurement, instead")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    budget = Budget(None, args.count) if args.count else Budget(args.seconds or 5.0, None)
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, budget)


if __name__ == "__main__":
    main()
