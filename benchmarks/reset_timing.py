"""Whether `requestPasswordReset`'s timing tells a customer's email from an unknown one.

A request for a customer's email loads them, seals a token and commits; one for an unknown
email only looks it up. The resolver answers no sooner than a fixed floor after the request
began, so both should take the same time. One client sends the two kinds in alternation,
one at a time, and the benchmark prints each kind's median and 90th percentile, the ratio of
the medians (1.000 means no difference), and a bare Starlette endpoint's median on the same
server in the same run as the baseline.

    .venv/bin/python -m benchmarks.reset_timing [--requests 200] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import time
import uuid
from typing import Any

import httpx

from benchmarks.survey_responses import STAFF, ledger_on, secrets_from, server
from domain.customer.commands import RegisterCustomer
from infrastructure.crypto import new_master_key_text
from infrastructure.database import scratch_database, scratch_server
from infrastructure.migrations import migrate

REQUEST_RESET = """
mutation Reset($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { accepted userErrors { code } }
}
"""


def reset_body(email: str) -> dict[str, Any]:
    return {"query": REQUEST_RESET, "variables": {"input": {"email": email}}}


def timed(http: httpx.Client, path: str, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = http.post(path, json=body)
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or "errors" in response.json():
        raise RuntimeError(f"request failed: {response.status_code} {response.text}")
    return elapsed


def summary(name: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"{name:>14}  {statistics.median(ordered) * 1000:>10.1f}  {p90 * 1000:>8.1f}"


def run(admin_conninfo: str, requests: int, warm_up: int = 10) -> None:
    bench_secrets = (new_master_key_text(), secrets.token_urlsafe(48))
    known = f"{uuid.uuid4().hex}@bench.example"
    with scratch_database(admin_conninfo, "cxl_bench") as database:
        with ledger_on(database, secrets_from(*bench_secrets)) as ledger:
            migrate(database, ledger)
            ledger.register_customer(RegisterCustomer("Bench Customer", known), STAFF)
        with server(database, bench_secrets) as url, httpx.Client(base_url=url) as http:
            times: dict[str, list[float]] = {"known email": [], "unknown email": [], "bare": []}
            for index in range(requests + warm_up):
                unknown = f"{uuid.uuid4().hex}@bench.example"
                pairs = [("known email", known), ("unknown email", unknown)]
                for kind, email in pairs if index % 2 else pairs[::-1]:
                    spent = timed(http, "/graphql", reset_body(email))
                    if index >= warm_up:  # the first rounds warm the server up
                        times[kind].append(spent)
                bare = timed(http, "/bench-bare", {"ping": index})
                if index >= warm_up:
                    times["bare"].append(bare)
    print(f"{requests} requests of each kind, one at a time, alternating")
    print(f"{'':>14}  {'median ms':>10}  {'p90 ms':>8}")
    for kind, seconds in times.items():
        print(summary(kind, seconds))
    ratio = statistics.median(times["known email"]) / statistics.median(times["unknown email"])
    print(f"known/unknown median ratio: {ratio:.3f} (1.000: the timing tells nothing)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=10,
        help="rounds sent first and not counted (each waits out the answer floor twice)",
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
        run(admin_conninfo, args.requests, args.warm_up)


if __name__ == "__main__":
    main()
