"""The plain path (graphql_api.plain_execution) answers every request as strawberry's
``execute`` with the schema's extensions answers it: the same result (its type, data, errors
as formatted, ``extensions``), the same exception for a request that cannot run, the same
metrics and the same log lines, for every request shape below, the first time a document
comes and the times after; and it is the path a repeated, valid document takes."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import graphql
import pytest
import strawberry
from strawberry.types.graphql import OperationType

from domain.shared.metadata import Role
from graphql_api import plain_execution
from graphql_api.auth import Principal
from graphql_api.context import ApiLimits, IntrospectionPolicy
from graphql_api.limits.config import RequestLimits
from graphql_api.metrics.registry import ApiMetrics
from graphql_api.plain_execution import PLANS, PlainExecution
from graphql_api.schema import LedgerSchema, build_schema

POST = frozenset({OperationType.QUERY, OperationType.MUTATION})
GET = frozenset({OperationType.QUERY})

CUSTOMERS = "{ customers(first: 1) { edges { node { id name } } } }"
MUTATION = (
    'mutation { registerCustomer(input: {name: "A", email: "a@example.com"}) { customer { id } } }'
)
TWO_MUTATIONS = (
    'mutation { a: registerCustomer(input: {name: "A", email: "a@example.com"}) '
    "{ customer { id } } "
    'b: registerCustomer(input: {name: "B", email: "b@example.com"}) { customer { id } } }'
)

# (name, query, variables, operation name, allowed operations, role or None for anonymous)
REQUESTS: list[tuple[str, str, dict[str, Any] | None, str | None, frozenset[Any], Role | None]] = [
    ("typename", "{ __typename }", None, None, POST, None),
    ("typename by GET", "{ __typename }", None, None, GET, None),
    ("typename as staff", "{ __typename }", None, None, POST, Role.AGENT),
    ("named", "query Ping { __typename }", None, None, POST, None),
    ("named, given", "query Ping { __typename }", None, "Ping", POST, None),
    ("no such operation", "query Ping { __typename }", None, "Pong", POST, None),
    ("two, second", "query A { __typename } query B { b: __typename }", None, "B", POST, None),
    ("two, unnamed", "query A { __typename } query B { b: __typename }", None, None, POST, None),
    ("syntax error", "{ __typename", None, None, POST, None),
    ("unknown field", "{ custmers { totalCount } }", None, None, POST, None),
    ("unknown field as staff", "{ custmers { totalCount } }", None, None, POST, Role.AGENT),
    ("introspection", "{ __schema { queryType { name } } }", None, None, POST, None),
    ("introspection as staff", "{ __schema { queryType { name } } }", None, None, POST, Role.AGENT),
    (
        "too deep",
        "{ customers(first: 1) { edges { node { address { city } } } } }",
        None,
        None,
        POST,
        None,
    ),
    ("forbidden field", CUSTOMERS, None, None, POST, None),
    ("crashing resolver", CUSTOMERS, None, None, POST, Role.AGENT),
    (
        "too costly",
        "query($n: Int) { customers(first: $n) { edges { node { id name email } } } }",
        {"n": 100},
        None,
        POST,
        Role.AGENT,
    ),
    (
        "bad variable",
        "query($n: Int) { customers(first: $n) { totalCount } }",
        {"n": "x"},
        None,
        POST,
        Role.AGENT,
    ),
    (
        "bad enum variable",
        "query($c: PurchaseChannel) { customers(first: 1, filter: {channel: $c}) { totalCount } }",
        {"c": "WEBB"},
        None,
        POST,
        Role.AGENT,
    ),
    ("unknown variable type", "query($n: Itn) { __typename }", None, None, POST, None),
    ("mutation by GET", MUTATION, None, None, GET, Role.AGENT),
    ("mutation", MUTATION, None, None, POST, Role.AGENT),
    ("two mutations", TWO_MUTATIONS, None, None, POST, Role.AGENT),
    ("subscription", "subscription { __typename }", None, None, POST, None),
    # Operations of __typename alone are answered without the executor (typename_only).
    ("aliases", "{ a: __typename b: __typename a: __typename __typename }", None, None, POST, None),
    ("mutation typename", "mutation { __typename m: __typename }", None, None, POST, None),
    ("mutation typename by GET", "mutation { __typename }", None, None, GET, None),
    ("skipped", "query($s: Boolean!) { __typename @skip(if: $s) }", {"s": True}, None, POST, None),
    ("variable unused", "query($n: Int) { __typename }", {"n": "x"}, None, POST, None),
    ("fragment", "{ ...F } fragment F on Query { __typename }", None, None, POST, None),
    ("with a field", "{ __typename customers(first: 1) { totalCount } }", None, None, POST, None),
    ("directive on operation", "query @skip(if: true) { __typename }", None, None, POST, None),
    ("extra variables", "{ __typename }", {"unused": 1}, None, POST, None),
    ("empty", "", None, None, POST, None),
]


@dataclass
class _Services:
    metrics: ApiMetrics


@dataclass
class _Context:
    services: _Services
    principal: Principal
    pool: Any = None  # no database: a resolver that reads one crashes


def _schemas(policy: IntrospectionPolicy) -> tuple[LedgerSchema, LedgerSchema]:
    limits = ApiLimits(
        introspection=policy, max_query_depth=3, requests=RequestLimits(max_query_cost=300)
    )
    plain, strawberrys = build_schema(limits), build_schema(limits)
    assert isinstance(plain, LedgerSchema) and isinstance(strawberrys, LedgerSchema)
    assert isinstance(plain.plain, PlainExecution)
    strawberrys.plain = None
    return plain, strawberrys


def _outcome(
    schema: strawberry.Schema,
    metrics: ApiMetrics,
    request: tuple[str, str, dict[str, Any] | None, str | None, frozenset[Any], Role | None],
    caplog: pytest.LogCaptureFixture,
) -> tuple[Any, ...]:
    _, query, variables, operation_name, allowed, role = request
    principal = Principal.anonymous() if role is None else Principal(actor_id="x", role=role)
    context = _Context(_Services(metrics), principal)
    caplog.clear()
    try:
        result = asyncio.run(
            schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=allowed,
            )
        )
    except Exception as raised:
        answer: tuple[Any, ...] = ("raised", type(raised), str(raised))
    else:
        errors = [error.formatted for error in result.errors or ()]
        originals = [type(error.original_error) for error in result.errors or ()]
        answer = (type(result), result.data, errors, originals, result.extensions)
    logged = [
        (r.name, r.levelno, _without_ids(r.getMessage()), bool(r.exc_info)) for r in caplog.records
    ]
    return answer, logged


def _without_ids(text: str) -> str:
    return re.sub(r"0x[0-9a-f]+", "0x", text)


def _counts(metrics: ApiMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample but the durations' sums and buckets (times differ from run to run)."""
    found = {}
    for family in metrics.registry.collect():
        for sample in family.samples:
            if sample.name.endswith(("_sum", "_bucket", "_created")):
                continue
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        yield caplog


