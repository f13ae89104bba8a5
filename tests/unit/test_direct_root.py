"""A query of one direct root field (``graphql_api.direct_root``) is answered as strawberry's
``execute`` answers it: the same data, errors (as formatted, with their original errors'
types), extensions and log lines, for every role, for a page, a refusal, an invalid
argument, a crashing read and a row the plan leaves to graphql-core, and for one customer by
id (found, unknown, a crashing read; the customer themself admitted); the executor is not
called for an answer the plan completes, and is called (once, without a second read) for the
others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import graphql
import pytest

from domain.shared.metadata import Role
from graphql_api import plain_execution
from graphql_api.auth import Principal
from graphql_api.context import ApiLimits
from graphql_api.customers import resolvers
from graphql_api.metrics.registry import ApiMetrics
from graphql_api.permissions import READERS
from graphql_api.schema import LedgerSchema, build_schema
from projections.customers.queries import CustomerView, DirectoryRows

T = TypeVar("T")

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _row(n: int, erased: bool | None = False) -> tuple[Any, ...]:
    # CustomerView's fields in order (VIEW_FIELDS).
    customer_id = UUID(int=n + 1)
    return (customer_id, n + 1, f"C {n}", f"{n}@example.com", None, "north", erased, AT)
    # (the row is cut at registered_at: the documents below read nothing after it)


ROWS = [_row(n) for n in range(3)]
NULL_IN_NON_NULL = [_row(0), _row(1, erased=None)]

PAGE = "{ customers(first: 2) { edges { node { id name email region } } } }"
FULL = (
    "{ list: customers(first: 2) { __typename edges { __typename cursor node { __typename id "
    "name email personalDataErased } } pageInfo { hasNextPage endCursor } } }"
)
TOO_MANY = "{ customers(first: 5000) { edges { node { id } } } }"
ROLES = [Role.AGENT, Role.ANALYST, Role.CUSTOMER, None]


@dataclass
class _Services:
    metrics: ApiMetrics


class _Pool:
    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[object]:
        yield object()


@dataclass
class _Context:
    services: _Services
    principal: Principal
    pool: Any

    async def kept_read(
        self, name: str, key: object, read: Callable[[], Awaitable[T]], shelf: str = ""
    ) -> T:
        """As a request whose app keeps no read (``RequestContext.kept_read``)."""
        return await read()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The rows (or the exception) the next page read gives; each read is counted."""
    given: list[Any] = [ROWS]
    counted: list[Any] = []

    async def directory_rows(
        conn: object, size: int, cursor: int | None, *args: Any, **kw: Any
    ) -> DirectoryRows:
        counted.append(size)
        rows = given[0]
        if isinstance(rows, Exception):
            raise rows
        return DirectoryRows(items=list(rows[:size]), has_next_page=len(rows) > size)

    monkeypatch.setattr(resolvers, "directory_rows", directory_rows)
    given.append(counted)
    return given


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []
    real = graphql.execute

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(plain_execution, "execute", counted)
    return calls


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        yield caplog


def _outcome(
    schema: LedgerSchema, query: str, role: Role | None, caplog: pytest.LogCaptureFixture
) -> tuple[Any, ...]:
    principal = Principal.anonymous() if role is None else Principal(actor_id="x", role=role)
    context = _Context(_Services(ApiMetrics()), principal, _Pool())
    caplog.clear()
    result = asyncio.run(schema.execute(query, context_value=context))
    errors = [error.formatted for error in result.errors or ()]
    originals = [type(error.original_error) for error in result.errors or ()]
    logged = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    return type(result), result.data, errors, originals, result.extensions, logged


def _schemas() -> tuple[LedgerSchema, LedgerSchema]:
    plain, strawberrys = build_schema(ApiLimits()), build_schema(ApiLimits())
    assert isinstance(plain, LedgerSchema) and isinstance(strawberrys, LedgerSchema)
    strawberrys.plain = None
    return plain, strawberrys


