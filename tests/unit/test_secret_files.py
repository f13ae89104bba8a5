"""Secrets (and database URLs) from files: ``CXL_<NAME>_FILE`` holds the value of
``CXL_<NAME>`` less one trailing newline; both set, or a file that cannot be read, stops
start-up naming the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from infrastructure.audit_keys import new_audit_key_text
from infrastructure.crypto import new_master_key_text
from infrastructure.secret_files import FROM_FILES
from infrastructure.settings import SettingsError, load_settings

JWT_SECRET = "s" * 40
URL = "postgresql://cxledger_runtime:p%40ss@db:5432/cxledger"


@pytest.fixture(autouse=True)
def no_inherited_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CXL_")]:
        monkeypatch.delenv(name)


def secret_file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_secret_file_gives_its_text_without_the_trailing_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXL_JWT_SECRET_FILE", secret_file(tmp_path, "jwt", JWT_SECRET + "\n"))
    settings = load_settings()
    assert settings.jwt_secret is not None
    assert settings.jwt_secret.get_secret_value() == JWT_SECRET


def test_only_one_trailing_newline_is_stripped_and_inner_spaces_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token may end in spaces; a second newline was written on purpose (and is then
    invalid for a token, not silently trimmed)."""
    token = " t" * 20 + " "
    monkeypatch.setenv("CXL_METRICS_TOKEN_FILE", secret_file(tmp_path, "m", token + "\r\n"))
    settings = load_settings()
    assert settings.metrics_token is not None
    assert settings.metrics_token.get_secret_value() == token


@pytest.mark.parametrize("name", ["master_key", "audit_key"])
def test_keys_come_from_files(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = new_master_key_text() if name == "master_key" else new_audit_key_text()
    monkeypatch.setenv(f"CXL_{name.upper()}_FILE", secret_file(tmp_path, name, text + "\n"))
    value = getattr(load_settings(), name)
    assert value.get_secret_value() == text


@pytest.mark.parametrize(
    "name", ["database_url", "direct_database_url", "read_database_url", "migration_database_url"]
)
def test_database_urls_come_from_files(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"CXL_{name.upper()}_FILE", secret_file(tmp_path, name, URL + "\n"))
    if name != "database_url":
        monkeypatch.setenv("CXL_DATABASE_URL", URL)
    assert getattr(load_settings(), name) == URL


def test_production_is_satisfied_by_secret_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXL_ENVIRONMENT", "production")
    for name, text in [
        ("DATABASE_URL", URL),
        ("MASTER_KEY", new_master_key_text()),
        ("JWT_SECRET", JWT_SECRET),
        ("AUDIT_KEY", new_audit_key_text()),
    ]:
        monkeypatch.setenv(f"CXL_{name}_FILE", secret_file(tmp_path, name, text))
    assert load_settings().environment == "production"


def test_production_without_a_secret_names_both_ways_to_give_it() -> None:
    with pytest.raises(SettingsError, match=r"CXL_MASTER_KEY \(or CXL_MASTER_KEY_FILE\)"):
        load_settings(environment="production")


@pytest.mark.parametrize("name", FROM_FILES)
def test_setting_a_variable_and_its_file_is_an_error_naming_both(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    variable = f"CXL_{name.upper()}"
    monkeypatch.setenv(variable, "x")
    monkeypatch.setenv(f"{variable}_FILE", secret_file(tmp_path, name, "y"))
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert f"{variable} and {variable}_FILE are both set" in str(refused.value)


def test_a_missing_file_is_an_error_naming_the_variable_not_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere" / "jwt"
    monkeypatch.setenv("CXL_JWT_SECRET_FILE", str(missing))
    with pytest.raises(SettingsError, match=r"CXL_JWT_SECRET_FILE: cannot read .*nowhere/jwt"):
        load_settings()


def test_an_unreadable_file_is_an_error_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory in place of the file: unreadable as text for every user, root included."""
    monkeypatch.setenv("CXL_AUDIT_KEY_FILE", str(tmp_path))
    with pytest.raises(SettingsError, match=r"CXL_AUDIT_KEY_FILE: cannot read"):
        load_settings()


def test_a_file_that_is_not_text_is_an_error_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "binary"
    path.write_bytes(b"\xff\xfe\x00")
    monkeypatch.setenv("CXL_MASTER_KEY_FILE", str(path))
    with pytest.raises(SettingsError, match=r"CXL_MASTER_KEY_FILE: cannot read .*not UTF-8"):
        load_settings()


def test_the_file_variant_of_an_invalid_value_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXL_JWT_SECRET_FILE", secret_file(tmp_path, "jwt", "short\n"))
    with pytest.raises(SettingsError, match=r"CXL_JWT_SECRET: .*must be at least 32"):
        load_settings()
