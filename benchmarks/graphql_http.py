"""GraphQL over HTTP against a bare Starlette endpoint, and registrations against raw INSERTs.

Two servers run in processes of their own, both under uvicorn as ``cxledger serve`` runs it
(``infrastructure.server.uvicorn_config``): the product's app with its projection workers, and
a bare Starlette app whose POST /graphql reads the JSON body and answers a constant. The same
load generator (``benchmarks.support.http_load``: keep-alive connections in this process)
drives both, in the same run:

- ``{ __typename }``, anonymous, against the bare endpoint (the load's ceiling, too);
- ``registerCustomer`` as an agent (it waits for the customer directory to show the write,
  as every mutation does), against single-row INSERT commits by as many psycopg connections;
- ``customers(first: 20)`` with four fields as an agent, against the bare endpoint: the
  product's server keeps the page while the directory's rows stand still
  (``projections.row_cache``), as it does for a dashboard that many read; so the same page,
  ``same, none kept``, from a third server that keeps nothing (``CXL_READ_CACHE_ENTRIES=0``,
  the read models applied by the first): every page read from PostgreSQL;
- ``customer(id) { name }`` as an agent, against the bare endpoint: one plain field, one
  resolver and one read of one row (answered directly, as the list page is, and kept while
  the directory stands still); ``same, id a variable``, the same request with its id given as
  a variable, the shape most clients send (answered directly too, its variables coerced in
  each request); and ``customer, none kept``, the first from the server that keeps nothing.

Each line prints requests/s, p50 and p99 of both sides, the ratio of their rates, and the
server's CPU time per request of each side (user and system, from ``/proc``, the whole
process: the product's projection workers polling meanwhile included), which load from
other processes on the machine does not change the way it changes rates.

With ``--processes N`` (N > 1) each side is served by N processes sharing the port
(``SO_REUSEPORT``: the kernel spreads the clients' connections over them), the shape
``docker-compose.yml`` deploys on a machine of N cores: N ``api`` replicas that run no
projection (``CXL_RUN_PROJECTIONS=false``: a replica's read-your-writes wait listens for the
positions the worker commits) and the projections in a ``worker`` process of its own; the bare
endpoint in N processes alike. The CPU a request is then the sum of every process of the side,
the worker's included. (The deployment's proxy in front of the replicas is not in the figure.)

    .venv/bin/python -m benchmarks.graphql_http [--requests 2000] [--clients 16] [--rounds 3]
        [--processes 1] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import multiprocessing
import os
import secrets
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from benchmarks.support.http_load import Check, Figures, drive, post_request
from benchmarks.support.ports import free_port
from benchmarks.support.rounds import add_rounds_argument
from benchmarks.survey_responses import EVERY_RESET_SENT, ledger_on, secrets_from
from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from graphql_api.app import create_app
from graphql_api.context import ApiServices
from infrastructure.crypto import new_master_key_text
from infrastructure.database import Database, scratch_database, scratch_server
from infrastructure.heap import settle_heap
from infrastructure.login import CUSTOMER_TOKEN_TTL_SECONDS, CustomerLogin, LoginThrottle
from infrastructure.migrations import migrate
from infrastructure.password_access import ThrottledPasswordAccess
from infrastructure.projection_runner import ProjectionRunner, ProjectionWorker
from infrastructure.secrets import Secrets
from infrastructure.server import uvicorn_config
from infrastructure.sessions import LoggedSessions, events_table
from infrastructure.throttles import WindowCounters
from infrastructure.tokens import JwtTokens
from projections.registry import ALL_PROJECTIONS, build_projections
from projections.tracking import all_positions

HOST = "127.0.0.1"
TYPENAME = {"query": "{ __typename }"}
CUSTOMERS = {"query": "{ customers(first: 20) { edges { node { id name email region } } } }"}
ONE_FIELD = '{ customer(id: "%s") { name } }'
ONE_BY_VARIABLE = "query($id: UUID!) { customer(id: $id) { name } }"
REGISTER = """
mutation Register($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { customer { id } position userErrors { code } }
}
"""
PAGE = 20
NONE_KEPT = "  same, none kept"
"""The list page from a server that keeps no read (``serve_api_reading_through``)."""
BY_VARIABLE = "  same, id a variable"
"""``customer { name }`` with its id given as a variable, the shape most clients send."""
ONE_NONE_KEPT = "  customer, none kept"
"""``customer { name }`` from the server that keeps no read."""
STAFF = EventMetadata(actor_id="benchmark", actor_role=Role.AGENT, channel=Channel.API)
INSERT = "INSERT INTO bench_rows (id, name, email, region) VALUES (%s, %s, %s, %s)"


Started = Any
"""A ``multiprocessing`` event a server process sets once it accepts connections."""


def serve_api(
    conninfo: str,
    master_key: str,
    jwt_secret: str,
    port: int,
    replica: bool,
    started: Started,
    read_cache_entries: int = ApiServices.read_cache_entries,
) -> None:
    """The product's app, as ``serve`` runs it: with its projection workers, or as one replica
    of several sharing the port, without them (``run_projections`` runs them)."""
    database = Database(conninfo)
    bench_secrets = secrets_from(master_key, jwt_secret)
    with ledger_on(database, bench_secrets) as ledger:
        tokens = JwtTokens(jwt_secret, "cxledger")
        worker = None if replica else projection_worker(ledger, database, bench_secrets)
        services = ApiServices(
            ledger=ledger,
            conninfo=conninfo,
            verify_token=tokens.verify,
            log_in=CustomerLogin(ledger, tokens, LoginThrottle(database.connect)),
            audit_keys=bench_secrets.audit_keys,
            sessions=LoggedSessions(tokens, events_table(ledger), CUSTOMER_TOKEN_TTL_SECONDS),
            password_access=ThrottledPasswordAccess(
                ledger, WindowCounters(database.connect), EVERY_RESET_SENT
            ),
            pool_size=8,
            read_cache_entries=read_cache_entries,
        )
        if worker is not None:
            services = dataclasses.replace(
                services,
                on_start=worker.start,
                on_stop=worker.stop,
                projection_errors=worker.errors,
                applied=worker.applied,
            )
        app = create_app(services)
        settle_heap()  # as `serve` does
        run_until_stopped(app, port, replica, started)


def serve_api_reading_through(
    conninfo: str, master_key: str, jwt_secret: str, port: int, replica: bool, started: Started
) -> None:
    """The product's app keeping no read (``CXL_READ_CACHE_ENTRIES=0``), without projection
    workers (the other server's apply the read models): every list page read from PostgreSQL."""
    serve_api(conninfo, master_key, jwt_secret, port, True, started, read_cache_entries=0)


def projection_worker(
    ledger: Ledger, database: Database, bench_secrets: Secrets
) -> ProjectionWorker:
    projections = build_projections(bench_secrets.audit_keys.chain)
    return ProjectionWorker([ProjectionRunner(ledger, database, p, 100) for p in projections])


def run_projections(conninfo: str, master_key: str, jwt_secret: str, started: Started) -> None:
    """The read models' worker of a side served by replicas, as ``project`` runs it: until
    SIGTERM."""
    database = Database(conninfo)
    bench_secrets = secrets_from(master_key, jwt_secret)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with ledger_on(database, bench_secrets) as ledger:
        worker = projection_worker(ledger, database, bench_secrets)
        worker.start()
        started.set()
        stop.wait()
        worker.stop()


async def bare_graphql(request: Request) -> Response:
    """The baseline: read the JSON body, answer JSON; no GraphQL, no database."""
    await request.json()
    return JSONResponse({"data": {"__typename": "Query"}})


async def bare_health(request: Request) -> Response:
    return PlainTextResponse("ok")


def serve_bare(port: int, replica: bool, started: Started) -> None:
    app = Starlette(
        routes=[
            Route("/graphql", bare_graphql, methods=["POST"]),
            Route("/health", bare_health, methods=["GET"]),
        ]
    )
    run_until_stopped(app, port, replica, started)


def run_until_stopped(app: Starlette, port: int, replica: bool, started: Started) -> None:
    """Serve ``app`` under uvicorn as ``serve`` does, on a port of its own or, as a replica, on
    a socket bound with ``SO_REUSEPORT`` beside the other replicas' until SIGTERM; ``started``
    is set once it accepts connections."""
    server = uvicorn.Server(uvicorn_config(app, HOST, port, "warning"))
    threading.Thread(target=_tell_started, args=(server, started), daemon=True).start()
    server.run(sockets=[_shared_port(port)] if replica else None)


def _tell_started(server: uvicorn.Server, started: Started) -> None:
    while not server.started:
        time.sleep(0.01)
    started.set()


def _shared_port(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((HOST, port))
    return sock


@dataclass(frozen=True)
class Served:
    """A server running in processes of its own."""

    port: int
    pids: Sequence[int | None]

    def cpu_seconds(self) -> float | None:
        """The processes' user and system CPU time so far; None where /proc has no figure."""
        total = 0.0
        for pid in self.pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                return None
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total


@dataclass(frozen=True)
class Measured:
    """One side's figures, and its server's CPU time per request (µs), where known."""

    figures: Figures
    cpu_us: float | None


@contextlib.contextmanager
def server(
    target: Callable[..., None],
    *args: object,
    processes: int = 1,
    beside: Callable[..., None] | None = None,
) -> Iterator[Served]:
    """Run ``target(*args, port, replica, started)`` in a process of its own, or in
    ``processes`` replicas sharing the port (``replica`` true), and ``beside(*args, started)``
    in one more when given, until every one has started."""
    port = free_port()
    context = multiprocessing.get_context("spawn")
    replica = processes > 1
    children = []
    for _ in range(processes):
        started = context.Event()
        children.append(
            (context.Process(target=target, args=(*args, port, replica, started)), started)
        )
    if beside is not None:
        started = context.Event()
        children.append((context.Process(target=beside, args=(*args, started)), started))
    for process, _ in children:
        process.start()
    try:
        for process, started in children:
            _wait_until_started(process, started)
        yield Served(port, [process.pid for process, _ in children])
    finally:
        for process, _ in children:
            process.terminate()  # SIGTERM: uvicorn shuts down, the workers stop
        for process, _ in children:
            process.join(30)


def _wait_until_started(process: multiprocessing.process.BaseProcess, started: Started) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.is_alive():
        if started.wait(0.1):
            return
    raise RuntimeError("a server process did not start")


def no_errors(field: str | None) -> Check:
    """An answer is right if it is 200 without errors (nor user errors in ``field``)."""

    def check(status: int, body: Any) -> str | None:
        payload = (body.get("data") or {}).get(field) if field and body else None
        if status != 200 or "errors" in body or (payload and payload.get("userErrors")):
            return str(body)[:500]
        return None

    return check


def registrations(port: int, token: str, count: int) -> list[bytes]:
    bodies = []
    for _ in range(count):
        email = f"{uuid.uuid4().hex}@bench.example"
        variables = {"input": {"name": "Bench Customer", "email": email, "region": "north"}}
        bodies.append(
            post_request(HOST, port, "/graphql", {"query": REGISTER, "variables": variables}, token)
        )
    return bodies


def measure(served: Served, requests: list[bytes], clients: int, check: Check) -> Measured:
    drive(HOST, served.port, requests[:clients], clients, check)  # warm: connections, caches
    before = served.cpu_seconds()
    figures = drive(HOST, served.port, requests[clients:], clients, check)
    after = served.cpu_seconds()
    if before is None or after is None or not figures.requests:
        return Measured(figures, None)
    return Measured(figures, (after - before) / figures.requests * 1e6)


def raw_inserts(conninfo: str, count: int, clients: int) -> Figures:
    """Single-row INSERT commits by ``clients`` connections, each timed."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_rows (id uuid PRIMARY KEY, name text, email text,"
            " region text)"
        )
    return asyncio.run(_raw_inserts(conninfo, count, clients))


async def _raw_inserts(conninfo: str, count: int, clients: int) -> Figures:
    connections = [
        await psycopg.AsyncConnection.connect(conninfo, autocommit=True) for _ in range(clients)
    ]
    pending, latencies = iter(range(count)), []

    async def client(conn: psycopg.AsyncConnection[Any]) -> None:
        for _ in pending:
            sent = time.perf_counter()
            row = (uuid.uuid4(), "Bench Customer", f"{uuid.uuid4().hex}@bench.example", "north")
            await conn.execute(INSERT, row)
            latencies.append(time.perf_counter() - sent)

    started = time.perf_counter()
    try:
        await asyncio.gather(*(client(conn) for conn in connections))
    finally:
        for conn in connections:
            await conn.close()
    return Figures(len(latencies), time.perf_counter() - started, latencies)


def run(
    admin_conninfo: str, count: int, clients: int, rounds: int = 1, processes: int = 1
) -> list[tuple[str, Measured, Measured]]:
    """Each figure from ``count`` requests, in ``rounds`` rounds in which every side takes its
    turn (the bare endpoint, the three queries, the registrations, the raw INSERTs): a slow
    spell of the machine falls on the product and its baseline alike (the bare endpoint's rate
    alone swung from 5,834 to 13,208 requests/s between runs of this benchmark a minute apart,
    when each side ran all its requests at once)."""
    master_key, jwt_secret = new_master_key_text(), secrets.token_urlsafe(48)
    agent = JwtTokens(jwt_secret, "cxledger").mint("bench-agent", Role.AGENT)
    share = max(1, count // rounds)
    n = share + clients
    with scratch_database(admin_conninfo, "cxl_bench") as database:
        with ledger_on(database, secrets_from(master_key, jwt_secret)) as ledger:
            migrate(database, ledger)
            registered_ids = []
            for index in range(PAGE):  # a full first page for customers(first: 20)
                registration = RegisterCustomer(f"Customer {index}", f"{index}@bench.example")
                registered_ids.append(ledger.register_customer(registration, STAFF).aggregate_id)
            head = ledger.head_position()
        projections = run_projections if processes > 1 else None
        keys = (database.conninfo, master_key, jwt_secret)
        with (
            server(serve_api, *keys, processes=processes, beside=projections) as api,
            server(serve_bare, processes=processes) as bare,
            # Replicas keep no read anyway (they apply no read model): no third server then.
            server(serve_api_reading_through, *keys)
            if processes == 1
            else contextlib.nullcontext(None) as through,
        ):
            caught_up(database.conninfo, head)  # no catch-up competes with the first figures
            baseline = [post_request(HOST, bare.port, "/graphql", TYPENAME, None)] * n
            typename = [post_request(HOST, api.port, "/graphql", TYPENAME, None)] * n
            listed = [post_request(HOST, api.port, "/graphql", CUSTOMERS, agent)] * n
            one_field = {"query": ONE_FIELD % registered_ids[0]}
            field = [post_request(HOST, api.port, "/graphql", one_field, agent)] * n
            by_variable = {"query": ONE_BY_VARIABLE, "variables": {"id": str(registered_ids[0])}}
            variable = [post_request(HOST, api.port, "/graphql", by_variable, agent)] * n
            unkept, one_unkept = (
                (
                    [post_request(HOST, through.port, "/graphql", CUSTOMERS, agent)] * n,
                    [post_request(HOST, through.port, "/graphql", one_field, agent)] * n,
                )
                if through is not None
                else ([], [])
            )
            sides: dict[str, list[Measured]] = {}
            for _ in range(rounds):
                turns: dict[str, Callable[[], Measured | None]] = {
                    "bare": lambda: measure(bare, baseline, clients, no_errors(None)),
                    "{ __typename }": lambda: measure(api, typename, clients, no_errors(None)),
                    "customer { name }": lambda: measure(api, field, clients, no_errors(None)),
                    BY_VARIABLE: lambda: measure(api, variable, clients, no_errors(None)),
                    ONE_NONE_KEPT: lambda: (
                        measure(through, one_unkept, clients, no_errors(None))
                        if through is not None
                        else None
                    ),
                    "customers(first: 20)": lambda: measure(api, listed, clients, no_errors(None)),
                    NONE_KEPT: lambda: (
                        measure(through, unkept, clients, no_errors(None))
                        if through is not None
                        else None
                    ),
                    "registerCustomer": lambda: measure(
                        api,
                        registrations(api.port, agent, n),
                        clients,
                        no_errors("registerCustomer"),
                    ),
                    "inserts": lambda: Measured(
                        raw_inserts(database.conninfo, share, clients), None
                    ),
                }
                for side, turn in turns.items():
                    measured = turn()
                    if measured is not None:
                        sides.setdefault(side, []).append(measured)
            figure = {side: combined(parts) for side, parts in sides.items()}
    every = (
        "{ __typename }",
        "customer { name }",
        BY_VARIABLE,
        ONE_NONE_KEPT,
        "customers(first: 20)",
        NONE_KEPT,
    )
    queries = [name for name in every if name in figure]
    rows = [(name, figure[name], figure["bare"]) for name in queries]
    rows.append(("registerCustomer", figure["registerCustomer"], figure["inserts"]))
    return rows


def combined(rounds: list[Measured]) -> Measured:
    """One side's rounds as one figure: all their requests over all their time, every
    latency, the server's CPU per request weighted by each round's requests (None if a round
    has none)."""
    requests = sum(r.figures.requests for r in rounds)
    figures = Figures(
        requests,
        sum(r.figures.seconds for r in rounds),
        [latency for r in rounds for latency in r.figures.latencies],
    )
    cpus = [r.cpu_us for r in rounds]
    if requests == 0 or any(cpu is None for cpu in cpus):
        return Measured(figures, None)
    weighted = sum((cpu or 0.0) * r.figures.requests for cpu, r in zip(cpus, rounds, strict=True))
    return Measured(figures, weighted / requests)


def caught_up(conninfo: str, head: int) -> None:
    """Wait until every read model has applied the log up to ``head``."""
    deadline = time.monotonic() + 120
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while time.monotonic() < deadline:
            positions = all_positions(conn)
            reached = [positions.get(p.name, -1) >= head for p in ALL_PROJECTIONS]
            if all(reached):
                return
            time.sleep(0.2)
    raise RuntimeError("the read models did not catch up")


def report(
    rows: list[tuple[str, Measured, Measured]],
    count: int,
    clients: int,
    rounds: int = 1,
    processes: int = 1,
) -> None:
    print(f"{clients} clients, {count:,} requests per figure (after {clients} to warm up)")
    if processes > 1:
        print(f"each side served by {processes} processes sharing the port (SO_REUSEPORT), the")
        print("product's read models in a worker process beside them; cpu us: all of them")
    if rounds > 1:
        print(f"each figure in {rounds} rounds, every side taking its turn in each")
    print("baselines: the queries against the bare Starlette endpoint under uvicorn;")
    print("registerCustomer against single-row INSERT commits; ratio: ratio to baseline of")
    print("the rates; cpu us: the server's CPU time a request (the product's, the baseline's)")
    print(
        f"{'request':<22} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'p99/p50':>7}"
        f" {'base/s':>8} {'p50 ms':>7} {'p99 ms':>7}  {'ratio':>6} {'cpu us':>7} {'base':>6}"
    )
    for name, measured, baseline in rows:
        app, base = measured.figures, baseline.figures
        print(
            f"{name:<22} {app.per_second:>8,.0f} {app.p50_ms:>7.1f} {app.p99_ms:>7.1f}"
            f" {app.p99_ms / app.p50_ms:>7.1f} {base.per_second:>8,.0f} {base.p50_ms:>7.1f}"
            f" {base.p99_ms:>7.1f}  {app.per_second / base.per_second:>6.3f}"
            f" {_us(measured.cpu_us):>7} {_us(baseline.cpu_us):>6}"
        )


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2_000, help="requests per figure")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    add_rounds_argument(parser)
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        choices=range(1, 9),
        metavar="N",
        help="serve each side by N processes sharing the port, the product's read models in a"
        " worker process beside them, as docker-compose deploys N api replicas (default 1)",
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
        rows = run(admin_conninfo, args.requests, args.clients, args.rounds, args.processes)
        report(rows, args.requests, args.clients, args.rounds, args.processes)


if __name__ == "__main__":
    main()
