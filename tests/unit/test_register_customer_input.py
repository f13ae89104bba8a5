"""``registerCustomer``'s input is built directly (``graphql_api.direct_inputs``): what it
builds equals strawberry's own field-by-field conversion, with every field given, with the
optional ones left out and with them sent as null."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

import pytest
import strawberry
from strawberry.types.arguments import convert_argument
from strawberry.types.base import get_object_definition

from graphql_api.customers.inputs import RegisterCustomerInput
from graphql_api.schema import build_schema

VALUES: list[dict[str, Any]] = [
    {"name": "Ada Lovelace", "email": "ada@example.org"},
    {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "phone": "+44 20 7946 0000",
        "region": "EMEA",
        "customerId": uuid4(),
        "password": "correct horse battery",
        "referralCode": "ADA-123",
    },
    {
        "name": "Ada",
        "email": "ada@example.org",
        "phone": None,
        "region": None,
        "customerId": None,
        "password": None,
        "referralCode": None,
    },
]


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema()


def converted(schema: strawberry.Schema, value: Mapping[str, Any]) -> Any:
    converter = schema.schema_converter
    return convert_argument(value, RegisterCustomerInput, converter.scalar_registry, schema.config)


@pytest.mark.parametrize("value", VALUES)
def test_the_registration_input_built_directly_equals_strawberrys_conversion(
    schema: strawberry.Schema, value: dict[str, Any]
) -> None:
    definition = get_object_definition(RegisterCustomerInput, strict=True)
    hook = definition.from_input
    assert hook is not None, "built directly"
    direct = converted(schema, value)
    definition.from_input = None
    try:
        own = converted(schema, value)
    finally:
        definition.from_input = hook
    assert direct == own
    assert direct.phone == value.get("phone") and direct.customer_id == value.get("customerId")
