"""The API across a database restart and an outage, on a PostgreSQL of its own that the tests
stop and start (a fast shutdown, which ends every session the pools hold).

After a restart the first requests succeed: pooled connections are checked when handed out, so
one the restart broke is replaced instead of failing the request. While the database is down a
request fails within seconds with SERVICE_UNAVAILABLE (503 for graphql-response+json, 200 and
the code for application/json), never "Unexpected error.", and a mutation writes nothing."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from psycopg.conninfo import make_conninfo

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from infrastructure.database import Database
from infrastructure.embedded_postgres import EmbeddedPostgres
from tests.support.ledgers import postgres_ledger
from tests.support.server import LiveApi, live_api

FAIL_WITHIN = 10.0
"""Seconds a request may take to fail while the database is down: the pools wait 3 s for a
connection, where psycopg_pool's default is 30 s. Alone a request fails in 3.01 s; under a
loaded CI run a mutation once took 5.7 s (past the 5 s this was), the failure this guards
against is a request held for the pool's default or longer."""
CUSTOMER = "query C($id: UUID!) { customer(id: $id) { id name } }"
RENAME = """
mutation R($input: ChangeContactDetailsInput!) {
  changeContactDetails(input: $input) { customerId position userErrors { code } }
}
"""


@dataclass
class Outage:
    """A live API on a database that the test may stop and start."""

    api: LiveApi
    server: EmbeddedPostgres
    customer_id: str

    def events(self) -> int:
        return len(list(self.api.ledger.events.get(UUID(self.customer_id))))


@pytest.fixture(scope="module")
def outage() -> Iterator[Outage]:
    data_dir = Path(tempfile.mkdtemp(prefix="cxl-outage-"))
    server = EmbeddedPostgres(data_dir)
    try:
        database = Database(make_conninfo(server.start(), dbname="postgres"))
        with postgres_ledger(database) as ledger, live_api(ledger, database) as api:
            registered = ledger.register_customer(
                RegisterCustomer("Ada Lovelace", "ada@example.org"), EventMetadata.system()
            )
            outage = Outage(api, server, str(registered.aggregate_id))
            shown(outage)  # the read model has the customer before any outage begins
            yield outage
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def shown(outage: Outage, within: float = 20.0) -> None:
    """Wait until the customer directory shows the customer."""
    deadline = time.monotonic() + within
    while read(outage).json().get("data", {}).get("customer") is None:
        assert time.monotonic() < deadline, "the read model never showed the customer"
        time.sleep(0.05)


def read(
    outage: Outage,
    accept: str = "application/graphql-response+json",
    customer_id: str | None = None,
) -> httpx.Response:
    """The customer (by default the module's) read over HTTP as an agent."""
    return outage.api.client.post(
        "/graphql",
        json={"query": CUSTOMER, "variables": {"id": customer_id or outage.customer_id}},
        headers={"accept": accept, "authorization": f"Bearer {outage.api.token(Role.AGENT)}"},
    )


def read_through(
    outage: Outage, accept: str = "application/graphql-response+json"
) -> httpx.Response:
    """A read that must reach the database: of a customer id never read before. The server
    keeps a directory row it read while the directory stands still (projections.row_cache),
    for at most a second, and an outage changes no row: the module's customer, read just
    before, may be answered from what was kept until the server knows its lease lost."""
    return read(outage, accept, customer_id=str(uuid4()))


def rename(outage: Outage, name: str) -> httpx.Response:
    return outage.api.graphql(
        RENAME, {"input": {"customerId": outage.customer_id, "name": name}}, role=Role.AGENT
    )


def timed(request: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def unavailable(response: httpx.Response) -> bool:
    codes = [e.get("extensions", {}).get("code") for e in response.json().get("errors", [])]
    return codes != [] and set(codes) == {"SERVICE_UNAVAILABLE"}


def test_after_a_restart_the_first_query_and_mutation_succeed(outage: Outage) -> None:
    assert read(outage).status_code == 200  # the pools hold connections now
    outage.server.stop()
    outage.server.start()
    first = read(outage)
    assert first.status_code == 200, first.text
    assert first.json()["data"]["customer"]["id"] == outage.customer_id
    renamed = rename(outage, "Ada King")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["data"]["changeContactDetails"]["userErrors"] == []


def test_during_an_outage_requests_fail_fast_with_a_code_and_write_nothing(
    outage: Outage,
) -> None:
    events = outage.events()
    outage.server.stop()
    try:
        query, query_took = timed(lambda: read_through(outage))
        mutation, mutation_took = timed(lambda: rename(outage, "Ada Byron"))
        legacy = read_through(outage, accept="application/json")
        health = outage.api.client.get("/health")
    finally:
        outage.server.start()
    assert (query.status_code, mutation.status_code) == (503, 503), (query.text, mutation.text)
    assert unavailable(query) and unavailable(mutation), (query.text, mutation.text)
    assert query_took < FAIL_WITHIN and mutation_took < FAIL_WITHIN
    assert "Unexpected error." not in query.text + mutation.text
    assert legacy.status_code == 200 and unavailable(legacy), legacy.text
    assert health.status_code == 503
    assert health.json()["database"]["reachable"] is False
    assert outage.events() == events  # the refused mutation wrote nothing


def test_once_the_database_is_back_the_next_requests_succeed(outage: Outage) -> None:
    outage.server.stop()
    assert read_through(outage).status_code == 503
    outage.server.start()
    back = read(outage)
    assert back.status_code == 200, back.text
    assert back.json()["data"]["customer"]["id"] == outage.customer_id
    renamed = rename(outage, "Ada Lovelace King")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["data"]["changeContactDetails"]["userErrors"] == []
    assert outage.api.ledger.get_customer(UUID(outage.customer_id)).name.value == (
        "Ada Lovelace King"
    )


def test_a_request_refused_for_an_outage_is_logged_as_one_warning_without_traceback(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="graphql_api.error_log")
    outage.server.stop()
    try:
        refused = read_through(outage)
    finally:
        outage.server.start()
    assert unavailable(refused), refused.text
    logged = [r for r in caplog.records if r.name == "graphql_api.error_log"]
    assert [(r.levelno, r.exc_info) for r in logged] == [(logging.WARNING, None)]
    assert "(SERVICE_UNAVAILABLE)" in logged[0].getMessage()
    assert "\n" not in logged[0].getMessage()
