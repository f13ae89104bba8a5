"""Every field of the API's schema declared direct (``plain_fields.DIRECT``) gets its direct
resolver: a declaration the schema cannot honour (an argument strawberry would convert, a
permission of another kind, an ``own`` into an input object) would be ignored silently, and
the field would take strawberry's way without anyone knowing."""

from __future__ import annotations

from graphql import GraphQLObjectType
from strawberry.schema.schema_converter import GraphQLCoreConverter

from graphql_api.context import ApiLimits
from graphql_api.plain_fields import DIRECT, direct_resolver
from graphql_api.schema import build_schema

EXPECTED = {"customer", "customers", "ticket", "survey", "loyaltyAccount", "referrer"}
"""The root fields answered directly (reads of one object by id, and the list page)."""


def test_every_field_declared_direct_gets_its_direct_resolver() -> None:
    schema = build_schema(ApiLimits())
    root = schema._schema.query_type
    assert isinstance(root, GraphQLObjectType)
    declared = set()
    for name, field in root.fields.items():
        definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if DIRECT in (getattr(definition, "metadata", None) or {}):
            declared.add(name)
            assert direct_resolver(field) is not None, name
    assert declared == EXPECTED
