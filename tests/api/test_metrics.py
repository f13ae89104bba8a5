"""`/metrics` in the Prometheus text format: operations counted by name and outcome, HTTP
answers by route and status, the append counter moved by the log writer, each read model's
lag, the outbox backlog and the read pool; readable from loopback, or anywhere with the
metrics token."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from domain.shared.metadata import Role
from graphql_api.web_options import WebOptions
from projections.registry import ALL_PROJECTIONS
from tests.api.helpers import register, registered, unique_email
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api, module_api

METRICS_TOKEN = "m" * 40
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


@contextlib.contextmanager
def server(pg_admin: str, web: WebOptions, run_worker: bool = False) -> Iterator[LiveApi]:
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, run_worker=run_worker, web=web) as running,
    ):
        yield running


def scrape(client: httpx.Client, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_mutation_moves_the_operation_counter_the_latency_histogram_and_the_append_counter(
    api: LiveApi,
) -> None:
    ok = {"operation": "Register", "type": "mutation", "outcome": "ok"}
    before = scrape(api.client)
    assert register(api, email=unique_email())["userErrors"] == []
    after = scrape(api.client)
    assert value(after, "cxl_graphql_operations_total", **ok) == (
        value(before, "cxl_graphql_operations_total", **ok) + 1
    )
    timed = {"operation": "Register", "type": "mutation"}
    assert value(after, "cxl_graphql_operation_duration_seconds_count", **timed) == (
        value(before, "cxl_graphql_operation_duration_seconds_count", **timed) + 1
    )
    assert value(after, "cxl_events_appended_total") > value(before, "cxl_events_appended_total")
    assert value(after, "cxl_log_head_position") >= 1


def test_refused_operations_count_by_their_error_code_and_bad_documents_as_invalid(
    api: LiveApi,
) -> None:
    before = scrape(api.client)
    api.graphql("query Everyone { customers { totalCount } }")  # anonymous: not allowed
    api.graphql("query Broken { noSuchField }")
    after = scrape(api.client)
    refused = [
        labels
        for (name, labels), count in after.items()
        if name == "cxl_graphql_operations_total"
        and dict(labels)["operation"] == "Everyone"
        and count > before.get((name, labels), 0)
    ]
    assert len(refused) == 1
    assert dict(refused[0])["outcome"] == "forbidden"
    invalid = {"operation": "Broken", "type": "query", "outcome": "invalid"}
    assert value(after, "cxl_graphql_operations_total", **invalid) == 1


def test_http_answers_count_by_route_method_and_status(api: LiveApi) -> None:
    before = scrape(api.client)
    api.client.post("/graphql", json={"query": "{ __typename }"}, headers={"authorization": "x"})
    after = scrape(api.client)
    labels = {"route": "/graphql", "method": "POST", "status": "401"}
    assert value(after, "cxl_http_requests_total", **labels) == (
        value(before, "cxl_http_requests_total", **labels) + 1
    )


def test_every_read_model_shows_its_lag_behind_the_log_head(pg_admin: str) -> None:
    with server(pg_admin, WebOptions()) as api:  # no projection worker: nothing catches up
        assert register(api, email=unique_email())["userErrors"] == []
        samples = scrape(api.client)
        head = value(samples, "cxl_log_head_position")
        assert head >= 1
        for projection in ALL_PROJECTIONS:
            labels = {"read_model": projection.name}
            assert value(samples, "cxl_projection_position", **labels) == 0
            assert value(samples, "cxl_projection_lag_events", **labels) == head


def test_caught_up_read_models_show_no_lag(api: LiveApi) -> None:
    register(api, email=unique_email())
    api.caught_up()
    samples = scrape(api.client)
    for projection in ALL_PROJECTIONS:
        assert value(samples, "cxl_projection_lag_events", read_model=projection.name) == 0


def test_outbox_backlog_and_both_connection_pools_are_shown(api: LiveApi) -> None:
    samples = scrape(api.client)
    assert ("cxl_outbox_pending", ()) in samples
    assert value(samples, "cxl_read_pool_connections", state="max") == 4  # the test pool's
    assert value(samples, "cxl_read_pool_connections", state="size") >= 1
    assert value(samples, "cxl_event_store_pool_connections", state="max") >= 1
    assert value(samples, "cxl_event_store_pool_connections", state="size") >= 1


def test_without_a_token_a_caller_through_a_proxy_is_refused(api: LiveApi) -> None:
    response = api.client.get("/metrics", headers={"x-forwarded-for": "203.0.113.9"})
    assert response.status_code == 403
    assert "cxl_" not in response.text


def test_with_a_metrics_token_only_its_bearer_reads_the_metrics(pg_admin: str) -> None:
    with server(pg_admin, WebOptions(metrics_token=METRICS_TOKEN)) as api:
        assert api.client.get("/metrics").status_code == 401
        staff = {"authorization": f"Bearer {api.token(Role.ADMIN)}"}
        assert api.client.get("/metrics", headers=staff).status_code == 401
        samples = scrape(api.client, authorization=f"Bearer {METRICS_TOKEN}")
        assert ("cxl_events_appended_total", ()) in samples


def test_equal_list_pages_with_nothing_written_between_count_as_kept(api: LiveApi) -> None:
    """The directory's pages are kept while its rows stand still (projections.row_cache):
    the second of two equal pages with nothing written between them is the kept one."""
    register(api, email=unique_email())
    query = "{ customers(first: 7) { edges { node { id } } } }"
    api.graphql(query, role=Role.AGENT)  # under the directory's count after the write
    before = scrape(api.client)
    first, second = (api.graphql(query, role=Role.AGENT).json() for _ in range(2))
    after = scrape(api.client)
    assert "errors" not in first and first == second
    moved = {
        outcome: value(after, "cxl_kept_reads_total", outcome=outcome, **DIRECTORY)
        - value(before, "cxl_kept_reads_total", outcome=outcome, **DIRECTORY)
        for outcome in ("kept", "read")
    }
    # Both kept, unless the machine stalled past a kept page's age bound (one second).
    assert moved["kept"] >= 1 and moved["kept"] + moved["read"] == 2, moved


def test_equal_reads_of_one_customer_with_nothing_written_between_count_as_kept(
    api: LiveApi,
) -> None:
    """One customer's row is kept as a page is (``customer(id)``, answered directly): the
    second of two equal reads with nothing written between them is the kept one, and a
    customer may read themself through it."""
    customer = registered(api, email=unique_email())
    query = f'{{ customer(id: "{customer}") {{ id name }} }}'
    api.graphql(query, role=Role.AGENT)  # under the directory's count after the write
    before = scrape(api.client)
    first, second = (api.graphql(query, role=Role.AGENT).json() for _ in range(2))
    after = scrape(api.client)
    assert "errors" not in first and first == second
    assert first["data"]["customer"]["id"] == customer
    moved = {
        outcome: value(after, "cxl_kept_reads_total", outcome=outcome, **DIRECTORY)
        - value(before, "cxl_kept_reads_total", outcome=outcome, **DIRECTORY)
        for outcome in ("kept", "read")
    }
    # Both kept, unless the machine stalled past a kept read's age bound (one second).
    assert moved["kept"] >= 1 and moved["kept"] + moved["read"] == 2, moved
    themself = api.graphql(query, role=Role.CUSTOMER, subject=customer).json()
    assert themself == first


DIRECTORY = {"read_model": "customer_directory"}
