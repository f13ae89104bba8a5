"""The documented client code generation configs (docs/codegen.yml for GraphQL Code
Generator, docs/relay.config.json for the Relay compiler) map every custom scalar of the
checked-in schema.graphql, and map nothing that is not one, so they cannot rot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from graphql import GraphQLScalarType, build_schema, specified_scalar_types

ROOT = Path(__file__).resolve().parents[2]


def custom_scalars() -> set[str]:
    schema = build_schema((ROOT / "schema.graphql").read_text())
    return {
        name
        for name, graphql_type in schema.type_map.items()
        if isinstance(graphql_type, GraphQLScalarType) and name not in specified_scalar_types
    }


def codegen_outputs_with_scalars() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((ROOT / "docs" / "codegen.yml").read_text())
    return {
        target: output["config"]
        for target, output in config["generates"].items()
        if "scalars" in output.get("config", {})
    }


def test_the_schema_has_the_custom_scalars_the_configs_were_written_for() -> None:
    """The check below compares against something: schema.graphql declares custom scalars."""
    assert {"UUID", "DateTime", "Decimal", "Long", "JSON"} <= custom_scalars()


def test_codegen_maps_every_custom_scalar_and_refuses_unmapped_ones() -> None:
    """Each GraphQL Code Generator output that maps scalars maps every custom scalar of the
    schema (and besides them only GraphQL's own, like ID), with strictScalars on (an unmapped
    one would fail codegen, not become any)."""
    outputs = codegen_outputs_with_scalars()
    assert outputs, "docs/codegen.yml maps no scalars"
    for target, config in outputs.items():
        mapped = set(config["scalars"])
        assert custom_scalars() <= mapped, (target, custom_scalars() - mapped)
        assert mapped - custom_scalars() <= set(specified_scalar_types), target
        assert config["strictScalars"] is True, target


def test_relay_compiler_maps_every_custom_scalar() -> None:
    """docs/relay.config.json's customScalarTypes maps exactly the schema's custom scalars."""
    config = json.loads((ROOT / "docs" / "relay.config.json").read_text())
    assert set(config["customScalarTypes"]) == custom_scalars()


def test_both_configs_give_each_scalar_the_same_type() -> None:
    """A scalar is the same TypeScript type whichever generator a frontend uses."""
    relay = json.loads((ROOT / "docs" / "relay.config.json").read_text())["customScalarTypes"]
    for config in codegen_outputs_with_scalars().values():
        assert {name: config["scalars"][name] for name in custom_scalars()} == relay
