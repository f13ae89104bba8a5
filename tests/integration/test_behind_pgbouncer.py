"""`cxledger serve` behind PgBouncer in transaction pooling mode: the ledger's writes, the
projection workers and the API go through the pooler (no prepared statements), while the
listener, the leases and migrations reach the server itself (CXL_DIRECT_DATABASE_URL)."""

from __future__ import annotations

import time

import httpx

from infrastructure.database import Database
from tests.integration.test_serve import graphql, start_server, stop
from tests.support.cli import cli_env
from tests.support.pgbouncer import pgbouncer_in_front_of, transactions_through
from tests.support.postgres import conninfo_as_url

CUSTOMERS = 12


def register(url: str, index: int) -> dict[str, object]:
    answer = graphql(
        url,
        f'mutation {{ registerCustomer(input: {{name: "Ada {index}", email: "ada{index}@'
        'example.org", region: "EU"}) { customer { id name } position notices { code } '
        "userErrors { code } } }",
    )
    assert "errors" not in answer, answer
    payload: dict[str, object] = answer["data"]["registerCustomer"]
    return payload


def healthy_and_caught_up(url: str) -> bool:
    health = httpx.get(f"{url}/health", timeout=5).json()
    lags = [p["lag"] for p in health["projections"].values()]
    return health["status"] == "ok" and not any(lags)


def test_serve_works_behind_pgbouncer_in_transaction_mode(database: Database) -> None:
    with pgbouncer_in_front_of(database.conninfo) as pooled:
        before = transactions_through(pooled)
        env = cli_env(
            database,
            CXL_DATABASE_URL=conninfo_as_url(pooled),
            CXL_DIRECT_DATABASE_URL=conninfo_as_url(database.conninfo),
        )
        process, url = start_server(env)
        try:
            written = [register(url, i) for i in range(CUSTOMERS)]
            listed = graphql(url, "{ customers(first: 50) { totalCount } }")
            deadline = time.monotonic() + 30
            while not healthy_and_caught_up(url) and time.monotonic() < deadline:
                time.sleep(0.1)
            caught_up = healthy_and_caught_up(url)
            ready = httpx.get(f"{url}/health/ready", timeout=5)
        finally:
            assert stop(process) == 0
        carried = transactions_through(pooled) - before
    # Read your writes: each mutation answered from the read model, which had its write.
    assert all(w["userErrors"] == [] and w["notices"] == [] for w in written)
    assert all(isinstance(w["customer"], dict) for w in written)
    assert listed["data"]["customers"]["totalCount"] == CUSTOMERS
    # Readiness checks the schema through the pooler too (no session state, nothing prepared).
    assert ready.status_code == 200, ready.text
    assert caught_up, "the projections did not catch up behind PgBouncer"
    assert carried > CUSTOMERS * 3, "the product's work did not go through PgBouncer"
