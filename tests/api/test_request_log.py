"""Each request's ids: its correlation id echoed (the client's, or one made for it, the same
one its events carry), a request id in the response and on every log line the request causes,
and one access-log line per request unless CXL_ACCESS_LOG is off."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from domain.customer.model import Customer
from domain.shared.metadata import Role
from graphql_api.web_options import WebOptions
from infrastructure.logs import log_formatter
from tests.api.helpers import REGISTER, unique_email
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, web=WebOptions(access_log=True)) as running,
    ):
        yield running


@contextlib.contextmanager
def json_log() -> Iterator[list[dict[str, Any]]]:
    """The JSON lines every logger writes meanwhile, as the server's handler renders them."""
    stream, records = io.StringIO(), list[dict[str, Any]]()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        records.extend(json.loads(line) for line in stream.getvalue().splitlines() if line.strip())


def post(api: LiveApi, query: str, correlation_id: str) -> httpx.Response:
    return api.client.post(
        "/graphql", json={"query": query}, headers={"x-correlation-id": correlation_id}
    )


def recorded_correlation(api: LiveApi, customer_id: UUID) -> UUID:
    """The correlation id of the customer's registration, as stored."""
    [event] = list(api.ledger.repository.event_store.get(customer_id))
    assert isinstance(event, Customer.Registered)
    return event.metadata.correlation_id


def test_a_given_correlation_id_is_echoed_and_recorded_on_the_events(api: LiveApi) -> None:
    given = uuid4()
    response = api.graphql(
        REGISTER,
        {"input": {"name": "Ada Lovelace", "email": unique_email()}},
        role=Role.AGENT,
        **{"X-Correlation-Id": str(given)},
    )
    assert response.headers["x-correlation-id"] == str(given)
    customer_id = UUID(response.json()["data"]["registerCustomer"]["customer"]["id"])
    assert recorded_correlation(api, customer_id) == given


def test_without_one_a_correlation_id_is_made_echoed_and_recorded(api: LiveApi) -> None:
    response = api.graphql(
        REGISTER, {"input": {"name": "Grace Hopper", "email": unique_email()}}, role=Role.AGENT
    )
    made = UUID(response.headers["x-correlation-id"])
    customer_id = UUID(response.json()["data"]["registerCustomer"]["customer"]["id"])
    assert recorded_correlation(api, customer_id) == made


def test_a_malformed_correlation_id_is_refused_and_never_echoed(api: LiveApi) -> None:
    response = post(api, "{ __typename }", "not-a-uuid")
    assert response.status_code == 400
    assert "x-correlation-id" not in response.headers
    assert len(response.headers["x-request-id"]) == 32


def test_every_line_of_a_request_carries_its_ids_and_one_access_line_closes_it(
    api: LiveApi,
) -> None:
    given = str(uuid4())
    with json_log() as records:
        # Anonymous: refused, which graphql_api.error_log logs at INFO inside the request.
        response = post(api, "{ customers { totalCount } }", given)
    request_id = response.headers["x-request-id"]
    mine = [r for r in records if r.get("request_id") == request_id]
    loggers = [r["logger"] for r in mine]
    assert "graphql_api.error_log" in loggers
    assert loggers[-1] == "cxledger.access"
    assert all(r["correlation_id"] == given for r in mine)
    access = mine[-1]
    assert (access["method"], access["path"], access["status"]) == ("POST", "/graphql", 200)
    assert access["duration_ms"] >= 0


def test_the_access_line_holds_the_path_but_never_the_query_string(api: LiveApi) -> None:
    with json_log() as records:
        api.client.get("/graphql", params={"query": "{ __typename }", "variables": '{"e":"x@y"}'})
    server = [r for r in records if r["logger"] != "httpx"]  # the client logs its own URL
    [access] = [r for r in server if r["logger"] == "cxledger.access"]
    assert access["path"] == "/graphql"
    assert "x@y" not in json.dumps(server)


def test_with_the_access_log_off_no_access_line_is_written(pg_admin: str) -> None:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, run_worker=False, web=WebOptions(access_log=False)) as quiet,
    ):
        with json_log() as records:
            response = quiet.client.get("/health")
        assert response.headers["x-request-id"]
        assert [r for r in records if r["logger"] == "cxledger.access"] == []
