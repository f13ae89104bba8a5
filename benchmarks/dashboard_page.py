"""The NPS dashboard page's server time (p50, p99) against the same figures over GraphQL
(one POST /graphql asking surveyDashboard's figures, trend by day, breakdowns by region and
product version, compareProductVersions and the surveys, as the page reads them), and both
against a bare Starlette endpoint answering a page of the same size from memory (and, for scale,
the feedback and service pages, which have no single GraphQL twin), all served
by the same app in the same process, timed the same way in the same run, as an analyst
(minimum group size 5) signed in.

The read model is filled set-based as ``benchmarks/dashboard_query.py`` fills it (responses
over a year in regions, channels, tiers and two product versions, and their rollups).
Server time is measured inside the process around the whole ASGI app. Requests go one at a
time, alternating page, GraphQL and bare, from one keep-alive client.

    .venv/bin/python -m benchmarks.dashboard_page [--responses 1000000] [--requests 50]
        [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets

import httpx

from benchmarks.dashboard_query import fill
from benchmarks.survey_page import (
    ServerTimes,
    expect,
    percentiles,
    services_for,
    serving,
    with_bare_page,
)
from benchmarks.survey_responses import ledger_on, secrets_from
from domain.shared.metadata import Role
from infrastructure.crypto import new_master_key_text
from infrastructure.database import scratch_database, scratch_server
from infrastructure.migrations import migrate
from infrastructure.tokens import JwtTokens

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WARM_UP = 3
FIGURES = """invitations responses responseRate suppressed
  nps { responses promoters passives detractors nps marginOfError }"""
SAME_FIGURES_OF = f"""query {{
  surveyDashboard {{
    figures {{ {FIGURES} }}
    trend(interval: INTERVAL, timeZone: "UTC") {{ periodStart figures {{ {FIGURES} }} }}
    regions: breakdown(by: REGION) {{ value figures {{ {FIGURES} }} }}
    versions: breakdown(by: PRODUCT_VERSION) {{ value figures {{ {FIGURES} }} }}
  }}
  compareProductVersions(versionA: "2.5.0", versionB: "2.4.0") {{
    difference marginOfError pValue significant
  }}
  surveys(first: 100) {{ edges {{ node {{ id title }} }} }}
}}"""


def run(admin_conninfo: str, responses: int, requests: int, interval: str) -> None:
    same_figures = SAME_FIGURES_OF.replace("INTERVAL", interval)
    bench_secrets = secrets_from(new_master_key_text(), secrets.token_urlsafe(48))
    with (
        scratch_database(admin_conninfo, "cxl_bench") as database,
        ledger_on(database, bench_secrets) as ledger,
    ):
        migrate(database, ledger)
        fill(database, responses)
        token = JwtTokens(bench_secrets.jwt_secret, "cxledger").mint("bench", Role.ANALYST)
        services = services_for(ledger, database, bench_secrets)
        page_size = 0
        timed = ServerTimes(with_bare_page(services, 60_000))
        with serving(timed) as url, httpx.Client(base_url=url, timeout=120) as http:
            form = expect(http.get("/dashboard/sign-in"), 200)
            found = CSRF.search(form.text)
            if found is None:
                raise RuntimeError("the sign-in page has no form token")
            expect(
                http.post(
                    "/dashboard/sign-in", data={"csrf_token": found.group(1), "token": token}
                ),
                303,
            )
            bearer = {"authorization": f"Bearer {token}"}
            for index in range(requests + WARM_UP):
                warm = index < WARM_UP
                timed.label = "warm-up" if warm else "page"
                page = expect(
                    http.get("/dashboard", params={"tz": "UTC", "interval": interval}), 200
                )
                page_size = len(page.content)
                timed.label = "warm-up" if warm else "graphql"
                answer = expect(
                    http.post("/graphql", json={"query": same_figures}, headers=bearer), 200
                )
                if "errors" in answer.json():
                    raise RuntimeError(answer.text[:500])
                timed.label = "warm-up" if warm else "bare"
                expect(http.get("/bench-bare"), 200)
                for other in ("feedback", "service"):
                    timed.label = "warm-up" if warm else other
                    params = {"tz": "UTC", "interval": interval}
                    expect(http.get(f"/dashboard/{other}", params=params), 200)
    print(f"{responses} responses; {requests} requests of each kind after {WARM_UP} to warm up")
    print(f"dashboard page {page_size} bytes; analyst (minimum group size 5); trend by {interval}")
    print(f"{'server time, ms':<26} {'p50':>9} {'p99':>9}  {'p50 ratio to GraphQL':>20}")
    graphql = percentiles(timed.times["POST graphql"])
    for name, label in (
        ("GET /dashboard", "GET page"),
        ("POST /graphql, same data", "POST graphql"),
        ("GET bare", "GET bare"),
        ("GET /dashboard/feedback", "GET feedback"),
        ("GET /dashboard/service", "GET service"),
    ):
        p50, p99 = percentiles(timed.times[label])
        print(f"{name:<26} {p50 * 1000:>9.2f} {p99 * 1000:>9.2f}  {p50 / graphql[0]:>20.2f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="responses to load")
    parser.add_argument("--requests", type=int, default=50, help="requests of each kind")
    parser.add_argument(
        "--interval",
        choices=["DAY", "WEEK", "MONTH"],
        default="MONTH",
        help="the trend's period (MONTH: the page's default)",
    )
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
        run(admin_conninfo, args.responses, args.requests, args.interval)


if __name__ == "__main__":
    main()
