"""Survey responses per second through the real API, against bare JSON requests per second.

A survey runs on email; customers are registered, opted in to email and invited through the
ledger beforehand, and each invitation's token is read back from its Issued event (where the
outbox finds it to send the link), so clients answer as link holders do: anonymously, with
``submitSurveyResponse(input: {token, score, comment})``. The server is the product's app
under uvicorn, in a process of its own with the projection workers running (as ``serve``
runs them), so the clients do not share its interpreter. The baseline is a bare Starlette
JSON endpoint, ``/bench-bare``, added to this benchmark's app instance only, served by the
same process, called by the same clients with the same body, in the same run.

Each timed run starts once every read model has applied the whole log (``/health``: no lag):
the server's read models start from nothing, and their catch-up of the preparation (some four
events an invitation: the customer, the opt-in, the invitation, in ten read models) used to
run inside the timed answers, on the same two cores. ``--with-catch-up`` times it as before.
The answers' own projection is waited for before the bare run, so it does not slow that one.
Besides requests per second it prints the server process's CPU time per request on each side
(its utime and stime from ``/proc``; each answer's from the start of the run until the read
models have applied it), which the clients' own load and the machine's noise move less; where
an answer's went, by thread (the event loop, the command threads, each read model's worker);
and the database's own work an answer: its transactions (``pg_stat_database``) and, when the
server runs on this machine, its backends' CPU (those connected to the benchmark's database at
both ends of the run, from ``/proc``: a lower bound).

Process managers (reactions: a promoter's thank-you, loyalty points, ...) are not run unless
``--with-reactions`` says so, as the figures before it were measured; `serve` runs them, and
with them each answer costs what its reactions write too.

    .venv/bin/python benchmarks/survey_responses.py [--responses 2000] [--clients 16]
        [--with-catch-up] [--with-reactions] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import uvicorn
from psycopg_pool import ConnectionPool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from graphql_api.app import create_app
from graphql_api.context import ApiServices
from graphql_api.health_sources import HealthSources
from infrastructure.audit_keys import audit_keys_from_text, new_audit_key_text
from infrastructure.bootstrap import build_ledger
from infrastructure.crypto import MasterKey, new_master_key_text
from infrastructure.database import Database, scratch_database, scratch_server
from infrastructure.heap import settle_heap
from infrastructure.login import CUSTOMER_TOKEN_TTL_SECONDS, CustomerLogin, LoginThrottle
from infrastructure.migrations import migrate
from infrastructure.password_access import PasswordPolicy, ThrottledPasswordAccess
from infrastructure.process_manager_runner import ALL_PROCESS_MANAGERS, process_manager_runners
from infrastructure.projection_runner import ProjectionRunner, ProjectionWorker
from infrastructure.secrets import Secrets
from infrastructure.sessions import LoggedSessions, events_table
from infrastructure.throttles import WindowCounters
from infrastructure.tokens import JwtTokens
from projections.registry import build_projections

POOL_SIZE = 16
STAFF = EventMetadata(actor_id="benchmark", actor_role=Role.AGENT, channel=Channel.API)
SUBMIT = """
mutation Submit($input: SubmitSurveyResponseInput!) {
  submitSurveyResponse(input: $input) { responseId userErrors { code message } }
}
"""
COMMENT = "Checkout was quick, but delivery took longer than promised."

# The reset-timing benchmark sends one email many requests: with no cooldown, each of them
# does the whole work of a reset (lookup, token, commit), which is what its timing measures.
EVERY_RESET_SENT = PasswordPolicy(reset_cooldown=timedelta(0), resets_per_day=10**9)


@contextlib.contextmanager
def ledger_on(database: Database, bench_secrets: Secrets) -> Iterator[Ledger]:
    """A ledger wired as the composition root wires it."""
    keys: ConnectionPool[Any] = ConnectionPool(
        database.conninfo, min_size=1, max_size=POOL_SIZE, open=True
    )
    ledger, _ = build_ledger(database, bench_secrets, POOL_SIZE, keys)
    try:
        yield ledger
    finally:
        ledger.close()
        keys.close()


def secrets_from(master_key: str, jwt_secret: str) -> Secrets:
    return Secrets(
        master_key=MasterKey.from_text(master_key),
        jwt_secret=jwt_secret,
        audit_keys=audit_keys_from_text(new_audit_key_text()),  # nothing here verifies the chain
    )


def email_survey(ledger: Ledger) -> uuid.UUID:
    draft = DraftSurvey(
        kind=SurveyKind.NPS,
        title="After delivery",
        question="How likely are you to recommend us to a friend?",
        channels=[SurveyChannel.EMAIL],
    )
    survey_id = ledger.draft_survey(draft, STAFF).aggregate_id
    ledger.publish_survey(survey_id, STAFF)
    return survey_id


def invited(ledger: Ledger, survey_id: uuid.UUID) -> str:
    """Register, opt in to email and invite one customer; the token their link carries."""
    email = f"{uuid.uuid4().hex}@bench.example"
    registration = RegisterCustomer(name="Bench Customer", email=email, region="north")
    customer_id = ledger.register_customer(registration, STAFF).aggregate_id
    opt_in = SetContactPreferences(customer_id, {ContactChannel.EMAIL: True})
    ledger.set_contact_preferences(opt_in, STAFF)
    invitation = ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.EMAIL, STAFF)
    issued = next(iter(ledger.repository.event_store.get(invitation.aggregate_id)))
    token = issued.token.value if isinstance(issued, Invitation.Issued) and issued.token else None
    if token is None:
        raise RuntimeError("the Issued event carries no token")
    return token


def invitation_tokens(ledger: Ledger, count: int, clients: int) -> list[str]:
    survey_id = email_survey(ledger)
    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lambda _: invited(ledger, survey_id), range(count)))


async def bare(request: Request) -> JSONResponse:
    """The baseline: read a JSON body, answer JSON; no GraphQL, no database."""
    body = await request.json()
    return JSONResponse({"data": {"received": len(body)}})


async def thread_names(request: Request) -> JSONResponse:
    """The server's threads by their kernel id (``/proc/PID/task``), so that their CPU can be
    told apart: the event loop, the command threads, each worker."""
    return JSONResponse({str(t.native_id): t.name for t in threading.enumerate()})


async def own_pid(request: Request) -> PlainTextResponse:
    """The server process's id: the parent checks that the server answering on the port is
    the one it started (another process may have taken the port ``free_port`` found)."""
    return PlainTextResponse(str(os.getpid()))


def serve(conninfo: str, master_key: str, jwt_secret: str, port: int, reactions: bool) -> None:
    """The server process: the product's app plus ``/bench-bare``, with the workers (and the
    process managers, if ``reactions``)."""
    database = Database(conninfo)
    bench_secrets = secrets_from(master_key, jwt_secret)
    with ledger_on(database, bench_secrets) as ledger:
        tokens = JwtTokens(jwt_secret, "cxledger")
        projections = build_projections(bench_secrets.audit_keys.chain)
        managers = process_manager_runners(ledger, database, 100) if reactions else []
        runners = [ProjectionRunner(ledger, database, p, 100) for p in projections]
        worker = ProjectionWorker([*runners, *managers])
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
            on_start=worker.start,
            on_stop=worker.stop,
            projection_errors=worker.errors,
            applied=worker.applied,
            health=HealthSources(
                process_managers=tuple(m.name for m in ALL_PROCESS_MANAGERS) if reactions else ()
            ),
        )
        app = create_app(services)
        app.router.routes.append(Route("/bench-bare", bare, methods=["POST"]))
        app.router.routes.append(Route("/bench-threads", thread_names, methods=["GET"]))
        app.router.routes.append(Route("/bench-pid", own_pid, methods=["GET"]))
        settle_heap()  # as `serve` does
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(database: Database, bench_secrets: tuple[str, str]) -> Iterator[str]:
    """The server's URL (what the other HTTP benchmarks use of it)."""
    with server_process(database, bench_secrets) as (url, _):
        yield url


