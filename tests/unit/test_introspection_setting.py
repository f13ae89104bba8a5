"""CXL_GRAPHQL_INTROSPECTION: on by default in development, off by default in production."""

from __future__ import annotations

import os

import pytest

from infrastructure.settings import SettingsError, load_settings

PRODUCTION = {
    "CXL_ENVIRONMENT": "production",
    "CXL_DATABASE_URL": "postgresql://cxl@db:5432/cxl",
    "CXL_MASTER_KEY": "00" * 32,
    "CXL_JWT_SECRET": "s" * 32,
    "CXL_AUDIT_KEY": "11" * 32,
}


@pytest.fixture(autouse=True)
def no_inherited_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CXL_")]:
        monkeypatch.delenv(name)


def test_development_shows_the_schema_by_default() -> None:
    assert load_settings().introspection == "on"


def test_production_hides_the_schema_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    assert load_settings().introspection == "off"


@pytest.mark.parametrize("value", ["on", "off", "staff"])
def test_an_explicit_policy_wins_in_production(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    for name, setting in PRODUCTION.items():
        monkeypatch.setenv(name, setting)
    monkeypatch.setenv("CXL_GRAPHQL_INTROSPECTION", value)
    assert load_settings().introspection == value


def test_a_blank_policy_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXL_GRAPHQL_INTROSPECTION", " ")
    assert load_settings().introspection == "on"


def test_an_unknown_policy_is_refused_with_the_setting_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CXL_GRAPHQL_INTROSPECTION", "sometimes")
    with pytest.raises(SettingsError, match="CXL_GRAPHQL_INTROSPECTION"):
        load_settings()
