"""The schema's conventions, checked on a built graphql-core schema.

Kept apart from the tests that use it so that the same rules run on the served schema and on
small deliberately broken SDL snippets (which prove each rule can fail).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    get_named_type,
    specified_directives,
    specified_scalar_types,
)

RELAY_ARGUMENTS = ("first", "after", "last", "before")
PASCAL_CASE = re.compile(r"[A-Z][A-Za-z0-9]*")
CAMEL_CASE = re.compile(r"[a-z][A-Za-z0-9]*")
UPPER_CASE = re.compile(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*")


def lint(schema: GraphQLSchema) -> list[str]:
    """Every breach of the conventions, one readable line each; empty when the schema keeps
    them all."""
    problems: list[str] = []
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__") or name in specified_scalar_types:
            continue  # GraphQL's own types are described by the spec, not by us
        problems += _type_problems(named)
    for directive in schema.directives:
        if directive in specified_directives:
            continue
        if not directive.description:
            problems.append(f"@{directive.name}: no description")
        problems += _arguments_problems(f"@{directive.name}", directive.args)
    return problems


def _type_problems(named: GraphQLNamedType) -> list[str]:
    name = named.name
    problems = []
    if not named.description:
        problems.append(f"{name}: no description")
    if not PASCAL_CASE.fullmatch(name):
        problems.append(f"{name}: type name not PascalCase")
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for field_name, field in named.fields.items():
            where = f"{name}.{field_name}"
            problems += _member_problems(where, field_name, field.description, "field")
            problems += _arguments_problems(where, field.args)
            if get_named_type(field.type).name.endswith("Connection"):
                missing = [name for name in RELAY_ARGUMENTS if name not in field.args]
                if missing:
                    problems.append(f"{where}: a connection field without {', '.join(missing)}")
        if name.endswith("Connection"):
            problems += _connection_problems(named)
    elif isinstance(named, GraphQLInputObjectType):
        for field_name, input_field in named.fields.items():
            where = f"{name}.{field_name}"
            problems += _member_problems(where, field_name, input_field.description, "field")
    elif isinstance(named, GraphQLEnumType):
        for value_name, value in named.values.items():
            where = f"{name}.{value_name}"
            if not value.description:
                problems.append(f"{where}: no description")
            if not UPPER_CASE.fullmatch(value_name):
                problems.append(f"{where}: enum value not UPPER_CASE")
    return problems


def _arguments_problems(where: str, arguments: Mapping[str, GraphQLArgument]) -> list[str]:
    problems = []
    for argument_name, argument in arguments.items():
        problems += _member_problems(
            f"{where}({argument_name})", argument_name, argument.description, "argument"
        )
    return problems


def _member_problems(where: str, name: str, description: str | None, kind: str) -> list[str]:
    problems = []
    if not description:
        problems.append(f"{where}: no description")
    if not CAMEL_CASE.fullmatch(name):
        problems.append(f"{where}: {kind} name not camelCase")
    return problems


def _connection_problems(connection: GraphQLObjectType | GraphQLInterfaceType) -> list[str]:
    """A Relay connection: a non-null ``pageInfo: PageInfo!`` and ``edges``, a list of edges
    each with a ``cursor`` and a ``node``."""
    name = connection.name
    problems = []
    page_info = connection.fields.get("pageInfo")
    if page_info is None:
        problems.append(f"{name}: a connection without pageInfo")
    elif not (
        isinstance(page_info.type, GraphQLNonNull)
        and get_named_type(page_info.type).name == "PageInfo"
    ):
        problems.append(f"{name}.pageInfo: not PageInfo!")
    edges = connection.fields.get("edges")
    if edges is None:
        problems.append(f"{name}: a connection without edges")
    elif not _is_list(edges.type):
        problems.append(f"{name}.edges: not a list")
    else:
        edge = get_named_type(edges.type)
        if not isinstance(edge, GraphQLObjectType) or not {"cursor", "node"} <= set(edge.fields):
            problems.append(f"{name}.edges: {edge.name} lacks cursor or node")
    return problems


def _is_list(field_type: GraphQLType) -> bool:
    unwrapped = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    return isinstance(unwrapped, GraphQLList)
