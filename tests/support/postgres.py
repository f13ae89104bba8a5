"""A real PostgreSQL server for the test session, and a fresh database per test."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from infrastructure.database import Database, scratch_server

TEST_DATABASE_URL = "CXL_TEST_DATABASE_URL"


@contextlib.contextmanager
def postgres_for_tests() -> Iterator[str]:
    """Admin conninfo of the server the tests use: external if configured, else embedded.

    Never skips: if no PostgreSQL can be started the error says why and the run fails."""
    with scratch_server(os.environ.get(TEST_DATABASE_URL), "cxl-test") as conninfo:
        yield conninfo


# Dropping a database takes most of a second; tests do not wait for it. One thread drops them
# in the order the tests finish, and the session drains it before the server stops.
_DROPPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-test-database")


@contextlib.contextmanager
def fresh_database(admin_conninfo: str) -> Iterator[Database]:
    """An empty database that is dropped afterwards (in the background)."""
    name = f"cxl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield Database(make_conninfo(admin_conninfo, dbname=name))
    finally:
        _DROPPER.submit(_drop, admin_conninfo, name)


def drain_dropped_databases() -> None:
    """Wait until every finished test's database is gone."""
    _DROPPER.shutdown(wait=True)


def _drop(admin_conninfo: str, name: str) -> None:
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def conninfo_as_url(conninfo: str) -> str:
    """A postgresql:// URL for a conninfo (settings accept URLs only)."""
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    host = str(params.get("host", "127.0.0.1"))
    user = str(params.get("user", "postgres"))
    password = str(params.get("password", ""))
    port = str(params.get("port", "5432"))
    dbname = str(params.get("dbname", "postgres"))
    auth = f"{user}:{password}@" if password else f"{user}@"
    if host.startswith("/"):
        return f"postgresql://{auth}/{dbname}?host={host}&port={port}"
    return f"postgresql://{auth}{host}:{port}/{dbname}"
