"""Whether an anonymous `registerCustomer`'s timing tells a customer's email from a new one.

A new email registers a customer (argon2id hash, two streams committed); a customer's email
registers no one (the same hash, a lookup, and at most one notice an hour to its owner). The
resolver answers no sooner than a fixed floor after the request began. One client sends the
two kinds in alternation, one at a time, and the benchmark prints each kind's median and 90th
percentile, the ratio of the medians (1.000: the timing tells nothing), and a bare Starlette
endpoint's median on the same server in the same run as the baseline.

    .venv/bin/python -m benchmarks.registration_timing [--requests 50] [--database-url URL]

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

from benchmarks.reset_timing import summary, timed
from benchmarks.survey_responses import STAFF, ledger_on, secrets_from, server
from domain.customer.commands import RegisterCustomer
from infrastructure.crypto import new_master_key_text
from infrastructure.database import scratch_database, scratch_server
from infrastructure.migrations import migrate

REGISTER = """
mutation Register($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { customer { id } position userErrors { code } }
}
"""
PASSWORD = "correct horse battery staple"


def register_body(email: str) -> dict[str, Any]:
    person = {"name": "Bench Visitor", "email": email, "password": PASSWORD}
    return {"query": REGISTER, "variables": {"input": person}}


def registered(http: httpx.Client, email: str) -> float:
    """Seconds one anonymous registration took; it must be answered as accepted."""
    started = time.perf_counter()
    response = http.post("/graphql", json=register_body(email))
    elapsed = time.perf_counter() - started
    payload = response.json().get("data", {}).get("registerCustomer") or {}
    if response.status_code != 200 or payload.get("userErrors") != []:
        raise RuntimeError(f"registration refused: {response.status_code} {response.text}")
    return elapsed


def run(admin_conninfo: str, requests: int, warm_up: int = 4) -> None:
    bench_secrets = (new_master_key_text(), secrets.token_urlsafe(48))
    known = f"{uuid.uuid4().hex}@bench.example"
    with scratch_database(admin_conninfo, "cxl_bench") as database:
        with ledger_on(database, secrets_from(*bench_secrets)) as ledger:
            migrate(database, ledger)
            ledger.register_customer(RegisterCustomer("Bench Customer", known), STAFF)
        with server(database, bench_secrets) as url, httpx.Client(base_url=url) as http:
            times: dict[str, list[float]] = {"customer email": [], "new email": [], "bare": []}
            for index in range(requests + warm_up):
                new = f"{uuid.uuid4().hex}@bench.example"
                pairs = [("customer email", known), ("new email", new)]
                for kind, email in pairs if index % 2 else pairs[::-1]:
                    spent = registered(http, email)
                    if index >= warm_up:  # the first rounds warm the server up
                        times[kind].append(spent)
                bare = timed(http, "/bench-bare", {"ping": index})
                if index >= warm_up:
                    times["bare"].append(bare)
    print(f"{requests} anonymous registrations of each kind, one at a time, alternating")
    print(f"{'':>14}  {'median ms':>10}  {'p90 ms':>8}")
    for kind, seconds in times.items():
        print(summary(kind, seconds))
    ratio = statistics.median(times["customer email"]) / statistics.median(times["new email"])
    print(f"customer/new median ratio: {ratio:.3f} (1.000: the timing tells nothing)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="requests of each kind")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=4,
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
