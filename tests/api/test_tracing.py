"""OpenTelemetry traces, exported to an in-memory exporter: one span per GraphQL operation
(type, name, outcome) and, inside a mutation's, one per command appended to the log; none at
all unless an OTEL_EXPORTER_* variable asks for them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from domain.ledger import Ledger
from domain.shared.metadata import Role
from infrastructure.database import Database
from infrastructure.tracing import trace_appends, tracer_of, tracer_provider, tracing_wanted
from tests.api.helpers import REGISTER, unique_email
from tests.support.server import LiveApi, live_api


@pytest.fixture
def exported() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def traced_api(
    ledger: Ledger, database: Database, exported: InMemorySpanExporter
) -> Iterator[LiveApi]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))  # at once, for the test to read
    tracer = tracer_of(provider)
    trace_appends(ledger, tracer)
    with live_api(ledger, database, run_worker=False, tracer=tracer) as api:
        yield api
    provider.shutdown()


def operations(exported: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exported.get_finished_spans() if s.name.startswith("graphql ")]


def test_a_query_makes_one_span_with_its_type_name_and_outcome(
    traced_api: LiveApi, exported: InMemorySpanExporter
) -> None:
    traced_api.graphql("query Directory { customers(first: 1) { totalCount } }", role=Role.ADMIN)
    [span] = operations(exported)
    assert span.name == "graphql query"
    assert dict(span.attributes or {}) == {
        "graphql.operation.type": "query",
        "graphql.operation.name": "Directory",
        "cxledger.outcome": "ok",
    }
    assert span.status.status_code is StatusCode.UNSET


def test_a_refusal_is_an_outcome_not_a_failed_span(
    traced_api: LiveApi, exported: InMemorySpanExporter
) -> None:
    traced_api.graphql("query Directory { customers(first: 1) { totalCount } }")
    [span] = operations(exported)
    assert (span.attributes or {})["cxledger.outcome"] == "forbidden"
    assert span.status.status_code is StatusCode.UNSET


def test_a_mutation_span_holds_the_span_of_the_command_it_appended(
    traced_api: LiveApi, exported: InMemorySpanExporter
) -> None:
    variables: dict[str, object] = {
        "input": {"name": "Ada", "email": unique_email(), "region": "EU"}
    }
    response = traced_api.graphql(REGISTER, variables, role=Role.AGENT)
    assert response.json()["data"]["registerCustomer"]["userErrors"] == []
    [operation] = operations(exported)
    appends = [s for s in exported.get_finished_spans() if s.name == "cxledger append"]
    assert len(appends) == 1
    [append] = appends
    assert append.parent is not None and append.parent.span_id == operation.context.span_id
    attributes = dict(append.attributes or {})
    events = attributes["cxledger.events"]
    assert isinstance(events, int) and events >= 1
    assert "Customer" in str(attributes["cxledger.event.topic"])
    assert attributes["cxledger.position"] == traced_api.ledger.head_position()
    assert (operation.attributes or {})["graphql.operation.type"] == "mutation"


def test_no_span_is_made_without_a_tracer(
    ledger: Ledger, database: Database, exported: InMemorySpanExporter
) -> None:
    with live_api(ledger, database, run_worker=False) as api:
        api.graphql("{ customers(first: 1) { totalCount } }", role=Role.ADMIN)
    assert exported.get_finished_spans() == ()


@pytest.mark.parametrize(
    ("environ", "wanted"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "x", "CXL_PORT": "1"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": " "}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
    ],
)
def test_tracing_is_off_unless_an_otel_exporter_variable_is_set(
    environ: dict[str, str], wanted: bool
) -> None:
    assert tracing_wanted(environ) is wanted
    provider = tracer_provider(environ)
    assert (provider is not None) is wanted
    if provider is not None:
        assert provider.resource.attributes["service.name"] == "cxledger"
        provider.shutdown()
