"""A real PostgreSQL server for the test session, and a fresh database per test."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from infrastructure.database import Database
from infrastructure.embedded_postgres import EmbeddedPostgres

TEST_DATABASE_URL = "CXL_TEST_DATABASE_URL"


@contextlib.contextmanager
def postgres_for_tests() -> Iterator[str]:
    """Admin conninfo of the server the tests use: external if configured, else embedded.

    Never skips: if no PostgreSQL can be started the error says why and the run fails."""
    external = os.environ.get(TEST_DATABASE_URL)
    if external:
        with psycopg.connect(external, connect_timeout=10):
            pass
        yield make_conninfo(external)
        return
    data_dir = Path(tempfile.mkdtemp(prefix="cxl-test-pg-"))
    embedded = EmbeddedPostgres(data_dir)
    try:
        yield make_conninfo(embedded.start(), dbname="postgres")
    finally:
        embedded.stop()


@contextlib.contextmanager
def fresh_database(admin_conninfo: str) -> Iterator[Database]:
    """An empty database that is dropped afterwards."""
    name = f"cxl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield Database(make_conninfo(admin_conninfo, dbname=name))
    finally:
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