CASES = [
    ("page", PAGE, ROWS),
    ("every plain key", FULL, ROWS),
    ("null where none is allowed", FULL, NULL_IN_NON_NULL),
    ("crashing read", PAGE, RuntimeError("the database fell over")),
    ("invalid argument", TOO_MANY, ROWS),
]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: "anonymous" if r is None else r.value)
@pytest.mark.parametrize(("name", "query", "rows"), CASES, ids=[c[0] for c in CASES])
def test_a_direct_root_answers_as_strawberry(
    name: str,
    query: str,
    rows: Any,
    role: Role | None,
    reads: list[Any],
    executed: list[object],
    logs: pytest.LogCaptureFixture,
) -> None:
    plain, strawberrys = _schemas()
    _outcome(plain, query, Role.AGENT, logs)  # the executor keeps the selection's plan
    reads[0] = rows
    for _ in range(2):
        executed.clear()
        reads[1].clear()
        expected = _outcome(strawberrys, query, role, logs)
        executed.clear()
        assert _outcome(plain, query, role, logs) == expected
        # One read a request at most, either way (none where the permission refuses).
        assert len(reads[1]) in (0, 2)
        completed = expected[2] == [] and expected[1] is not None
        # The executor runs only to complete what the plan did not.
        assert len(executed) == (0 if completed else 1)


def test_a_page_the_plan_completes_skips_the_executor(
    reads: list[Any], executed: list[object], logs: pytest.LogCaptureFixture
) -> None:
    plain, _ = _schemas()
    first = _outcome(plain, FULL, Role.AGENT, logs)
    assert len(executed) == 1  # the document's first request: the executor keeps the plan
    for _ in range(3):
        assert _outcome(plain, FULL, Role.AGENT, logs) == first
    assert len(executed) == 1
    reads[0] = RuntimeError("down")
    _outcome(plain, FULL, Role.AGENT, logs)
    assert len(executed) == 2  # the crash put back for the executor, not read again
    assert len(reads[1]) == 5


LISTED = "{ customers(first: 2) { edges { cursor node { id name email region } } } }"
REGISTERED = "{ customers(first: 2) { edges { node { id registeredAt } } } }"
PAGE_INFO = "{ customers(first: 2) { __typename pageInfo { endCursor } edges { node { id } } } }"


@pytest.mark.parametrize(
    ("query", "listed_only"), [(LISTED, True), (PAGE_INFO, True), (REGISTERED, False)]
)
def test_a_direct_page_reads_only_the_listed_columns_when_it_shows_no_other(
    monkeypatch: pytest.MonkeyPatch,
    logs: pytest.LogCaptureFixture,
    query: str,
    listed_only: bool,
) -> None:
    """The page's direct answer is told ``listed_only`` exactly when its selection reads
    nothing else of the rows; the executor's answer (the document's first request) never."""
    told: list[bool] = []

    async def directory_rows(
        conn: object, size: int, cursor: int | None, *args: Any, **kw: Any
    ) -> DirectoryRows:
        told.append(kw.get("listed_only", False))
        return DirectoryRows(items=list(ROWS[:size]), has_next_page=len(ROWS) > size)

    monkeypatch.setattr(resolvers, "directory_rows", directory_rows)
    plain, _ = _schemas()
    first = _outcome(plain, query, Role.AGENT, logs)
    assert first[1] is not None and first[2] == []
    assert _outcome(plain, query, Role.AGENT, logs) == first
    assert told == [False, listed_only]


ONE = '{{ customer(id: "{}") {{ id name email region }} }}'
BY_VARIABLE = "query($id: UUID!) { customer(id: $id) { id name email region } }"
ME = UUID(int=1)
VIEW = CustomerView(ME, 1, "C 0", "0@example.com", None, "north", False, AT, "agent", "api", 1)


