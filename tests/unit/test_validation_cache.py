"""A repeated query document is parsed once per token limit and validated once per set of
rules, yet every caller still gets the validation their rules give (depth limit, schema hidden
from some roles) and a document over the token limit is refused every time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
import strawberry
from graphql import DocumentNode

from domain.shared.metadata import Role
from graphql_api.auth import Principal
from graphql_api.context import ApiLimits
from graphql_api.document_cache import parsed, validated
from graphql_api.schema import build_schema

DEEP = "{ customers(first: 1) { edges { node { id } } } }"
INTROSPECTION = "{ __schema { queryType { name } } }"


@dataclass
class _Context:
    principal: Principal


def _cache_hits() -> int:
    return validated.cache_info().hits


def _parse_hits() -> int:
    return parsed.cache_info().hits


def _run(schema: strawberry.Schema, query: str, role: Role) -> Any:
    principal = Principal(actor_id="someone", role=role)
    return asyncio.run(schema.execute(query, context_value=_Context(principal)))


def test_a_repeated_document_is_validated_from_the_cache() -> None:
    schema = build_schema(ApiLimits(introspection="on"))
    _run(schema, "{ __typename }", Role.AGENT)
    hits = _cache_hits()
    result = _run(schema, "{ __typename }", Role.AGENT)
    assert result.errors is None
    assert _cache_hits() == hits + 1


def test_a_repeated_document_is_parsed_from_the_cache() -> None:
    schema = build_schema(ApiLimits(introspection="on"))
    _run(schema, "{ __typename }", Role.AGENT)
    hits = _parse_hits()
    assert _run(schema, "{ __typename }", Role.AGENT).errors is None
    assert _parse_hits() == hits + 1


def test_a_document_over_the_token_limit_is_refused_each_time_it_comes() -> None:
    schema = build_schema(ApiLimits(max_query_tokens=5, introspection="on"))
    for _ in range(2):
        result = _run(schema, "{ a: __typename b: __typename c: __typename }", Role.AGENT)
        assert result.errors is not None
        assert "more than 5 tokens" in result.errors[0].message


def test_the_depth_limit_still_refuses_a_cached_document() -> None:
    schema = build_schema(ApiLimits(max_query_depth=2, introspection="on"))
    for _ in range(2):
        result = _run(schema, DEEP, Role.AGENT)
        assert result.errors is not None
        assert "exceeds maximum operation depth" in result.errors[0].message


def test_a_document_cached_for_staff_is_still_refused_to_a_caller_the_schema_is_hidden_from() -> (
    None
):
    schema = build_schema(ApiLimits(introspection="staff"))
    assert _run(schema, INTROSPECTION, Role.AGENT).errors is None
    refused = _run(schema, INTROSPECTION, Role.ANONYMOUS)
    assert refused.errors is not None and "introspection" in refused.errors[0].message.lower()
    assert _run(schema, INTROSPECTION, Role.AGENT).errors is None


def test_a_cached_document_is_not_hashed(monkeypatch: pytest.MonkeyPatch) -> None:
    """graphql-core hashes a document by walking all of it: the validation cache keys the
    parse cache's document by identity instead, and still answers from the cache."""
    schema = build_schema(ApiLimits(introspection="on"))
    _run(schema, "{ hashed: __typename }", Role.AGENT)

    def refuse(self: DocumentNode) -> int:
        raise AssertionError("the document was hashed")

    monkeypatch.setattr(DocumentNode, "__hash__", refuse)
    hits = _cache_hits()
    assert _run(schema, "{ hashed: __typename }", Role.AGENT).errors is None
    assert _cache_hits() == hits + 1
