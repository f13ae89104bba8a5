"""The survey page's server time (p50, p99): showing the form at an invitation's link
(``GET /s/<token>``: the invitation and its survey loaded from the log, the template rendered)
and answering it (``POST /s/<token>``: the form read, its token checked, the answer committed
through the ledger), against a bare Starlette endpoint answering a page of the same size from
memory, served by the same app in the same process, timed the same way in the same run.

Server time is measured inside the process, around the whole ASGI app (from the request's
arrival to the last byte handed to uvicorn), so the client's own time does not count. Requests
go one at a time, alternating page and bare, from one keep-alive client.

    .venv/bin/python -m benchmarks.survey_page [--requests 500] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Iterator

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from benchmarks.support.ports import free_port
from benchmarks.survey_responses import (
    email_survey,
    invited,
    ledger_on,
    secrets_from,
)
from domain.ledger import Ledger
from graphql_api.app import create_app
from graphql_api.context import ApiServices
from infrastructure.crypto import new_master_key_text
from infrastructure.database import Database, scratch_database, scratch_server
from infrastructure.login import CUSTOMER_TOKEN_TTL_SECONDS, CustomerLogin, LoginThrottle
from infrastructure.migrations import migrate
from infrastructure.password_access import ThrottledPasswordAccess
from infrastructure.secrets import Secrets
from infrastructure.sessions import LoggedSessions, events_table
from infrastructure.throttles import WindowCounters
from infrastructure.tokens import JwtTokens

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WARM_UP = 20


class ServerTimes:
    """Wraps the ASGI app; records each HTTP request's time inside it, by label."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.times: dict[str, list[float]] = defaultdict(list)
        self.label = "warm-up"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        label = f"{scope['method']} {self.label}"
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.times[label].append(time.perf_counter() - started)


def services_for(ledger: Ledger, database: Database, bench_secrets: Secrets) -> ApiServices:
    tokens = JwtTokens(bench_secrets.jwt_secret, "cxledger")
    return ApiServices(
        ledger=ledger,
        conninfo=database.conninfo,
        verify_token=tokens.verify,
        log_in=CustomerLogin(ledger, tokens, LoginThrottle(database.connect)),
        audit_keys=bench_secrets.audit_keys,
        sessions=LoggedSessions(tokens, events_table(ledger), CUSTOMER_TOKEN_TTL_SECONDS),
        password_access=ThrottledPasswordAccess(ledger, WindowCounters(database.connect)),
        pool_size=2,
    )


@contextlib.contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)


def with_bare_page(services: ApiServices, size: int) -> ASGIApp:
    app = create_app(services)
    body = "<!doctype html><title>bare</title>" + "x" * max(0, size - 36)

    async def bare(_: Request) -> HTMLResponse:
        return HTMLResponse(body)

    app.router.routes.insert(0, Route("/bench-bare", bare, methods=["GET", "POST"]))
    return app


def expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url.path}: {response.status_code} {response.text}")
    return response


def drive(http: httpx.Client, timed: ServerTimes, tokens: list[str]) -> None:
    """For each token: show the form, answer it; each followed by a bare request."""
    for index, token in enumerate(tokens):
        timed.label = "warm-up" if index < WARM_UP else "survey page"
        page = expect(http.get(f"/s/{token}"), 200)
        found = CSRF.search(page.text)
        if found is None:
            raise RuntimeError("the survey page has no form token")
        timed.label = "warm-up" if index < WARM_UP else "bare"
        expect(http.get("/bench-bare"), 200)
        timed.label = "warm-up" if index < WARM_UP else "survey page"
        answer = {"csrf_token": found.group(1), "score": "9", "comment": "Quick and easy."}
        expect(http.post(f"/s/{token}", data=answer), 200)
        timed.label = "warm-up" if index < WARM_UP else "bare"
        expect(http.post("/bench-bare", data=answer), 200)


def percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return statistics.median(times), cuts[98]


def run(admin_conninfo: str, requests: int) -> None:
    bench_secrets = secrets_from(new_master_key_text(), secrets.token_urlsafe(48))
    with (
        scratch_database(admin_conninfo, "cxl_bench") as database,
        ledger_on(database, bench_secrets) as ledger,
    ):
        migrate(database, ledger)
        survey_id = email_survey(ledger)
        tokens = [invited(ledger, survey_id) for _ in range(requests + WARM_UP)]
        timed = ServerTimes(with_bare_page(services_for(ledger, database, bench_secrets), 3000))
        with serving(timed) as url, httpx.Client(base_url=url, timeout=30) as http:
            drive(http, timed, tokens)
    print(f"{requests} requests of each kind after {WARM_UP} to warm up, one at a time")
    print(f"{'server time, ms':<22} {'p50':>7} {'p99':>7}  {'p50 ratio to bare':>17}")
    for method in ("GET", "POST"):
        page = percentiles(timed.times[f"{method} survey page"])
        bare = percentiles(timed.times[f"{method} bare"])
        for name, (p50, p99) in ((f"{method} /s/<token>", page), (f"{method} bare", bare)):
            ratio = p50 / bare[0]
            print(f"{name:<22} {p50 * 1000:>7.2f} {p99 * 1000:>7.2f}  {ratio:>17.1f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="page requests of each kind")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    args = parser.parse_args()
    if args.requests < 2:
        parser.error("--requests must be at least 2 (a p99 needs two)")
    return args


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.requests)


if __name__ == "__main__":
    main()
