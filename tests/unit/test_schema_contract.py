"""The checked-in SDL is the contract for frontend developers."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLObjectType

from graphql_api.schema import build_schema

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_matches_the_served_schema() -> None:
    served = build_schema().as_str().strip()
    assert SDL.read_text().strip() == served, (
        "schema.graphql is out of date: run `cxledger schema > schema.graphql`"
    )


def test_every_type_and_field_of_ours_has_a_description() -> None:
    schema = build_schema()._schema
    undocumented = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or not isinstance(
            graphql_type, GraphQLObjectType | GraphQLInputObjectType
        ):
            continue
        if not graphql_type.description:
            undocumented.append(name)
        undocumented += [
            f"{name}.{field}"
            for field, value in graphql_type.fields.items()
            if not value.description
        ]
    assert undocumented == []


def test_every_argument_of_our_fields_has_a_description() -> None:
    """logIn, requestPasswordReset, resetPassword and changePassword once took an `input`
    with no description; no argument may again."""
    schema = build_schema()._schema
    undocumented = [
        f"{name}.{field}({argument})"
        for name, graphql_type in schema.type_map.items()
        if not name.startswith("__") and isinstance(graphql_type, GraphQLObjectType)
        for field, value in graphql_type.fields.items()
        for argument, arg in value.args.items()
        if not arg.description
    ]
    assert undocumented == []
