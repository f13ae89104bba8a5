"""Malformed or hostile GraphQL requests found by probing the API (issue 16): each gets a clear
4xx answer and writes nothing; legitimate text that merely looks like them is served."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from domain.shared.metadata import Role
from graphql_api.request_json import MAX_DEPTH
from tests.api.helpers import (
    GRAPHQL_RESPONSE,
    JSON,
    REGISTER,
    assert_no_internals,
    unique_email,
    without_cost,
)
from tests.support.server import LiveApi, module_api

TYPENAME = "{ __typename }"
TWO_OPERATIONS = "query A { __typename } query B { customers { totalCount } }"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def post_raw(api: LiveApi, body: bytes, accept: str = GRAPHQL_RESPONSE) -> httpx.Response:
    headers = {"content-type": JSON, "accept": accept}
    response = api.client.post("/graphql", content=body, headers=headers)
    assert_no_internals(response)
    return response


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


# --- deeply nested JSON --------------------------------------------------------------------


@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_a_body_of_deeply_nested_arrays_answers_400_not_500(api: LiveApi, levels: int) -> None:
    response = post_raw(api, nested(levels))
    assert response.status_code == 400
    assert "nested deeper than" in response.json()["errors"][0]["message"]


def test_deep_nesting_inside_variables_answers_400(api: LiveApi) -> None:
    body = b'{"query": "{ __typename }", "variables": {"v": ' + nested(1_000) + b"}}"
    response = post_raw(api, body)
    assert response.status_code == 400
    assert "nested deeper than" in response.json()["errors"][0]["message"]


def test_deep_nesting_in_get_variables_answers_400(api: LiveApi) -> None:
    params = {"query": TYPENAME, "variables": '{"v": ' + "[" * 1_000 + "]" * 1_000 + "}"}
    response = api.client.get("/graphql", params=params, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
    assert_no_internals(response)


def test_nesting_just_past_the_bound_is_refused_and_at_the_bound_is_served(api: LiveApi) -> None:
    """The bound is explicit (not Python's recursion limit): 64 levels pass, 65 do not."""
    inner = MAX_DEPTH - 2  # the body object and the variables object are two levels
    at_bound = b'{"query": "{ __typename }", "variables": {"v": ' + nested(inner) + b"}}"
    past_bound = b'{"query": "{ __typename }", "variables": {"v": ' + nested(inner + 1) + b"}}"
    assert post_raw(api, at_bound).status_code == 200
    assert post_raw(api, past_bound).status_code == 400


def test_brackets_inside_strings_do_not_count_as_nesting(api: LiveApi) -> None:
    body = json.dumps({"query": TYPENAME, "variables": {"v": "[" * 5_000}}).encode()
    assert post_raw(api, body).status_code == 200


# --- NUL in every spelling; the text "\u0000" is not a NUL -----------------------------------


SEARCH = "query { customers(filter: {search: %s}) { totalCount } }"


@pytest.mark.parametrize(
    "literal",
    [r'"a\u{0}b"', r'"a\u{0000}b"', r'"a\u{000}b"', r'"a\u{000000}b"', r'"a\u0000b"'],
)
def test_a_graphql_escape_of_nul_is_refused_like_the_json_escape(
    api: LiveApi, literal: str
) -> None:
    head = api.quiet_head()
    response = api.graphql(SEARCH % literal, role=Role.AGENT)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "NUL" in response.json()["errors"][0]["message"]
    assert api.ledger.head_position() == head


def test_a_raw_nul_inside_a_block_string_is_refused(api: LiveApi) -> None:
    response = api.graphql(SEARCH % '"""a\x00b"""', role=Role.AGENT)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_a_nul_in_a_variable_is_refused_even_for_json_clients(api: LiveApi) -> None:
    body = json.dumps({"query": "query($s: String) { __typename }", "variables": {"s": "\x00"}})
    response = post_raw(api, body.encode(), accept=JSON)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_a_nul_in_a_variable_name_key_is_refused(api: LiveApi) -> None:
    body = json.dumps({"query": TYPENAME, "variables": {"a\x00": 1}}).encode()
    assert post_raw(api, body).status_code == 400


def test_the_literal_text_backslash_u0000_in_a_variable_is_accepted_and_stored(
    api: LiveApi,
) -> None:
    name = "Path C:\\u0000 Lovelace"  # a backslash followed by the letters u0000
    email = unique_email()
    response = api.graphql(REGISTER, {"input": {"name": name, "email": email}}, role=Role.AGENT)
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["registerCustomer"]
    assert payload["userErrors"] == []
    assert payload["customer"]["name"] == name


def test_the_literal_text_backslash_u0000_in_a_graphql_string_is_accepted(api: LiveApi) -> None:
    # GraphQL `\\` is one backslash: the value is the six characters \u0000, not a NUL.
    document = (
        'mutation($e: String!) { registerCustomer(input: {name: "Ada \\\\u0000 L", email: $e}) '
        "{ customer { name } userErrors { code } } }"
    )
    response = api.graphql(document, {"e": unique_email()}, role=Role.AGENT)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["registerCustomer"]["customer"]["name"] == "Ada \\u0000 L"


def test_a_block_string_holding_the_text_of_an_escape_is_not_a_nul(api: LiveApi) -> None:
    """Block strings do not interpret escapes: \"\"\"\\u{0}\"\"\" is five characters."""
    response = api.graphql(SEARCH % '"""\\u{0}"""', role=Role.AGENT)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["customers"]["totalCount"] == 0


# --- several operations --------------------------------------------------------------------


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
def test_several_operations_without_an_operation_name_answer_400(api: LiveApi, accept: str) -> None:
    response = post_raw(api, json.dumps({"query": TWO_OPERATIONS}).encode(), accept=accept)
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "OPERATION_NAME_REQUIRED"


def test_several_operations_with_an_operation_name_run_the_named_one(api: LiveApi) -> None:
    body = json.dumps({"query": TWO_OPERATIONS, "operationName": "A"}).encode()
    response = post_raw(api, body)
    assert response.status_code == 200
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


def test_one_operation_with_fragments_needs_no_operation_name(api: LiveApi) -> None:
    document = "query Q { ...F } fragment F on Query { __typename }"
    response = post_raw(api, json.dumps({"query": document}).encode())
    assert response.status_code == 200


# --- the extensions parameter --------------------------------------------------------------


@pytest.mark.parametrize("extensions", ["abc", 42, 4.5, True, False, [], [{"a": 1}]])
def test_extensions_that_are_not_an_object_answer_400(api: LiveApi, extensions: object) -> None:
    body = json.dumps({"query": TYPENAME, "extensions": extensions}).encode()
    response = post_raw(api, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "`extensions` must be an object"


@pytest.mark.parametrize("extensions", [{}, {"persistedQuery": {"version": 1}}, None])
def test_extensions_that_are_an_object_or_null_are_accepted(
    api: LiveApi, extensions: object
) -> None:
    body = json.dumps({"query": TYPENAME, "extensions": extensions}).encode()
    response = post_raw(api, body)
    assert response.status_code == 200
    assert without_cost(response.json()) == {"data": {"__typename": "Query"}}


def test_get_extensions_that_are_not_an_object_answer_400(api: LiveApi) -> None:
    params = {"query": TYPENAME, "extensions": "[1]"}
    response = api.client.get("/graphql", params=params, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