@pytest.mark.parametrize("policy", ["on", "off", "staff"])
def test_every_request_is_answered_as_strawberry_answers_it(
    policy: IntrospectionPolicy, logs: pytest.LogCaptureFixture
) -> None:
    """Results, exceptions, log lines and metrics of both paths are equal, request by
    request, for each disclosure policy, over three rounds (a document's first time, when
    its way is decided, and the times after)."""
    plain, strawberrys = _schemas(policy)
    plain_metrics, strawberry_metrics = ApiMetrics(), ApiMetrics()
    for _ in range(3):
        for request in REQUESTS:
            expected = _outcome(strawberrys, strawberry_metrics, request, logs)
            assert _outcome(plain, plain_metrics, request, logs) == expected, request[0]
            assert _counts(plain_metrics) == _counts(strawberry_metrics), request[0]


def test_a_repeated_valid_document_skips_strawberrys_execute(
    monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    """The plain path is taken: strawberry's extensions runner is never made for a valid
    document, from its first request on; an invalid one still goes strawberry's way."""
    plain, _ = _schemas("off")
    runners: list[object] = []
    made = LedgerSchema.create_extensions_runner

    def counted(self: LedgerSchema, *args: Any) -> Any:
        runners.append(self)
        return made(self, *args)

    monkeypatch.setattr(LedgerSchema, "create_extensions_runner", counted)
    metrics = ApiMetrics()
    for _ in range(3):
        _outcome(plain, metrics, REQUESTS[0], logs)
        _outcome(plain, metrics, REQUESTS[3], logs)
    assert runners == []
    _outcome(plain, metrics, REQUESTS[9], logs)  # an unknown field
    assert runners == [plain]


def test_an_operation_of_typename_alone_skips_the_executor(
    monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    """``{ __typename }`` (aliased, named, a mutation's) is answered from its plan: graphql-core's
    ``execute`` is not called for it, and is for a document selecting anything else."""
    plain, _ = _schemas("off")
    executed: list[object] = []
    real = graphql.execute

    def counted(*args: Any, **kwargs: Any) -> Any:
        executed.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(plain_execution, "execute", counted)
    metrics = ApiMetrics()
    for query in ("{ __typename }", "query P { a: __typename }", "mutation { __typename }"):
        for _ in range(2):
            answer, _ = _outcome(plain, metrics, ("t", query, None, None, POST, None), logs)
            assert answer[2] == [] and answer[1] is not None
    assert executed == []
    fragment = ("f", "{ ...F } fragment F on Query { __typename }", None, None, POST, None)
    answer, _ = _outcome(plain, metrics, fragment, logs)
    assert answer[1] == {"__typename": "Query"}
    assert len(executed) == 1


def test_the_table_of_ways_is_bounded(logs: pytest.LogCaptureFixture) -> None:
    """However many distinct documents come, at most PLANS are remembered; each still gets
    its own answer."""
    plain, _ = _schemas("on")
    assert plain.plain is not None
    metrics = ApiMetrics()
    for n in range(PLANS + 20):
        request = ("alias", f"{{ a{n}: __typename }}", None, None, POST, None)
        answer, _ = _outcome(plain, metrics, request, logs)
        assert answer[1] == {f"a{n}": "Query"}
    assert len(plain.plain._plans) == PLANS


def test_the_table_keeps_no_text_of_a_document(logs: pytest.LogCaptureFixture) -> None:
    """The table is keyed by the text's digest: a document that never parsed (and so is in
    no cache) leaves nothing of its text behind, nor does a valid one in the table's keys."""
    plain, _ = _schemas("on")
    assert plain.plain is not None
    secret = '{ customer(email: "someone@example.com") '  # unfinished: a syntax error
    _outcome(plain, ApiMetrics(), ("syntax", secret, None, None, POST, None), logs)
    _outcome(plain, ApiMetrics(), REQUESTS[0], logs)
    keys = list(plain.plain._plans)
    assert len(keys) == 2
    assert all(isinstance(digest, bytes) and len(digest) == 32 for digest, _, _ in keys)
    assert "someone@example.com" not in repr(plain.plain._plans)


def test_a_tracing_schema_has_no_plain_path() -> None:
    """OperationTracing's span is strawberry's path alone: a schema that traces takes it
    for every request."""
    schema = build_schema(ApiLimits(), tracing=True)
    assert isinstance(schema, LedgerSchema) and schema.plain is None
