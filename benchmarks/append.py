"""Customer registrations per second through the ledger, against raw INSERT commits per second.

Each registration commits two events (Customer.Registered and EmailClaim.Claimed) and creates
one per-subject key row. The baseline is the same server's rate of single-row INSERT commits
(psycopg 3, autocommit) of a uuid and a bytea the size of a stored event, at the same
concurrency, measured in the same run in the same fresh database. A second table gives the
event store alone: commands of one event of that size appended through the ledger's recorder
(its lock, group commit and NOTIFY, none of a registration's reads, keys and encryption).

    .venv/bin/python -m benchmarks.append [--seconds 5 | --count N] [--processes 1]
        [--rounds 3] [--database-url URL]

Each side's measurement is split into ``--rounds`` rounds, the sides taking turns
(registrations, raw INSERTs, one-event appends, then again), and each figure is the rounds'
operations over their time: the machine's slow spells, which moved the raw baseline alone by
up to half between two runs of a few seconds, fall on every side alike.

With ``--processes 2`` the sixteen writers of each side run as eight threads in each of two
processes (each its own ledger, its own pool and group commit, one database, the same keys),
as the deployment runs two API processes on a two-core machine: one interpreter lock per
process. One writer stays one thread of one process.

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
import multiprocessing
import os
import resource
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg import sql

from benchmarks.support.rounds import add_rounds_argument
from benchmarks.support.setup import migrated_ledger
from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.audit_keys import new_audit_key_text
from infrastructure.crypto import new_master_key_text
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
        return None if self.count is None else split(self.count, workers, index)

    def per_round(self, rounds: int) -> Budget:
        """This budget split into ``rounds`` equal parts (a count: at least one operation)."""
        if self.count is not None:
            return Budget(None, max(1, self.count // rounds))
        return Budget((self.seconds or 0.0) / rounds, None)


def split(total: int, parts: int, index: int) -> int:
    """Part ``index`` of ``total`` split into ``parts`` as evenly as can be."""
    return total // parts + (1 if index < total % parts else 0)


@dataclass(frozen=True)
class Measured:
    """Operations per second, and the CPU time one operation took: the client's (this
    process's) and the server's (the database's backends'; None if not on this machine)."""

    rate: float
    client_us: float
    server_us: float | None
    switches: float
    """The client's voluntary context switches per operation."""
    ops: int = 0
    """How many operations the figures come from."""


def combined(rounds: list[Measured]) -> Measured:
    """One figure from rounds of the same measurement: all their operations over all their
    time, the costs per operation weighted by each round's operations."""
    ops = sum(r.ops for r in rounds)
    if ops == 0:
        return rounds[0]
    seconds = sum(r.ops / r.rate for r in rounds if r.rate > 0)
    servers = [r.server_us for r in rounds]
    return Measured(
        ops / seconds if seconds > 0 else 0.0,
        sum(r.client_us * r.ops for r in rounds) / ops,
        None
        if any(s is None for s in servers)
        else sum((s or 0.0) * r.ops for s, r in zip(servers, rounds, strict=True)) / ops,
        sum(r.switches * r.ops for r in rounds) / ops,
        ops,
    )


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


@dataclass(frozen=True)
class Tally:
    """What one process's threads did in a measurement: operations, seconds, CPU seconds and
    voluntary context switches."""

    ops: int
    elapsed: float
    cpu: float
    switches: int


def measure(
    workers: int,
    budget: Budget,
    make_op: Callable[[], Callable[[], None]],
    server: ServerCpu | None = None,
) -> Measured:
    """Operations per second of ``workers`` threads, each running its own operation."""
    server_before = server.read() if server else None
    tally = tally_threads(workers, budget, make_op)
    server_ns = ServerCpu.spent_ns(server_before, server.read() if server else None)
    return measured([tally], server_ns)


