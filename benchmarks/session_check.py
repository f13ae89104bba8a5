"""What checking a customer's session version costs on every request.

A customer's token carries the session version it was issued at; each request compares it
with the count of ``Customer.SessionsRevoked`` events in the customer's stream, read from the
events table through its primary key (``infrastructure/sessions.py``). This benchmark fills
the log with other customers, gives one customer a stream of ``--events`` events, and prints:
the check query's median (and, as its baseline on the same connection, ``SELECT 1``'s); and
the median of one `customer(id)` request over HTTP as that customer (checked) and as an agent
(not checked), one at a time, alternating, on the same server in the same run.

    .venv/bin/python -m benchmarks.session_check [--customers 3000] [--events 40]
        [--requests 300] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
import uuid
from typing import Any

import httpx
import psycopg

from benchmarks.survey_responses import STAFF, ledger_on, secrets_from, server
from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Role
from graphql_api.auth import Principal
from infrastructure.crypto import new_master_key_text
from infrastructure.database import scratch_database, scratch_server
from infrastructure.migrations import migrate
from infrastructure.sessions import LoggedSessions, events_table
from infrastructure.tokens import JwtTokens

CUSTOMER = "query C($id: UUID!) { customer(id: $id) { id name } }"


def fill(ledger: Ledger, customers: int, events: int) -> uuid.UUID:
    """Other customers, then the one whose sessions are checked, with ``events`` events."""
    for index in range(customers):
        ledger.register_customer(RegisterCustomer(f"Filler {index}", f"f{index}@b.example"), STAFF)
    target = ledger.register_customer(RegisterCustomer("Ada", "ada@b.example"), STAFF)
    for index in range(events - 1):
        ledger.change_contact_details(
            ChangeContactDetails(target.aggregate_id, name=f"Ada {index}"), STAFF
        )
    return target.aggregate_id


async def query_times(conninfo: str, sessions: LoggedSessions, who: Principal, n: int) -> Any:
    checks, pings = [], []
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        for _ in range(n):
            started = time.perf_counter()
            assert await sessions.is_current(conn, who)
            checks.append(time.perf_counter() - started)
            started = time.perf_counter()
            await conn.execute("SELECT 1")
            pings.append(time.perf_counter() - started)
    return statistics.median(checks), statistics.median(pings)


def request_times(url: str, tokens: JwtTokens, customer_id: uuid.UUID, n: int) -> Any:
    as_customer = tokens.mint(str(customer_id), Role.CUSTOMER, session_version=0)
    as_agent = tokens.mint("agent-1", Role.AGENT)
    body = {"query": CUSTOMER, "variables": {"id": str(customer_id)}}
    times: dict[str, list[float]] = {"customer": [], "agent": []}
    with httpx.Client(base_url=url) as http:
        for index in range(n + 10):
            pairs = [("customer", as_customer), ("agent", as_agent)]
            for kind, token in pairs if index % 2 else pairs[::-1]:
                started = time.perf_counter()
                response = http.post(
                    "/graphql", json=body, headers={"authorization": f"Bearer {token}"}
                )
                spent = time.perf_counter() - started
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(f"request failed: {response.text}")
                if index >= 10:
                    times[kind].append(spent)
    return statistics.median(times["customer"]), statistics.median(times["agent"])


def run(admin_conninfo: str, customers: int, events: int, requests: int) -> None:
    bench_secrets = (new_master_key_text(), secrets.token_urlsafe(48))
    tokens = JwtTokens(bench_secrets[1], "cxledger")
    with scratch_database(admin_conninfo, "cxl_bench") as database:
        with ledger_on(database, secrets_from(*bench_secrets)) as ledger:
            migrate(database, ledger)
            target = fill(ledger, customers, events)
            head = ledger.head_position()
            sessions = LoggedSessions(tokens, events_table(ledger), 3600)
        who = Principal(str(target), Role.CUSTOMER, session_version=0)
        check, ping = asyncio.run(query_times(database.conninfo, sessions, who, requests * 4))
        with server(database, bench_secrets) as url:
            checked, unchecked = request_times(url, tokens, target, requests)
    print(f"log of {head} events; the customer's stream holds {events}")
    print(f"session check query  {check * 1000:7.3f} ms   SELECT 1  {ping * 1000:7.3f} ms")
    print(f"  ratio to SELECT 1: {check / ping:.2f}")
    print(f"customer(id) as the customer (checked)  {checked * 1000:7.2f} ms")
    print(f"customer(id) as an agent (not checked)  {unchecked * 1000:7.2f} ms")
    print(f"  ratio: {checked / unchecked:.3f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000, help="other customers in the log")
    parser.add_argument("--events", type=int, default=40, help="events of the checked customer")
    parser.add_argument("--requests", type=int, default=300, help="HTTP requests of each kind")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.customers, args.events, args.requests)


if __name__ == "__main__":
    main()
