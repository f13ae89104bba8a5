"""docker-compose.yml and the Dockerfile configure and run only what the product defines: its
settings (``CXL_`` variables), its CLI commands, production mode with secrets from variables;
the database has two roles, an owner that only the one-shot migration uses and a runtime role
that the API and workers use (tests/integration/test_compose_roles.py runs the script that
creates them)."""

from __future__ import annotations

import json
import os
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from infrastructure.audit_keys import new_audit_key_text
from infrastructure.cli import COMMANDS, build_parser
from infrastructure.crypto import new_master_key_text
from infrastructure.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "api", "worker")
RUNTIME_SERVICES = ("api", "worker")
SECRET_VARIABLES = ("CXL_MASTER_KEY", "CXL_JWT_SECRET", "CXL_AUDIT_KEY")
INIT_SCRIPTS = ROOT / "deploy" / "postgres-init"
# ${NAME}, ${NAME:-default}, ${NAME:?message}, ...: compose interpolation.
VARIABLE = re.compile(r"\$\{(\w+)(?::?[-+?][^}]*)?\}")
# ${NAME:?message} or ${NAME?message}: compose refuses to start when NAME is unset.
REQUIRED_VARIABLE = re.compile(r"\$\{\w+:?\?[^}]*\}")


def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return dict(compose["services"])


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment, given as a mapping or as a list of NAME=value."""
    given = service.get("environment") or {}
    if isinstance(given, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in given)
    return {str(name): str(value) for name, value in given.items()}


def command_argv(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def runs_cxledger(service: dict[str, Any]) -> bool:
    """Built from this repository's Dockerfile, or run from the image it builds."""
    return "build" in service or str(service.get("image", "")).startswith("cxledger")


def dockerfile_instructions(name: str) -> list[str]:
    """The arguments of each ``name`` instruction of the Dockerfile, in order."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        keyword, _, arguments = line.strip().partition(" ")
        if keyword.upper() == name.upper():
            found.append(arguments.strip())
    return found


def setting_variables() -> set[str]:
    return {f"CXL_{field.upper()}" for field in Settings.model_fields}


def interpolated(value: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda match: values[match.group(1)], value)


def test_every_cxl_variable_a_service_sets_is_a_setting() -> None:
    set_by_services = {
        (name, variable)
        for name, service in services().items()
        for variable in environment(service)
        if variable.startswith("CXL_")
    }
    assert set_by_services, "no service sets any CXL_ variable"
    unknown = {pair for pair in set_by_services if pair[1] not in setting_variables()}
    assert unknown == set()


def test_every_cxledger_service_runs_a_cli_subcommand() -> None:
    cxledger_services = {n: s for n, s in services().items() if runs_cxledger(s)}
    assert set(cxledger_services) == set(APP_SERVICES)
    for name, service in cxledger_services.items():
        argv = command_argv(service)
        assert argv and argv[0] in COMMANDS, f"{name} runs {argv!r}"
        assert build_parser().parse_args(argv).command == argv[0]


def test_api_serves_and_worker_runs_projections_apart_from_it() -> None:
    api, worker = services()["api"], services()["worker"]
    assert command_argv(api)[:1] == ["serve"]
    assert environment(api)["CXL_RUN_PROJECTIONS"] == "false"
    assert command_argv(worker)[:1] == ["project"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_runs_in_production_mode(name: str) -> None:
    assert environment(services()[name])["CXL_ENVIRONMENT"] == "production"


@pytest.mark.parametrize("name", APP_SERVICES)
@pytest.mark.parametrize("variable", SECRET_VARIABLES)
def test_app_service_secret_is_a_required_compose_variable(name: str, variable: str) -> None:
    value = environment(services()[name])[variable]
    assert REQUIRED_VARIABLE.fullmatch(value), f"{name} sets {variable} to a literal"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_database_password_is_a_required_compose_variable(name: str) -> None:
    url = environment(services()[name])["CXL_DATABASE_URL"]
    if REQUIRED_VARIABLE.fullmatch(url):
        return
    userinfo = url.split("://", 1)[1].rpartition("@")[0]
    password = userinfo.partition(":")[2]
    assert REQUIRED_VARIABLE.fullmatch(password), f"{name} has a literal database password"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_environment_loads_as_production_settings(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = environment(services()[name])
    values = {v: "p" * 40 for value in env.values() for v in VARIABLE.findall(value)}
    values["CXL_MASTER_KEY"] = new_master_key_text()
    values["CXL_AUDIT_KEY"] = new_audit_key_text()
    for variable in [v for v in os.environ if v.startswith("CXL_")]:
        monkeypatch.delenv(variable)
    for variable, value in env.items():
        monkeypatch.setenv(variable, interpolated(value, values))
    settings = load_settings()
    assert settings.environment == "production"
    assert settings.database_url is not None


def test_dockerfile_entrypoint_is_the_cxledger_cli() -> None:
    entrypoints = dockerfile_instructions("ENTRYPOINT")
    assert entrypoints, "the Dockerfile has no ENTRYPOINT"
    assert json.loads(entrypoints[-1]) == ["cxledger"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["cxledger"] == "infrastructure.cli:main"


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = dockerfile_instructions("USER")
    assert users, "the Dockerfile has no USER: the container would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def url_user(url: str) -> str:
    return url.split("://", 1)[1].rpartition("@")[0].partition(":")[0]


def test_only_the_one_shot_migration_has_the_owners_url() -> None:
    migrate = services()["migrate"]
    assert command_argv(migrate) == ["migrate"]
    assert "CXL_MIGRATION_DATABASE_URL" in environment(migrate)
    assert migrate.get("restart") == "no"
    for name in RUNTIME_SERVICES:
        assert "CXL_MIGRATION_DATABASE_URL" not in environment(services()[name])


def test_the_owner_migrates_and_the_runtime_role_serves_neither_being_the_superuser() -> None:
    superuser = environment(services()["postgres"])["POSTGRES_USER"]
    owner = url_user(environment(services()["migrate"])["CXL_MIGRATION_DATABASE_URL"])
    runtime = {url_user(environment(services()[n])["CXL_DATABASE_URL"]) for n in APP_SERVICES}
    assert runtime == {"cxledger_runtime"}
    assert owner == "cxledger_owner"
    assert superuser not in (owner, "cxledger_runtime")


def test_the_owners_password_is_a_required_compose_variable() -> None:
    url = environment(services()["migrate"])["CXL_MIGRATION_DATABASE_URL"]
    password = url.split("://", 1)[1].rpartition("@")[0].partition(":")[2]
    assert REQUIRED_VARIABLE.fullmatch(password)


@pytest.mark.parametrize("name", RUNTIME_SERVICES)
def test_api_and_worker_start_only_after_the_migration_succeeded(name: str) -> None:
    depends = services()[name]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_postgres_runs_the_script_that_creates_both_roles_at_initialisation() -> None:
    postgres = services()["postgres"]
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in postgres["volumes"]
    script = (INIT_SCRIPTS / "10-cxledger-roles.sh").read_text()
    assert "cxledger_owner" in script and "cxledger_runtime" in script
    env = environment(postgres)
    for variable in ("CXLEDGER_OWNER_PASSWORD", "CXLEDGER_RUNTIME_PASSWORD", "POSTGRES_PASSWORD"):
        assert REQUIRED_VARIABLE.fullmatch(env[variable]), variable