def measured(tallies: list[Tally], server_ns: int | None) -> Measured:
    """The rate and the costs per operation of processes that ran side by side."""
    ops_done = max(sum(t.ops for t in tallies), 1)
    return Measured(
        sum(t.ops / t.elapsed for t in tallies if t.elapsed > 0),
        sum(t.cpu for t in tallies) / ops_done * 1e6,
        None if server_ns is None else server_ns / ops_done / 1000,
        sum(t.switches for t in tallies) / ops_done,
        sum(t.ops for t in tallies),
    )


def tally_threads(
    workers: int,
    budget: Budget,
    make_op: Callable[[], Callable[[], None]],
    ready: Callable[[], object] = lambda: None,
) -> Tally:
    """Run ``workers`` threads, each its own operation, once ``ready`` returns (another
    process's start, in step with this one's), until the budget is spent."""
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
    ready()
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
    if errors:
        raise errors[0]
    return Tally(sum(done), elapsed, cpu, switches)


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


def raw_inserts(
    stack: contextlib.ExitStack, conninfo: str, payload_bytes: int
) -> Callable[[], Callable[[], None]]:
    """Makes single-row INSERT commits, one autocommit connection per writer (closed with
    ``stack``)."""

    def raw_insert() -> Callable[[], None]:
        conn = stack.enter_context(psycopg.connect(conninfo, autocommit=True))

        def insert() -> None:
            conn.execute(RAW_INSERT, (uuid.uuid4(), os.urandom(payload_bytes)))

        return insert

    return raw_insert


@dataclass(frozen=True)
class Setup:
    """What a writer process needs to write to the benchmark's database as this one does."""

    conninfo: str
    master_key: str
    audit_key: str
    payload: int


TASKS = ("registration", "raw", "log")
"""What the writers do: register customers, INSERT single rows, append one-event commands."""


