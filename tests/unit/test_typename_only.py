"""graphql_api.typename_only: which operations are answered from the document alone, and
that their data is what graphql-core's executor makes of them."""

from __future__ import annotations

import pytest
from graphql import ExecutionResult, OperationDefinitionNode, execute, parse

from graphql_api.schema import build_schema
from graphql_api.typename_only import typename_data, typename_names

SCHEMA = build_schema()._schema


def _operation(query: str) -> OperationDefinitionNode:
    definition = parse(query).definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return definition


@pytest.mark.parametrize(
    "query",
    [
        "{ __typename }",
        "query Ping { __typename }",
        "{ a: __typename }",
        "{ b: __typename a: __typename b: __typename __typename }",
        "mutation { __typename }",
        "mutation M { x: __typename __typename }",
    ],
)
def test_typename_alone_gives_the_executors_data(query: str) -> None:
    answer = typename_names(SCHEMA, _operation(query))
    assert answer is not None
    expected = execute(SCHEMA, parse(query))
    assert isinstance(expected, ExecutionResult) and not expected.errors
    data = typename_data(answer)
    assert data == expected.data
    assert list(data) == list(expected.data or {})  # the same order
    assert typename_data(answer) is not data  # a new dict for each request


@pytest.mark.parametrize(
    "query",
    [
        "subscription { __typename }",
        "query($n: Int) { __typename }",
        "query @skip(if: true) { __typename }",
        "{ __typename @include(if: false) }",
        "{ ...F } fragment F on Query { __typename }",
        "{ ... on Query { __typename } }",
        "{ __typename customers(first: 1) { totalCount } }",
        "{ customers(first: 1) { __typename } }",
    ],
)
def test_anything_else_goes_to_the_executor(query: str) -> None:
    assert typename_names(SCHEMA, _operation(query)) is None
