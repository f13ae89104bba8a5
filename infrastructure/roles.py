"""Which database role does what: the owner migrates, the runtime role serves and projects.

- ``CXL_DATABASE_URL`` and ``CXL_MIGRATION_DATABASE_URL``: the owner migrates and grants the
  runtime role what it needs (``migrations/privileges.py``).
- ``CXL_DATABASE_URL`` alone, on a schema an owner already migrated (the runtime role owns no
  log table): this process does not migrate; it refuses to start on a schema older than its code.
- ``CXL_DATABASE_URL`` alone otherwise: one role owns and runs everything, as before, with a
  warning at every start (allowed in production too, so that existing deployments keep
  starting; the audit key and anchors still reveal a rewrite that role could make).
- No URL (embedded): the embedded server's superuser migrates, and the runtime connects as
  ``cxledger_runtime``, a role created here (idempotently, whoever creates it first).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from domain.shared.application import LedgerCore
from infrastructure.database import Database, database_for
from infrastructure.migrations import migrate, steps_behind
from infrastructure.settings import Settings, SettingsError

log = logging.getLogger(__name__)

EMBEDDED_RUNTIME_ROLE = "cxledger_runtime"


@dataclass(frozen=True)
class DatabaseRoles:
    runtime: Database
    """Where serve and project connect (CXL_DATABASE_URL)."""
    owner: Database | None
    """Who migrates; None when the schema belongs to an owner this process has no URL for."""
    runtime_role: str
    owner_role: str | None

    def migrate(self, ledger: LedgerCore) -> list[str]:
        """Migrate as the owner (granting the runtime role), or check that an owner did."""
        if self.owner is None:
            behind = _steps_behind(self.runtime)
            if behind:
                raise SettingsError(
                    f"the schema is behind this version ({', '.join(behind)}); run "
                    "`cxledger migrate` with CXL_MIGRATION_DATABASE_URL (the owner's URL)"
                )
            return []
        separate = self.owner_role != self.runtime_role
        return migrate(self.owner, ledger, self.runtime_role if separate else None)

    def owner_or_refuse(self, what: str) -> Database:
        """The owner's database, for operator commands that change the schema."""
        if self.owner is None:
            raise SettingsError(
                f"{what} needs CXL_MIGRATION_DATABASE_URL: the role of CXL_DATABASE_URL does "
                "not own the schema"
            )
        return self.owner


@contextlib.contextmanager
def database_roles(settings: Settings) -> Iterator[DatabaseRoles]:
    """The runtime's database and the owner's (the same one in a single-role deployment)."""
    if settings.database_url is None:
        with database_for(None, settings.data_dir) as owner:
            ensure_login_role(owner, EMBEDDED_RUNTIME_ROLE)
            runtime = Database(make_conninfo(owner.conninfo, user=EMBEDDED_RUNTIME_ROLE))
            yield _checked(runtime, owner)
    elif settings.migration_database_url is not None:
        with database_for(settings.migration_database_url, settings.data_dir) as owner:
            yield _checked(_behind_pooler(settings, Database(settings.database_url)), owner)
    else:
        url = settings.direct_database_url or settings.database_url
        with database_for(url, settings.data_dir) as direct:
            runtime = _behind_pooler(settings, direct)
            # Migrations take a session lock: they go to the server itself, never the pooler.
            yield _checked(runtime, direct if _may_migrate(direct) else None)


def _behind_pooler(settings: Settings, database: Database) -> Database:
    """The runtime's database: CXL_DATABASE_URL, and the server itself for session-level work
    when CXL_DIRECT_DATABASE_URL is set (CXL_DATABASE_URL is then a transaction-mode pooler)."""
    if settings.direct_database_url is None or settings.database_url is None:
        return Database(make_conninfo(database.conninfo))
    return Database(
        make_conninfo(settings.database_url), make_conninfo(settings.direct_database_url)
    )


def ensure_login_role(database: Database, role: str) -> None:
    """Create a login role unless it exists; roles are cluster-wide, so another process (or
    another database's migration) may create it at the same moment."""
    with database.connect(autocommit=True) as conn:
        if _role_exists(conn, role):
            return
        with contextlib.suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
            log.info("created the database role %s", role)


def _checked(runtime: Database, owner: Database | None) -> DatabaseRoles:
    runtime_role, runtime_db, superuser = _whoami(runtime)
    if superuser:
        log.warning("the runtime database role %s is a superuser: nothing binds it", runtime_role)
    owner_role = None
    if owner is not None:
        owner_role, owner_db, _ = _whoami(owner)
        if owner_db != runtime_db:
            raise SettingsError(
                f"CXL_DATABASE_URL names database {runtime_db!r} but "
                f"CXL_MIGRATION_DATABASE_URL names {owner_db!r}; they must be the same"
            )
        if owner_role == runtime_role or _acts_as(owner, runtime_role):
            log.warning(
                "the database role %s owns the schema (or acts as its owner) and also serves: "
                "it could disable the event log's append-only triggers and rewrite the audit "
                "chain's rows (the audit key and anchors would still show it); give migrations "
                "a role of their own with CXL_MIGRATION_DATABASE_URL",
                runtime_role,
            )
    return DatabaseRoles(runtime, owner, runtime_role, owner_role)


def _acts_as(owner: Database, runtime_role: str) -> bool:
    """True when the runtime role has the owner's privileges (a member of the owner's role)."""
    with owner.connect() as conn:
        row = conn.execute("SELECT pg_has_role(%s, current_user, 'USAGE')", (runtime_role,))
        return bool(row.fetchone() == (True,))


def _whoami(database: Database) -> tuple[str, str, bool]:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT current_user, current_database(), rolsuper FROM pg_roles"
            " WHERE rolname = current_user"
        ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1]), bool(row[2])


def _may_migrate(runtime: Database) -> bool:
    """True when the role of CXL_DATABASE_URL owns the log (or there is no log yet)."""
    with runtime.connect() as conn:
        row = conn.execute(
            "SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c"
            " WHERE c.oid = to_regclass('public.ledger_events')"
        ).fetchone()
    return row is None or bool(row[0])


def _steps_behind(database: Database) -> list[str]:
    with database.connect() as conn:
        return steps_behind(conn)


def _role_exists(conn: psycopg.Connection[Any], role: str) -> bool:
    found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    return found is not None