@contextlib.contextmanager
def operations(
    task: str, setup: Setup, writers: int, ledger: Ledger | None = None
) -> Iterator[Callable[[], Callable[[], None]]]:
    """The maker of one writer's operation for ``task``: on ``ledger``, or on a ledger of this
    process made now (migrated already: only checked) and warmed up."""
    with contextlib.ExitStack() as stack:
        if task == "raw":
            yield raw_inserts(stack, setup.conninfo, setup.payload)
            return
        if ledger is None:
            ledger = stack.enter_context(
                migrated_ledger(
                    Database(setup.conninfo), writers, setup.master_key, setup.audit_key
                )
            )
            tally_threads(1, Budget(None, WARM_UP // 5), lambda: registration(ledger))
        mine = ledger
        if task == "registration":
            yield lambda: registration(mine)
        else:
            yield lambda: log_append(mine, setup.payload)


def measure_task(
    task: str,
    setup: Setup,
    ledger: Ledger,
    workers: int,
    processes: int,
    budget: Budget,
    server: ServerCpu,
) -> Measured:
    """``workers`` writers doing ``task``: threads of this process, or spread over
    ``processes`` processes started for it (one writer is never spread)."""
    if processes <= 1 or workers < 2:
        with operations(task, setup, workers, ledger) as make_op:
            return measure(workers, budget, make_op, server)
    return measure_spread(task, setup, workers, processes, budget, server)


def measure_spread(
    task: str, setup: Setup, workers: int, processes: int, budget: Budget, server: ServerCpu
) -> Measured:
    """The writers as threads of ``processes`` new processes, which start writing together
    once every one of them is ready; the server's CPU is read between the two."""
    context = multiprocessing.get_context("spawn")  # no pool or thread of this one inherited
    ready, go, read = (context.Barrier(processes + 1) for _ in range(3))
    results: multiprocessing.Queue[Tally | str] = context.Queue()
    children = [
        context.Process(
            target=_writer_process,
            args=(
                task,
                setup,
                split(workers, processes, i),
                budget,
                i,
                processes,
                (ready, go, read),
                results,
            ),
        )
        for i in range(processes)
    ]
    for child in children:
        child.start()
    try:
        ready.wait(timeout=300)
        server_before = server.read()
        go.wait(timeout=60)
        outcomes = [results.get(timeout=(budget.seconds or 0) + 600) for _ in children]
        server_ns = ServerCpu.spent_ns(server_before, server.read())  # their sessions still open
        read.wait(timeout=60)
    finally:
        for child in children:
            child.join(timeout=60)
            if child.is_alive():
                child.kill()
    errors = [outcome for outcome in outcomes if isinstance(outcome, str)]
    if errors:
        raise RuntimeError(f"a writer process failed: {errors[0]}")
    return measured([o for o in outcomes if isinstance(o, Tally)], server_ns)


def _writer_process(
    task: str,
    setup: Setup,
    writers: int,
    budget: Budget,
    index: int,
    processes: int,
    gates: tuple[Any, Any, Any],
    results: Any,
) -> None:
    """One process's share of the writers: its threads start when every process is ready,
    and its sessions stay open until the server's CPU has been read."""
    ready, go, read = gates
    mine = budget if budget.count is None else Budget(None, budget.share(processes, index))
    try:
        with operations(task, setup, writers) as make_op:

            def in_step() -> None:
                ready.wait(timeout=300)
                go.wait(timeout=60)

            results.put(tally_threads(writers, mine, make_op, ready=in_step))
            read.wait(timeout=60)
    except BaseException as error:
        for gate in gates:
            gate.abort()
        results.put(repr(error))


def mean_event_size(database: Database, ledger: Ledger) -> int:
    table = sql.Identifier(getattr(ledger.recorder, "events_table_name", "stored_events"))
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT avg(octet_length(state))::int FROM {}").format(table)
        ).fetchone()
    return int(row[0]) if row and row[0] else 300


def run(admin_conninfo: str, budget: Budget, processes: int, rounds: int = 1) -> None:
    pool_size = max(CONCURRENCIES)
    master_key, audit_key = new_master_key_text(), new_audit_key_text()
    with (
        scratch_database(admin_conninfo, "cxl_bench") as database,
        migrated_ledger(database, pool_size, master_key, audit_key) as ledger,
    ):
        with database.connect(autocommit=True) as conn:
            conn.execute(RAW_DDL)
            version = str(conn.execute("SELECT current_setting('server_version')").fetchall()[0][0])
        measure(1, Budget(None, WARM_UP), lambda: registration(ledger))
        setup = Setup(database.conninfo, master_key, audit_key, mean_event_size(database, ledger))
        server = ServerCpu(database)
        rows = []
        share = budget.per_round(rounds)
        for workers in CONCURRENCIES:
            # Each side's budget in rounds, the sides taking turns (registrations, raw, log,
            # registrations...): a slow spell of the machine falls on every side alike instead
            # of on whichever ran through it (the raw baseline alone swung by half between
            # runs of a few seconds each).
            parts: dict[str, list[Measured]] = {task: [] for task in TASKS}
            for _ in range(rounds):
                for task in TASKS:
                    parts[task].append(
                        measure_task(task, setup, ledger, workers, processes, share, server)
                    )
            app, raw, appends = (combined(parts[task]) for task in TASKS)
            rows.append((workers, app, raw, appends))
    print_table(version, setup.payload, budget, processes, rows, rounds)


def print_table(
    version: str,
    payload: int,
    budget: Budget,
    processes: int,
    rows: list[tuple[int, Measured, Measured, Measured]],
    rounds: int = 1,
) -> None:
    each = f"{budget.seconds:g} s" if budget.count is None else f"{budget.count} operations"
    print(f"PostgreSQL {version}; {each} per measurement; raw payload {payload} bytes")
    if rounds > 1:
        print(f"Each measurement in {rounds} rounds, the three sides taking turns.")
    if processes > 1:
        print(f"Several writers run in {processes} processes (each side alike); one in one.")
    print(
        "(CPU us/op: client = the writers' processes, server = the database's backends;"
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
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        choices=range(1, 17),
        metavar="N",
        help="spread several writers over N processes, each side alike (default 1)",
    )
    add_rounds_argument(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    budget = Budget(None, args.count) if args.count else Budget(args.seconds or 5.0, None)
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, budget, args.processes, args.rounds)


if __name__ == "__main__":
    main()
