"""A real PostgreSQL server for the test session, and a fresh database per test."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import psycopg

from infrastructure.database import Database, scratch_database, scratch_server

TEST_DATABASE_URL = "CXL_TEST_DATABASE_URL"


@contextlib.contextmanager
def postgres_for_tests() -> Iterator[str]:
    """Admin conninfo of the server the tests use: external if configured, else embedded.

    Never skips: if no PostgreSQL can be started the error says why and the run fails."""
    with scratch_server(os.environ.get(TEST_DATABASE_URL), "cxl-test") as conninfo:
        yield conninfo


@contextlib.contextmanager
def fresh_database(admin_conninfo: str) -> Iterator[Database]:
    """An empty database that is dropped afterwards."""
    with scratch_database(admin_conninfo, "cxl_test") as database:
        yield database


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
