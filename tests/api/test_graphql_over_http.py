"""`/graphql` follows the GraphQL-over-HTTP specification: media types, methods and status
codes, as a spec-following client (or a legacy `application/json` one) sees them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from domain.shared.metadata import Role
from graphql_api.context import ApiLimits
from tests.api.helpers import GRAPHQL_RESPONSE, JSON, analyst, assert_no_internals, media_type
from tests.support.server import LiveApi, module_api

COUNT = "{ customers { totalCount } }"
LIMITS = ApiLimits(max_body_bytes=2048, max_query_depth=1, max_query_tokens=100)


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    """One server for the module. No test here writes anything (every mutation sent is
    refused, and the NUL test checks the ledger's head did not move), so its database stays
    empty and the `totalCount == 0` answers below hold in any order."""
    with module_api(pg_admin) as running:
        yield running


@pytest.fixture(scope="module")
def limited_api(pg_admin: str) -> Iterator[LiveApi]:
    """A server with small limits, so that each limit can be crossed by a small request."""
    with module_api(pg_admin, LIMITS) as running:
        yield running


def post_json(api: LiveApi, body: object) -> httpx.Response:
    response = api.client.post("/graphql", json=body, headers={"accept": GRAPHQL_RESPONSE})
    assert_no_internals(response)
    return response


# --- well-formed requests ------------------------------------------------------------------


def cost(requested: int) -> dict[str, object]:
    """Every answer reports its operation's cost and the limit."""
    return {"extensions": {"cost": {"requested": requested, "limit": 10_000}}}


def test_post_query_answers_200_as_graphql_response_json(api: LiveApi) -> None:
    response = api.graphql(COUNT, role=Role.ANALYST)
    assert response.status_code == 200
    assert media_type(response) == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"customers": {"totalCount": 0}}, **cost(21)}


def test_accept_application_json_gets_application_json(api: LiveApi) -> None:
    response = api.client.post(
        "/graphql", json={"query": COUNT}, headers={"accept": JSON, **analyst(api)}
    )
    assert response.status_code == 200
    assert media_type(response) == JSON
    assert response.json() == {"data": {"customers": {"totalCount": 0}}, **cost(21)}


def test_missing_accept_header_is_treated_as_application_json(api: LiveApi) -> None:
    request = api.client.build_request("POST", "/graphql", json={"query": COUNT})
    del request.headers["accept"]
    response = api.client.send(request)
    assert response.status_code == 200
    assert media_type(response) == JSON


def test_content_type_with_charset_parameter_is_accepted(api: LiveApi) -> None:
    response = api.client.post(
        "/graphql",
        content=b'{"query": "{ customers { totalCount } }"}',
        headers={
            "content-type": "application/json; charset=utf-8",
            "accept": GRAPHQL_RESPONSE,
            **analyst(api),
        },
    )
    assert response.status_code == 200
    assert response.json()["data"]["customers"]["totalCount"] == 0


def test_get_runs_a_query_from_the_query_string(api: LiveApi) -> None:
    response = api.client.get(
        "/graphql", params={"query": COUNT}, headers={"accept": GRAPHQL_RESPONSE, **analyst(api)}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"customers": {"totalCount": 0}}, **cost(21)}


def test_get_takes_variables_as_json_in_the_query_string(api: LiveApi) -> None:
    response = api.client.get(
        "/graphql",
        params={
            "query": "query($n: Int!) { customers(first: $n) { totalCount } }",
            "variables": '{"n": 5}',
        },
        headers={"accept": GRAPHQL_RESPONSE, **analyst(api)},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"customers": {"totalCount": 0}}, **cost(6)}


def test_browser_get_without_query_gets_the_graphiql_page(api: LiveApi) -> None:
    response = api.client.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert media_type(response) == "text/html"
    assert "graphiql" in response.text.lower()


# --- request errors: graphql-response+json answers 4xx without data ------------------------


def test_parse_error_answers_400_without_data(api: LiveApi) -> None:
    response = api.graphql("{ customers { ")
    assert response.status_code == 400
    assert media_type(response) == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert "Syntax Error" in body["errors"][0]["message"]
    assert_no_internals(response)


def test_unknown_field_answers_400_without_data(api: LiveApi) -> None:
    response = api.graphql("{ customers { nope } }")
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert "nope" in body["errors"][0]["message"]
    assert_no_internals(response)


def test_unknown_field_with_application_json_answers_200_with_errors(api: LiveApi) -> None:
    response = api.client.post(
        "/graphql", json={"query": "{ customers { nope } }"}, headers={"accept": JSON}
    )
    assert response.status_code == 200
    assert media_type(response) == JSON
    body = response.json()
    assert "data" not in body
    assert body["errors"]
    assert_no_internals(response)


def test_variable_of_wrong_type_answers_400_without_data(api: LiveApi) -> None:
    response = api.graphql("query($n: Int!) { customers(first: $n) { totalCount } }", {"n": "two"})
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert "$n" in body["errors"][0]["message"]
    assert_no_internals(response)


def test_input_missing_a_required_field_answers_400_without_data(api: LiveApi) -> None:
    response = api.graphql(
        "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { position } }",
        {"i": {"name": "Ada Lovelace"}},
    )
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert "email" in body["errors"][0]["message"]
    assert_no_internals(response)


def test_field_error_that_nulls_the_result_is_a_partial_response_with_200(api: LiveApi) -> None:
    # Execution began, so this is not a request error: the spec wants `"data": null`, and it
    # recommends 200 (a 4xx would tell the client its request was malformed).
    response = api.graphql("{ customers(first: 0) { totalCount } }")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["customers"]