@contextlib.contextmanager
def server_process(
    database: Database, bench_secrets: tuple[str, str], *, reactions: bool = False
) -> Iterator[tuple[str, multiprocessing.process.BaseProcess]]:
    """The server's URL and process (whose CPU time this benchmark reads). A port that
    another process took between ``free_port`` and the server's bind (the server then exits)
    is given up for another, at most ``PORT_TRIES`` times."""
    spawn = multiprocessing.get_context("spawn")
    for _ in range(PORT_TRIES):
        port = free_port()
        args = (database.conninfo, *bench_secrets, port, reactions)
        process = spawn.Process(target=serve, args=args)
        process.start()
        url = f"http://127.0.0.1:{port}"
        try:
            started = wait_until_healthy(url, process)
        except BaseException:
            _stop(process)
            raise
        if started:
            break
        _stop(process)  # it could not bind the port: another one
    else:
        raise RuntimeError("the API server did not start")
    try:
        yield url, process
    finally:
        _stop(process)


PORT_TRIES = 3


def _stop(process: multiprocessing.process.BaseProcess) -> None:
    process.terminate()  # SIGTERM: uvicorn shuts down, the workers stop
    process.join(30)


def wait_until_healthy(url: str, process: multiprocessing.process.BaseProcess) -> bool:
    """True once ``process`` itself answers on ``url`` (its pid, then a healthy /health);
    False if it ended first (it could not bind the port); an error after a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.is_alive():
        with contextlib.suppress(httpx.HTTPError):
            pid = httpx.get(f"{url}/bench-pid", timeout=2)
            ours = pid.status_code == 200 and pid.text == str(process.pid)
            if ours and httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return True
        time.sleep(0.1)
    if not process.is_alive():
        return False
    raise RuntimeError("the API server did not start")


def wait_until_caught_up(url: str, seconds: float = 600.0) -> float:
    """Wait until every read model and process manager the server runs has applied the
    whole log (what the managers' commands wrote included); the seconds it took."""
    started = time.monotonic()
    while True:
        health = httpx.get(f"{url}/health", timeout=60).json()
        followers = [*health["projections"].values(), *health["process_managers"].values()]
        if all(p["lag"] == 0 for p in followers):
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            raise RuntimeError(f"the read models did not catch up in {seconds:.0f} s")
        time.sleep(0.05)


def cpu_seconds(pid: int | None) -> float:
    """The process's CPU time (user and system) so far; NaN where /proc is not there."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_seconds(pid: int | None) -> dict[int, float]:
    """Each of the process's threads' CPU time so far, by kernel id (none without /proc)."""
    seconds: dict[int, float] = {}
    for task in _listed(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended
        seconds[int(task)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def thread_names_of(url: str) -> dict[str, str]:
    names: dict[str, str] = httpx.get(f"{url}/bench-threads", timeout=60).json()
    return names


def _listed(directory: str) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


def by_thread_kind(
    before: Mapping[int, float], after: Mapping[int, float], names: Mapping[str, str], pid: int
) -> dict[str, float]:
    """CPU seconds between two readings, by kind of thread: the event loop (the main thread),
    the command threads (anyio's workers), each worker by its name; a thread that ended
    before the second reading is not counted, one that began after the first counts whole."""
    kinds: dict[str, float] = {}
    for task, seconds in after.items():
        name = "event loop" if task == pid else names.get(str(task), "other")
        kind = "command threads" if name.startswith("AnyIO worker") else name
        kinds[kind] = kinds.get(kind, 0.0) + seconds - before.get(task, 0.0)
    return kinds


class DatabaseWork:
    """The benchmark database's transactions, and its backends' CPU where they run here."""

    def __init__(self, admin_conninfo: str, database: str) -> None:
        self._conninfo, self._database = admin_conninfo, database

    def reading(self) -> tuple[int, dict[int, float]]:
        """Transactions so far (committed or rolled back: a pooled read ends with a rollback),
        and each backend's CPU seconds (by process id)."""
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute("SELECT pg_stat_clear_snapshot()")  # the counters as they are now
            commits = conn.execute(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
                [self._database],
            ).fetchone()
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self._database]
            ).fetchall()
        cpu = {pid: cpu_seconds(pid) for (pid,) in pids}
        return (int(commits[0]) if commits else 0), cpu

    @staticmethod
    def between(
        before: tuple[int, dict[int, float]], after: tuple[int, dict[int, float]]
    ) -> tuple[int, float]:
        """Transactions ended between two readings, and the CPU seconds of the backends
        there at both (NaN when none could be read: a server elsewhere)."""
        both = [p for p, cpu in after[1].items() if p in before[1] and cpu == cpu]
        cpu = sum(after[1][p] - before[1][p] for p in both)
        return after[0] - before[0], cpu if both else float("nan")


