"""Which role does what, as settings choose it: with CXL_MIGRATION_DATABASE_URL the owner
migrates (and rebuilds) and grants the runtime role; a process with only the runtime's URL
does not migrate and refuses an outdated schema; one URL for both is allowed with a warning; the
embedded default runs as a role it creates, whoever creates it first."""

from __future__ import annotations

import logging
import subprocess
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.bootstrap import open_runtime
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.roles import EMBEDDED_RUNTIME_ROLE, ensure_login_role
from infrastructure.settings import Settings, SettingsError
from projections.customers.projection import CustomerDirectory
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import TEST_AUDIT_KEY_TEXT, TEST_JWT_SECRET, TEST_MASTER_KEY_TEXT
from tests.support.postgres import conninfo_as_url
from tests.support.roles import TEST_RUNTIME_ROLE, as_role, owned_by_a_plain_role

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
DISABLE_TRIGGER = "ALTER TABLE ledger_events DISABLE TRIGGER cxl_append_only"


def settings(
    runtime: Database | None, owner: Database | None = None, data_dir: Path = Path("var")
) -> Settings:
    return Settings(
        database_url=None if runtime is None else conninfo_as_url(runtime.conninfo),
        migration_database_url=None if owner is None else conninfo_as_url(owner.conninfo),
        data_dir=data_dir,
        master_key=TEST_MASTER_KEY_TEXT,
        jwt_secret=TEST_JWT_SECRET,
        audit_key=TEST_AUDIT_KEY_TEXT,
    )


def cxledger(args: list[str], runtime: Database, owner: Database | None = None) -> str:
    """Run the CLI; its stdout, or CalledProcessError with its stderr."""
    extra = {"CXL_MIGRATION_DATABASE_URL": conninfo_as_url(owner.conninfo)} if owner else {}
    done = subprocess.run(
        [*CXLEDGER, *args],
        cwd=REPO,
        env=cli_env(runtime, None, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return str(done.stdout)


@pytest.fixture
def runtime(database: Database) -> Database:
    ensure_login_role(database, TEST_RUNTIME_ROLE)
    return as_role(database, TEST_RUNTIME_ROLE)


def test_migrate_as_the_owner_leaves_the_runtime_role_unable_to_disable_the_trigger(
    database: Database, runtime: Database
) -> None:
    assert "020_audit_chain_keying.sql" in cxledger(["migrate"], runtime, owner=database)
    with runtime.connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(DISABLE_TRIGGER)
    with database.connect() as conn:  # the owner still may: it is never what serves
        conn.execute(DISABLE_TRIGGER)


def test_a_process_with_only_the_runtime_url_does_not_migrate_an_owners_schema(
    database: Database, runtime: Database
) -> None:
    cxledger(["migrate"], runtime, owner=database)
    with open_runtime(settings(runtime)) as running:
        assert running.roles.owner is None
        running.ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    with pytest.raises(subprocess.CalledProcessError) as refused:
        cxledger(["migrate"], runtime)
    assert refused.value.returncode == 2
    assert "CXL_MIGRATION_DATABASE_URL" in refused.value.stderr


def test_a_process_with_only_the_runtime_url_refuses_a_schema_behind_its_code(
    database: Database, runtime: Database
) -> None:
    cxledger(["migrate"], runtime, owner=database)
    with database.connect() as conn:
        conn.execute("DELETE FROM cxl_schema_migrations WHERE name = '020_audit_chain_keying.sql'")
        conn.commit()
    with (
        pytest.raises(SettingsError, match=r"020_audit_chain_keying\.sql"),
        open_runtime(settings(runtime)),
    ):
        pass


def test_a_rebuild_by_the_owner_leaves_the_read_model_writable_by_the_runtime_role(
    database: Database, runtime: Database
) -> None:
    with open_runtime(settings(runtime, owner=database)) as running:
        ledger = running.ledger
        ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
        cxledger(["rebuild", "customer_directory"], runtime, owner=database)
        ledger.register_customer(RegisterCustomer("Bob", "bob@example.org"), AGENT)
        with runtime.connect() as conn:
            ProjectionRunner(ledger, runtime, CustomerDirectory(), 10).catch_up(conn)
            (count,) = conn.execute("SELECT count(*) FROM customer_directory").fetchone() or (0,)
    assert count == 2


def test_one_role_for_both_is_allowed_with_a_warning_that_it_can_unprotect_the_log(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, "infrastructure.roles"),
        open_runtime(settings(database)) as running,
    ):
        assert running.roles.owner == running.database
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "append-only triggers" in warned and "CXL_MIGRATION_DATABASE_URL" in warned


def test_the_same_role_given_as_owner_and_runtime_keeps_its_rights_to_the_log(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    owner_url = conninfo_as_url(owned_by_a_plain_role(database).conninfo)  # not a superuser
    another_url = owner_url + ("&" if "?" in owner_url else "?") + "application_name=migrate"
    both = settings(None).model_copy(
        update={"database_url": owner_url, "migration_database_url": another_url}
    )
    for name in ("Ada", "Bob"):  # the second start migrates again, as the same owner
        with (
            caplog.at_level(logging.WARNING, "infrastructure.roles"),
            open_runtime(both) as running,
        ):
            ledger = running.ledger
            head = ledger.register_customer(RegisterCustomer(name, f"{name}@ex.org"), AGENT)
    assert head.position == 4
    assert "append-only triggers" in caplog.text


def test_urls_of_two_different_databases_are_refused(
    database: Database, runtime: Database, pg_admin: str
) -> None:
    other = Database(psycopg.conninfo.make_conninfo(pg_admin, dbname="postgres"))
    with (
        pytest.raises(SettingsError, match="must be the same"),
        open_runtime(settings(runtime, owner=other)),
    ):
        pass


def test_the_embedded_default_serves_as_a_runtime_role_it_created(tmp_path: Path) -> None:
    with open_runtime(settings(None, data_dir=tmp_path / "var")) as running:
        assert psycopg.conninfo.conninfo_to_dict(running.database.conninfo)["user"] == (
            EMBEDDED_RUNTIME_ROLE
        )
        running.ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
        with (
            running.database.connect() as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute(DISABLE_TRIGGER)


def test_concurrent_creators_of_one_role_all_succeed(database: Database) -> None:
    role = f"cxl_test_race_{uuid.uuid4().hex[:8]}"
    start, errors = threading.Barrier(4), []

    def create() -> None:
        start.wait()
        try:
            ensure_login_role(database, role)
        except psycopg.Error as error:
            errors.append(error)

    creators = [threading.Thread(target=create) for _ in range(4)]
    for creator in creators:
        creator.start()
    for creator in creators:
        creator.join(30)
    try:
        assert errors == []
        with database.connect() as conn:
            assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    finally:
        with database.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