# --- malformed HTTP requests ---------------------------------------------------------------


def test_body_that_is_not_json_answers_400(api: LiveApi) -> None:
    response = api.client.post("/graphql", content=b"{query: nope", headers={"content-type": JSON})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "request body is not valid JSON"
    assert_no_internals(response)


def test_body_that_is_not_utf8_answers_400(api: LiveApi) -> None:
    response = api.client.post("/graphql", content=b"\xff\xfe\x00", headers={"content-type": JSON})
    assert response.status_code == 400
    assert_no_internals(response)


def test_empty_body_answers_400(api: LiveApi) -> None:
    response = api.client.post("/graphql", content=b"", headers={"content-type": JSON})
    assert response.status_code == 400
    assert_no_internals(response)


def test_json_body_that_is_a_list_answers_400(api: LiveApi) -> None:
    response = post_json(api, [{"query": COUNT}])
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "request body must be a JSON object"}]}


def test_body_without_query_answers_400(api: LiveApi) -> None:
    response = post_json(api, {"variables": {}})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "`query` must be a non-empty string"}]}


@pytest.mark.parametrize("query", [42, ["{ customers { totalCount } }"], {"q": 1}, None, "  "])
def test_query_that_is_not_a_non_empty_string_answers_400(api: LiveApi, query: object) -> None:
    response = post_json(api, {"query": query})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "`query` must be a non-empty string"}]}


@pytest.mark.parametrize("variables", [[1, 2], "{}", 3])
def test_variables_that_are_not_an_object_answer_400(api: LiveApi, variables: object) -> None:
    response = post_json(api, {"query": COUNT, "variables": variables})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "`variables` must be an object"}]}


def test_operation_name_that_is_not_a_string_answers_400(api: LiveApi) -> None:
    response = post_json(api, {"query": COUNT, "operationName": 7})
    assert response.status_code == 400


def test_unknown_operation_name_answers_400(api: LiveApi) -> None:
    response = post_json(
        api, {"query": "query A { customers { totalCount } }", "operationName": "B"}
    )
    assert response.status_code == 400
    assert "data" not in response.json()


def test_text_plain_content_type_answers_415(api: LiveApi) -> None:
    response = api.client.post(
        "/graphql",
        content=b'{"query": "{ customers { totalCount } }"}',
        headers={"content-type": "text/plain", "accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 415
    assert_no_internals(response)


def test_accepting_only_text_plain_answers_406(api: LiveApi) -> None:
    response = api.client.post("/graphql", json={"query": COUNT}, headers={"accept": "text/plain"})
    assert response.status_code == 406
    assert_no_internals(response)


def test_get_with_a_mutation_answers_405_allowing_post(api: LiveApi) -> None:
    mutation = 'mutation { registerCustomer(input: {name: "A", email: "a@b.org"}) { position } }'
    response = api.client.get(
        "/graphql", params={"query": mutation}, headers={"accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert_no_internals(response)


def test_get_with_variables_that_are_not_json_answers_400(api: LiveApi) -> None:
    response = api.client.get("/graphql", params={"query": COUNT, "variables": "{nope"})
    assert response.status_code == 400
    assert_no_internals(response)


def test_put_answers_405(api: LiveApi) -> None:
    response = api.client.put("/graphql", json={"query": COUNT})
    assert response.status_code == 405


# --- limits on hostile input ---------------------------------------------------------------


def test_declared_body_over_the_limit_answers_413(limited_api: LiveApi) -> None:
    response = limited_api.client.post(
        "/graphql", json={"query": COUNT + " " * 4096}, headers={"accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 413
    assert_no_internals(response)


def test_streamed_body_over_the_limit_answers_413(limited_api: LiveApi) -> None:
    # No Content-Length (chunked): the limit is enforced while reading, not only on the header.
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ customers { totalCount } }'
        for _ in range(8):
            yield b" " * 1024
        yield b'"}'

    response = limited_api.client.post("/graphql", content=chunks(), headers={"content-type": JSON})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_body_under_the_limit_is_served(limited_api: LiveApi) -> None:
    response = limited_api.graphql(COUNT + " " * 1500)
    assert response.status_code == 200


def test_default_limit_refuses_a_body_over_a_megabyte(api: LiveApi) -> None:
    response = api.client.post(
        "/graphql", json={"query": COUNT + " " * 1_000_001}, headers={"accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 413


def test_query_deeper_than_the_limit_answers_400(limited_api: LiveApi) -> None:
    response = limited_api.graphql("{ customers { pageInfo { hasNextPage } } }")
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert "depth" in body["errors"][0]["message"]
    assert_no_internals(response)


def test_query_within_the_depth_limit_is_served(limited_api: LiveApi) -> None:
    assert limited_api.graphql(COUNT).status_code == 200


def test_query_with_more_tokens_than_the_limit_answers_400(limited_api: LiveApi) -> None:
    response = limited_api.graphql("{ customers { " + "totalCount " * 120 + "} }")
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert "token" in body["errors"][0]["message"].lower()
    assert_no_internals(response)


@pytest.mark.parametrize(
    "body",
    [
        {"query": "query ($s: String) { __typename }", "variables": {"s": "a\x00b"}},
        {"query": 'mutation { logIn(input: {email: "a\\u0000@b.c", password: "x"}) { token } }'},
    ],
    ids=["variable", "graphql-escape"],
)
def test_a_nul_character_anywhere_is_refused_before_anything_runs(
    api: LiveApi, body: dict[str, object]
) -> None:
    """PostgreSQL cannot store U+0000: one in an event would stop the read models."""
    head = api.quiet_head()
    response = post_json(api, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert api.ledger.head_position() == head