def measure(url: str, path: str, bodies: list[dict[str, Any]], clients: int) -> float:
    """Requests per second of ``clients`` threads, each with its own keep-alive client,
    sharing out ``bodies``; every answer must be a success."""
    shares = [bodies[index::clients] for index in range(clients)]
    gate = threading.Barrier(clients + 1)

    def client(share: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            gate.wait()
            for body in share:
                check(http.post(path, json=body))

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(client, share) for share in shares]
        gate.wait()
        started = time.monotonic()
        for future in futures:
            future.result()
    return len(bodies) / (time.monotonic() - started)


def check(response: httpx.Response) -> None:
    body = response.json()
    payload = body.get("data", {}).get("submitSurveyResponse")
    if response.status_code != 200 or "errors" in body or (payload and payload["userErrors"]):
        raise RuntimeError(f"request failed: {response.status_code} {body}")


def submission(token: str) -> dict[str, Any]:
    variables = {"input": {"token": token, "score": 9, "comment": COMMENT}}
    return {"query": SUBMIT, "variables": variables}


def run(
    admin_conninfo: str, responses: int, clients: int, *, with_catch_up: bool, reactions: bool
) -> None:
    bench_secrets = (new_master_key_text(), secrets.token_urlsafe(48))
    with scratch_database(admin_conninfo, "cxl_bench") as database:
        with ledger_on(database, secrets_from(*bench_secrets)) as ledger:
            migrate(database, ledger)
            started = time.monotonic()
            tokens = invitation_tokens(ledger, responses + clients, clients)
            prepared = time.monotonic() - started
        name = psycopg.conninfo.conninfo_to_dict(database.conninfo)["dbname"]
        work = DatabaseWork(admin_conninfo, str(name))
        with server_process(database, bench_secrets, reactions=reactions) as (url, process):
            caught_up = 0.0 if with_catch_up else wait_until_caught_up(url)
            warm, tokens = tokens[:clients], tokens[clients:]
            measure(url, "/graphql", [submission(t) for t in warm], clients)
            bodies = [submission(t) for t in tokens]
            measure(url, "/bench-bare", bodies[:clients], clients)
            if not with_catch_up:
                wait_until_caught_up(url)
            before, threads = cpu_seconds(process.pid), thread_seconds(process.pid)
            database_before = work.reading()
            app = measure(url, "/graphql", bodies, clients)
            # Read the threads now too: anyio ends a command thread idle for 10 s, which the
            # wait for the reactions' catch-up can outlast.
            answered, names = thread_seconds(process.pid), thread_names_of(url)
            wait_until_caught_up(url)  # the answers' projection is part of answering
            app_cpu = cpu_seconds(process.pid) - before
            after, names = answered | thread_seconds(process.pid), names | thread_names_of(url)
            kinds = by_thread_kind(threads, after, names, process.pid or 0)
            commits, database_cpu = DatabaseWork.between(database_before, work.reading())
            before = cpu_seconds(process.pid)
            raw = measure(url, "/bench-bare", bodies, clients)
            raw_cpu = cpu_seconds(process.pid) - before
    print(f"{len(tokens) + clients:,} invitations prepared through the ledger in {prepared:.1f} s")
    if with_catch_up:
        print("timed while the read models caught up with the preparation (--with-catch-up)")
    else:
        print(f"the read models caught up with it in {caught_up:.1f} s, before the timed runs")
    print(f"{clients} clients, {responses:,} requests each way")
    print(f"{'submitSurveyResponse/s':>22}  {'bare JSON requests/s':>20}  responses/bare")
    print(f"{app:>22,.0f}  {raw:>20,.0f}  {app / raw:>14.3f}")
    per_answer, per_bare = 1000 * app_cpu / len(bodies), 1000 * raw_cpu / len(bodies)
    print(f"server CPU per request: {per_answer:.2f} ms an answer (until projected),")
    print(f"  {per_bare:.3f} ms a bare request; CPU ratio bare/answer {per_bare / per_answer:.3f}")
    shares = sorted(kinds.items(), key=lambda kind: -kind[1])
    where = ", ".join(f"{kind} {1000 * cpu / len(bodies):.3f}" for kind, cpu in shares if cpu > 0)
    unseen = app_cpu - sum(kinds.values())  # threads that began and ended between readings
    print(f"an answer's server CPU by thread, ms: {where}")
    print(f"  not attributed to a thread: {1000 * unseen / len(bodies):.3f} ms")
    reacting = "with" if reactions else "without"
    print(
        f"the database an answer ({reacting} reactions): {commits / len(bodies):.1f} transactions,"
        f" {1000 * database_cpu / len(bodies):.2f} ms of its backends' CPU (at least)"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=2_000, help="responses to submit")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument(
        "--with-catch-up",
        action="store_true",
        help="time the answers while the read models catch up with the preparation (as before)",
    )
    parser.add_argument(
        "--with-reactions",
        action="store_true",
        help="run every process manager in the server, as `serve` does (the figures before "
        "this option were measured without them)",
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
        run(
            admin_conninfo,
            args.responses,
            args.clients,
            with_catch_up=args.with_catch_up,
            reactions=args.with_reactions,
        )


if __name__ == "__main__":
    main()
