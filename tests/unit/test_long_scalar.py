"""The Long scalar: whole numbers past 32 bits written exactly as JSON numbers; read back
(as variables or literals) only as whole numbers within 64 bits, never as floats, booleans or
text; its description says where JavaScript stops being exact."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLError, GraphQLScalarType, parse_value

from graphql_api.scalars import JS_SAFE_MAX, LONG_MAX, LONG_MIN
from graphql_api.schema import build_schema


@pytest.fixture(scope="module")
def long_type() -> GraphQLScalarType:
    found = build_schema()._schema.type_map["Long"]
    assert isinstance(found, GraphQLScalarType)
    return found


@pytest.mark.parametrize("value", [0, -5, 2**31, 3_000_000_000, JS_SAFE_MAX + 2, LONG_MAX])
def test_a_whole_number_is_written_exactly(long_type: GraphQLScalarType, value: int) -> None:
    written = long_type.serialize(value)
    assert written == value and type(written) is int


@pytest.mark.parametrize("value", [True, 3.0, Decimal(3), "3", None])
def test_anything_but_a_whole_number_is_not_written(
    long_type: GraphQLScalarType, value: Any
) -> None:
    with pytest.raises((TypeError, GraphQLError)):
        long_type.serialize(value)


@pytest.mark.parametrize("value", [0, 3_000_000_000, LONG_MIN, LONG_MAX])
def test_a_whole_number_within_64_bits_is_read(long_type: GraphQLScalarType, value: int) -> None:
    assert long_type.parse_value(value) == value
    assert long_type.parse_literal(parse_value(str(value))) == value


@pytest.mark.parametrize(
    "value",
    [3.0, 3.5, True, False, "3000000000", None, [1], LONG_MAX + 1, LONG_MIN - 1],
    ids=["integral-float", "float", "true", "false", "text", "null", "list", "over", "under"],
)
def test_a_variable_that_is_no_whole_number_within_64_bits_is_refused(
    long_type: GraphQLScalarType, value: Any
) -> None:
    with pytest.raises(GraphQLError) as refused:
        long_type.parse_value(value)
    assert refused.value.extensions == {"code": "INVALID_INPUT"}


@pytest.mark.parametrize(
    "literal", ["3.0", "3e9", "true", '"3000000000"', "null", str(LONG_MAX + 1)]
)
def test_a_literal_that_is_no_whole_number_within_64_bits_is_refused(
    long_type: GraphQLScalarType, literal: str
) -> None:
    with pytest.raises(GraphQLError):
        long_type.parse_literal(parse_value(literal))


def test_its_description_says_where_javascript_stops_being_exact(
    long_type: GraphQLScalarType,
) -> None:
    description = long_type.description or ""
    assert "2^53-1" in description and str(JS_SAFE_MAX) in description
    assert "1000000000000" in description  # the most one order earns
