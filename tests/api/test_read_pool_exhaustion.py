"""An exhausted read pool is a typed, retryable answer: when every connection of the server's
read pool is held by a request (here: queries stuck on a locked table), another request that
needs one waits CXL_DB_TIMEOUT and is answered 503 BUSY with Retry-After, as when the slots
for expensive work are taken; never "Unexpected error." and never a 500, whatever the caller's
role (a customer's token is checked against the database before the request runs). The stuck
requests finish once the table is free."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from uuid import uuid4

import httpx
import pytest

from domain.ledger import Ledger
from domain.shared.metadata import Role
from graphql_api.context import ApiLimits
from infrastructure.database import Database
from tests.api.helpers import JSON, assert_no_internals, error_codes
from tests.support.server import LiveApi, live_api

POOL_SIZE = 4
"""The read pool of a test server (tests/support/server.py)."""
TIMEOUT = 1.0
"""CXL_DB_TIMEOUT of the server under test: how long a request waits for a connection."""
ANSWER_WITHIN = 4.0
"""Seconds within which the refused request must be answered (the timeout, on a busy machine)."""
CUSTOMERS = "{ customers(first: 1) { edges { node { id } } } }"
CUSTOMER = "query C($id: UUID!) { customer(id: $id) { id } }"


@pytest.fixture
def api(ledger: Ledger, database: Database) -> Iterator[LiveApi]:
    limits = ApiLimits(database_timeout=TIMEOUT)
    with live_api(ledger, database, limits, run_worker=False) as running:
        yield running


def post(api: LiveApi, query: str, token: str, accept: str = "application/json") -> httpx.Response:
    with httpx.Client(base_url=api.url, timeout=30) as client:
        headers = {"authorization": f"Bearer {token}", "accept": accept}
        return client.post("/graphql", json={"query": query}, headers=headers)


def waiting_on_locks(database: Database) -> int:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return int(row[0]) if row else 0


def hold_every_connection(
    api: LiveApi, threads: ThreadPoolExecutor
) -> list[Future[httpx.Response]]:
    """Send as many requests as the pool has connections, each stuck on the locked table with
    its connection, and wait until all of them are."""
    token = api.token(Role.AGENT)
    stuck = [threads.submit(post, api, CUSTOMERS, token) for _ in range(POOL_SIZE)]
    deadline = time.monotonic() + 10
    while waiting_on_locks(api.database) < POOL_SIZE:
        assert time.monotonic() < deadline, "the requests never held every connection"
        time.sleep(0.05)
    return stuck


def test_with_every_read_connection_held_a_query_is_answered_503_busy_with_retry_after(
    api: LiveApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="graphql_api.error_log")
    with api.database.connect() as locker, ThreadPoolExecutor(POOL_SIZE) as threads:
        locker.execute("LOCK TABLE customer_directory IN ACCESS EXCLUSIVE MODE")
        stuck = hold_every_connection(api, threads)
        started = time.monotonic()
        refused = api.graphql(CUSTOMERS, role=Role.AGENT)
        took = time.monotonic() - started
        legacy = post(api, CUSTOMERS, api.token(Role.AGENT), accept=JSON)
        locker.rollback()  # the stuck requests may now finish
        finished = [future.result() for future in stuck]
    assert refused.status_code == 503, refused.text
    assert TIMEOUT - 0.1 <= took <= ANSWER_WITHIN, took
    assert refused.headers["retry-after"] == "1"
    assert error_codes(refused.json()) == ["BUSY"]
    assert refused.json()["errors"][0]["extensions"]["retryAfter"] == 1
    assert "Unexpected error." not in refused.text
    assert_no_internals(refused)
    # A server condition: 503 for application/json clients too, as for the heavy-work slots.
    assert legacy.status_code == 503 and error_codes(legacy.json()) == ["BUSY"], legacy.text
    assert legacy.headers["retry-after"] == "1"
    assert [response.status_code for response in finished] == [200] * POOL_SIZE
    # Logged once per refused request, as a warning without a traceback (not a crash).
    logged = [r for r in caplog.records if r.name == "graphql_api.error_log"]
    assert [(r.levelno, r.exc_info) for r in logged] == [(logging.WARNING, None)] * 2
    assert all("(BUSY)" in r.getMessage() for r in logged)


def test_a_customer_whose_session_cannot_be_checked_for_want_of_a_connection_gets_busy(
    api: LiveApi,
) -> None:
    customer_id = str(uuid4())
    with api.database.connect() as locker, ThreadPoolExecutor(POOL_SIZE) as threads:
        locker.execute("LOCK TABLE customer_directory IN ACCESS EXCLUSIVE MODE")
        stuck = hold_every_connection(api, threads)
        refused = api.client.post(
            "/graphql",
            json={"query": CUSTOMER, "variables": {"id": customer_id}},
            headers={"authorization": f"Bearer {api.token(Role.CUSTOMER, customer_id)}"},
        )
        locker.rollback()
        for future in stuck:
            future.result()
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "1"
    assert error_codes(refused.json()) == ["BUSY"]
    assert_no_internals(refused)
