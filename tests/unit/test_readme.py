"""The README stays true about settings and commands."""

from __future__ import annotations

from pathlib import Path

from infrastructure.cli import COMMANDS
from infrastructure.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_the_readme_lists_every_setting() -> None:
    missing = [
        f"CXL_{name.upper()}"
        for name in Settings.model_fields
        if f"`CXL_{name.upper()}`" not in README
    ]
    assert missing == []


def test_the_readme_lists_every_cli_command() -> None:
    assert [c for c in COMMANDS if f"cxledger {c}" not in README] == []


def test_the_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block


def test_the_readme_names_every_survey_dashboard_figure_the_schema_has() -> None:
    """It once listed a "mean score" and a "median completion time" the schema never had."""
    from graphql import GraphQLObjectType

    from graphql_api.schema import build_schema

    schema = build_schema()._schema
    section = README.split("`surveyDashboard(filter)`", 1)[1].split("Small groups", 1)[0]
    missing = []
    for type_name in ("SurveyFigures", "NpsFigures"):
        graphql_type = schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        missing += [f for f in graphql_type.fields if f != "suppressed" and f"`{f}`" not in section]
    assert missing == []
    assert "mean score" not in section and "median completion" not in section