@pytest.fixture
def customer_reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The view (None: no such customer; or the exception) the next read gives; each read's
    id is counted."""
    given: list[Any] = [VIEW, []]

    async def customer_by_id(conn: object, customer_id: UUID) -> CustomerView | None:
        given[1].append(customer_id)
        view: CustomerView | Exception | None = given[0]
        if isinstance(view, Exception):
            raise view
        return view

    monkeypatch.setattr(resolvers, "customer_by_id", customer_by_id)
    return given


READERS_OF_ONE = [
    Principal(actor_id="agent", role=Role.AGENT),
    Principal(actor_id="analyst", role=Role.ANALYST),
    Principal(actor_id=str(ME), role=Role.CUSTOMER),
    Principal(actor_id=str(UUID(int=2)), role=Role.CUSTOMER),
    Principal.anonymous(),
]
ONE_CASES = [
    ("found", VIEW),
    ("unknown", None),
    ("crashing read", RuntimeError("the database fell over")),
]


@pytest.mark.parametrize("principal", READERS_OF_ONE, ids=lambda p: f"{p.role.value} {p.actor_id}")
@pytest.mark.parametrize(("name", "view"), ONE_CASES, ids=[c[0] for c in ONE_CASES])
@pytest.mark.parametrize("by_variable", [False, True], ids=["literal", "variable"])
def test_one_customer_by_id_is_answered_directly_as_strawberry_answers_it(
    name: str,
    view: Any,
    by_variable: bool,
    principal: Principal,
    customer_reads: list[Any],
    executed: list[object],
    logs: pytest.LogCaptureFixture,
) -> None:
    """``customer(id)`` (a UUID argument, a customer admitted to their own id only), the id
    given inline or as a variable: the same data, errors and log lines as strawberry's
    execution for every reader; readers and the customer themself read once, everyone else is
    refused without a read."""
    plain, strawberrys = _schemas()
    query, variables = (BY_VARIABLE, {"id": str(ME)}) if by_variable else (ONE.format(ME), None)

    def outcome(schema: LedgerSchema) -> tuple[Any, ...]:
        context = _Context(_Services(ApiMetrics()), principal, _Pool())
        logs.clear()
        result = asyncio.run(
            schema.execute(query, variable_values=variables, context_value=context)
        )
        errors = [error.formatted for error in result.errors or ()]
        logged = [(r.name, r.levelno, r.getMessage()) for r in logs.records]
        return result.data, errors, result.extensions, logged

    agent = _Context(_Services(ApiMetrics()), READERS_OF_ONE[0], _Pool())
    # The executor keeps the plan.
    asyncio.run(plain.execute(query, variable_values=variables, context_value=agent))
    customer_reads[0] = view
    for _ in range(2):
        customer_reads[1].clear()
        expected = outcome(strawberrys)
        executed.clear()
        assert outcome(plain) == expected
        admitted = principal.role in READERS or principal.actor_id == str(ME)
        assert customer_reads[1] == ([ME, ME] if admitted else [])
        completed = expected[1] == [] and expected[0]["customer"] is not None
        assert len(executed) == (0 if completed else 1)


REFUSED_VARIABLES = [
    ("not a uuid", BY_VARIABLE, {"id": "nobody"}),
    ("missing", BY_VARIABLE, {}),
    ("null where none is allowed", BY_VARIABLE, {"id": None}),
    ("a number", BY_VARIABLE, {"id": 7}),
    (
        "a page too long",
        "query($n: Int) { customers(first: $n) { edges { node { id } } } }",
        {"n": 5000},
    ),
]


@pytest.mark.parametrize(
    ("name", "query", "variables"), REFUSED_VARIABLES, ids=[c[0] for c in REFUSED_VARIABLES]
)
def test_variables_a_direct_root_cannot_take_go_to_the_executor_as_before(
    name: str,
    query: str,
    variables: dict[str, Any],
    customer_reads: list[Any],
    reads: list[Any],
    executed: list[object],
    logs: pytest.LogCaptureFixture,
) -> None:
    """Variables the executor refuses (not a UUID, missing, null for a non-null, a wrong
    type) and an argument the answer refuses (a page over its bound): the same errors and
    log lines as strawberry's execution, reported by the executor, with no read."""
    plain, strawberrys = _schemas()
    agent = Principal(actor_id="agent", role=Role.AGENT)

    def outcome(schema: LedgerSchema, given: dict[str, Any]) -> tuple[Any, ...]:
        context = _Context(_Services(ApiMetrics()), agent, _Pool())
        logs.clear()
        result = asyncio.run(schema.execute(query, variable_values=given, context_value=context))
        errors = [error.formatted for error in result.errors or ()]
        logged = [(r.name, r.levelno, r.getMessage()) for r in logs.records]
        return result.data, errors, result.extensions, logged

    fine = {"id": str(ME)} if "$id" in query else {"n": 2}
    outcome(plain, fine)  # the executor keeps the plan
    customer_reads[1].clear()
    reads[1].clear()
    expected = outcome(strawberrys, variables)
    executed.clear()
    assert outcome(plain, variables) == expected
    assert expected[1], expected  # refused
    assert customer_reads[1] == [] and reads[1] == []
    assert len(executed) == 1
