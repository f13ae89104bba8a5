"""Settings: every problem stops start-up with a message naming the setting."""

from __future__ import annotations

import os

import pytest

from infrastructure.cli import main
from infrastructure.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def no_inherited_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CXL_")]:
        monkeypatch.delenv(name)


def test_defaults_serve_on_localhost_8000_with_the_embedded_database() -> None:
    settings = load_settings()
    assert (settings.host, settings.port, settings.database_url) == ("127.0.0.1", 8000, None)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CXL_PORT", "eighty"),
        ("CXL_PORT", "70000"),
        ("CXL_DATABASE_URL", "mysql://localhost/db"),
        ("CXL_MIGRATION_DATABASE_URL", "mysql://localhost/db"),
        ("CXL_AUDIT_KEY", "short"),
        ("CXL_JWT_SECRET", "short"),
        ("CXL_LOG_LEVEL", "LOUD"),
        ("CXL_RUN_PROJECTIONS", "perhaps"),
        ("CXL_MAX_TOKEN_TTL", "59"),
        ("CXL_MAX_TOKEN_TTL", "10000000000"),
        ("CXL_MAX_QUERY_COST", "5"),
        ("CXL_RATE_LIMIT_PER_SECOND", "-1"),
        ("CXL_TRUSTED_PROXIES", "10.0.0.1, proxy.internal"),
        ("CXL_MIN_GROUP_SIZE", "0"),
        ("CXL_MIN_GROUP_SIZE", "1001"),
        ("CXL_MIN_GROUP_SIZE", "five"),
        ("CXL_ERASURE_SWEEP_INTERVAL", "0"),
        ("CXL_ERASURE_SWEEP_INTERVAL", "86401"),
        ("CXL_ERASURE_VACUUM", "sometimes"),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()


def test_production_refuses_to_start_without_explicit_secrets_and_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CXL_ENVIRONMENT", "production")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    for name in ("CXL_DATABASE_URL", "CXL_MASTER_KEY", "CXL_JWT_SECRET", "CXL_AUDIT_KEY"):
        assert name in str(refused.value)


def test_an_owners_url_without_the_runtimes_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXL_MIGRATION_DATABASE_URL", "postgresql://owner@db/cxledger")
    with pytest.raises(SettingsError, match="CXL_MIGRATION_DATABASE_URL needs CXL_DATABASE_URL"):
        load_settings()


def test_a_replicas_url_without_the_primarys_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXL_READ_DATABASE_URL", "postgresql://reader@standby/cxledger")
    with pytest.raises(SettingsError, match="CXL_READ_DATABASE_URL needs CXL_DATABASE_URL"):
        load_settings()


def test_a_replicas_url_must_be_a_postgresql_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXL_DATABASE_URL", "postgresql://app@primary/cxledger")
    monkeypatch.setenv("CXL_READ_DATABASE_URL", "mysql://reader@standby/cxledger")
    with pytest.raises(SettingsError, match="CXL_READ_DATABASE_URL"):
        load_settings()


def test_the_cli_exits_with_the_settings_message_instead_of_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CXL_PORT", "not-a-port")
    assert main(["status"]) == 2
    error = capsys.readouterr().err
    assert "CXL_PORT" in error and "Traceback" not in error


def test_every_setting_has_a_description_for_the_readme() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_trusted_proxies_are_a_comma_separated_list_of_addresses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CXL_TRUSTED_PROXIES", " 10.0.0.1,fd00::7 ,")
    assert load_settings().trusted_proxies == frozenset({"10.0.0.1", "fd00::7"})


def test_privacy_settings_default_to_groups_of_five_and_a_full_vacuum_every_minute() -> None:
    settings = load_settings()
    assert (settings.min_group_size, settings.erasure_sweep_interval, settings.erasure_vacuum) == (
        5,
        60,
        "full",
    )
