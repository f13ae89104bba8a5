"""The two-role deployment in tests: the test server's administrator owns and migrates the
schema, and the ledger runs as a login role that migrate grants (cluster-wide, created once)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import ConnectionPool

from domain.ledger import Ledger
from infrastructure.bootstrap import build_ledger
from infrastructure.database import Database
from infrastructure.migrations import migrate
from infrastructure.roles import ensure_login_role
from tests.support.ledgers import FAST_PASSWORDS, secrets_for_tests

TEST_RUNTIME_ROLE = "cxl_test_runtime"


def as_role(database: Database, role: str) -> Database:
    """The same database, connected as ``role`` (the test servers trust local connections)."""
    return Database(make_conninfo(database.conninfo, user=role))


@contextlib.contextmanager
def runtime_ledger(owner: Database, role: str = TEST_RUNTIME_ROLE) -> Iterator[Ledger]:
    """A ledger on the runtime role, its schema migrated and granted by ``owner``."""
    ensure_login_role(owner, role)
    runtime = as_role(owner, role)
    key_pool: ConnectionPool[Any] = ConnectionPool(
        runtime.conninfo, min_size=1, max_size=4, open=True
    )
    ledger, _ = build_ledger(runtime, secrets_for_tests(), 4, key_pool, FAST_PASSWORDS)
    try:
        migrate(owner, ledger, runtime_role=role)
        yield ledger
    finally:
        ledger.close()
        key_pool.close()


TEST_OWNER_ROLE = "cxl_test_owner"


def owned_by_a_plain_role(database: Database, role: str = TEST_OWNER_ROLE) -> Database:
    """Hand the (empty) database and its schema to a login role that is not a superuser, as a
    production owner is; the same database, connected as that role."""
    ensure_login_role(database, role)
    with database.connect(autocommit=True) as conn:
        name = conn.execute("SELECT current_database()").fetchone()
        assert name is not None
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(str(name[0])), sql.Identifier(role)
            )
        )
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(role)))
    return as_role(database, role)
