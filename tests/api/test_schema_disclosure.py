"""CXL_GRAPHQL_INTROSPECTION: introspection and "Did you mean ...?" hints are shown only to
those the policy allows (everyone, nobody, or staff), while the SDL stays the contract."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from domain.shared.metadata import Role
from graphql_api.context import ApiLimits, IntrospectionPolicy
from graphql_api.schema import build_schema
from tests.api.helpers import without_cost
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"
INTROSPECTION = "{ __schema { queryType { name } } }"
TYPE_INTROSPECTION = '{ __type(name: "Customer") { fields { name } } }'
MISSPELT_FIELD = "{ customers { totalCountt } }"
MISSPELT_INPUT: tuple[str, dict[str, object]] = (
    "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { position } }",
    {"i": {"nmae": "Ada", "email": "ada@example.org"}},
)
MISSPELT_ENUM = "{ tickets(filter: {statuses: [OPENN]}) { totalCount } }"


@contextlib.contextmanager
def server(pg_admin: str, policy: IntrospectionPolicy) -> Iterator[LiveApi]:
    """A server without projection workers: these tests read no read model."""
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, ApiLimits(introspection=policy), run_worker=False) as api,
    ):
        yield api


@pytest.fixture(scope="module")
def open_api(pg_admin: str) -> Iterator[LiveApi]:
    with server(pg_admin, "on") as api:
        yield api


@pytest.fixture(scope="module")
def closed_api(pg_admin: str) -> Iterator[LiveApi]:
    with server(pg_admin, "off") as api:
        yield api


@pytest.fixture(scope="module")
def staff_api(pg_admin: str) -> Iterator[LiveApi]:
    with server(pg_admin, "staff") as api:
        yield api


def subject_for(role: Role | None) -> str:
    """A customer's token is about a customer: its subject is a customer id."""
    return str(uuid4()) if role is Role.CUSTOMER else "test-actor"


def messages(body: dict[str, Any]) -> str:
    return " ".join(error["message"] for error in body.get("errors", []))


# --- introspection -------------------------------------------------------------------------


@pytest.mark.parametrize("document", [INTROSPECTION, TYPE_INTROSPECTION])
def test_with_introspection_off_nobody_may_introspect(closed_api: LiveApi, document: str) -> None:
    for role in (None, Role.CUSTOMER, Role.ADMIN):
        response = closed_api.graphql(document, role=role, subject=subject_for(role))
        assert response.status_code == 400, (role, response.text)
        assert "data" not in response.json()
        assert "introspection" in messages(response.json()).lower()


def test_with_introspection_off_typename_and_ordinary_queries_still_work(
    closed_api: LiveApi,
) -> None:
    assert without_cost(closed_api.graphql("{ __typename }").json()) == {
        "data": {"__typename": "Query"}
    }
    response = closed_api.graphql("{ customers { totalCount } }", role=Role.ANALYST)
    assert without_cost(response.json()) == {"data": {"customers": {"totalCount": 0}}}


def test_with_introspection_on_anyone_may_introspect(open_api: LiveApi) -> None:
    response = open_api.graphql(INTROSPECTION)
    assert without_cost(response.json()) == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_with_introspection_for_staff_only_staff_may_introspect(staff_api: LiveApi) -> None:
    for role in (Role.AGENT, Role.ADMIN, Role.ANALYST, Role.AUDITOR, Role.PRIVACY_OFFICER):
        assert staff_api.graphql(INTROSPECTION, role=role).status_code == 200, role
    for outsider in (None, Role.CUSTOMER):
        answer = staff_api.graphql(INTROSPECTION, role=outsider, subject=subject_for(outsider))
        assert answer.status_code == 400, outsider


# --- suggestions ---------------------------------------------------------------------------


def test_with_introspection_off_no_error_suggests_a_name(closed_api: LiveApi) -> None:
    # (document and variables, a name that only a suggestion would reveal)
    cases: list[tuple[tuple[str, dict[str, object]], str]] = [
        ((MISSPELT_FIELD, {}), "'totalCount'"),
        (MISSPELT_INPUT, "Did you mean"),
        ((MISSPELT_ENUM, {}), "'OPEN'"),
    ]
    for (document, variables), revealing in cases:
        response = closed_api.graphql(document, variables, role=Role.ADMIN)
        assert response.status_code == 400
        text = messages(response.json())
        assert text, response.text
        assert "Did you mean" not in text
        assert revealing not in text


def test_with_introspection_on_errors_suggest_names(open_api: LiveApi) -> None:
    """The counterpart: the hints exist, so their absence above is the policy at work."""
    for response in (
        open_api.graphql(MISSPELT_FIELD, role=Role.ADMIN),
        open_api.graphql(*MISSPELT_INPUT, role=Role.ADMIN),
        open_api.graphql(MISSPELT_ENUM, role=Role.ADMIN),
    ):
        assert "Did you mean" in messages(response.json()), response.text


def test_with_introspection_for_staff_anonymous_callers_get_no_suggestions(
    staff_api: LiveApi,
) -> None:
    anonymous = staff_api.graphql(MISSPELT_FIELD)
    staff = staff_api.graphql(MISSPELT_FIELD, role=Role.AGENT)
    assert "Did you mean" not in messages(anonymous.json())
    assert "Did you mean" in messages(staff.json())


def test_the_sdl_is_printed_whatever_the_policy() -> None:
    """`cxledger schema` and the checked-in schema.graphql do not depend on introspection."""
    policies: tuple[IntrospectionPolicy, ...] = ("on", "off", "staff")
    for policy in policies:
        printed = build_schema(ApiLimits(introspection=policy)).as_str().strip()
        assert printed == SDL.read_text().strip()
