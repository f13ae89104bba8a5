"""A real PostgreSQL server for the test session, and a fresh database per test."""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from infrastructure.database import Database, scratch_server
from infrastructure.database import conninfo_as_url as conninfo_as_url  # re-exported for tests
from tests.support.reused_databases import ReusedDatabases

TEST_DATABASE_URL = "CXL_TEST_DATABASE_URL"


@contextlib.contextmanager
def postgres_for_tests() -> Iterator[str]:
    """Admin conninfo of the server the tests use: external if configured, else embedded.

    Never skips: if no PostgreSQL can be started the error says why and the run fails."""
    external = os.environ.get(TEST_DATABASE_URL)
    with scratch_server(external, "cxl-test") as conninfo:
        if not external:
            _THROWAWAY_SERVERS.add(conninfo)
        try:
            yield conninfo
        finally:
            _THROWAWAY_SERVERS.discard(conninfo)


_THROWAWAY_SERVERS: set[str] = set()
"""Admin conninfos of the embedded servers of this process: their data directory, every
database in it, is removed when the session stops them."""

# Dropping a database takes most of a second (its files unlinked one by one); tests do not wait
# for it. One thread drops them in the order the tests finish, and the session drains it before
# the server stops. On an embedded server nothing is dropped (see ``_retire``).
_DROPPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-test-database")


def _retire(admin_conninfo: str, name: str) -> None:
    """Let go of a database no test will use again: on the external server, drop it (in the
    background); on an embedded one, close it to every connection (a client a test left behind
    finds it refusing, as it would find it dropped) and leave it to go with the server's
    directory. Its drop was of no use there and cost about 0.75 s of the server's time: the
    dropper fell 10 to 80 s behind, which the session waited for at its end."""
    if admin_conninfo not in _THROWAWAY_SERVERS:
        _DROPPER.submit(_drop, admin_conninfo, name)
        return
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name))
        )
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        )


_REUSED: dict[str, ReusedDatabases] = {}
"""Each server's databases that tests have finished with, reset for the next test."""
_REUSED_LOCK = threading.Lock()
EMPTY_TEMPLATE = "template1"
"""What CREATE DATABASE copies when no template is named."""


@contextlib.contextmanager
def fresh_database(admin_conninfo: str, template: str | None = None) -> Iterator[Database]:
    """An empty database (or a copy of ``template``): one a test of this process has finished
    with, put back as a new copy would be (:mod:`tests.support.reused_databases`), or a new one.
    Afterwards it is reset for the next test, or let go (``_retire``) if it cannot be."""
    source = template or EMPTY_TEMPLATE
    with _REUSED_LOCK:
        reused = _REUSED.setdefault(admin_conninfo, ReusedDatabases(admin_conninfo))
        name = reused.take(source)
    if name is None:
        name = f"cxl_test_{uuid.uuid4().hex[:12]}"
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with psycopg.connect(admin_conninfo, autocommit=True) as conn:
            conn.execute(create)
        with _REUSED_LOCK:
            reused.note_new(source, name)
    try:
        yield Database(make_conninfo(admin_conninfo, dbname=name))
    finally:
        with _REUSED_LOCK:
            unkept = reused.give_back(source, name)
        if unkept is not None:
            _retire(admin_conninfo, unkept)


_TEMPLATES: dict[str, str] = {}
_TEMPLATES_LOCK = threading.Lock()


def session_template(admin_conninfo: str, prepare: Callable[[Database], None]) -> str:
    """The name of this process's template database on the server, made once by ``prepare``
    (which must leave no connection to it open: a database being accessed cannot be copied).
    Copying it (``CREATE DATABASE ... TEMPLATE``) takes a fraction of the time migrating a new
    database takes, and gives the same schema."""
    with _TEMPLATES_LOCK:
        if admin_conninfo not in _TEMPLATES:
            name = f"cxl_template_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(admin_conninfo, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            prepare(Database(make_conninfo(admin_conninfo, dbname=name)))
            _TEMPLATES[admin_conninfo] = name
        return _TEMPLATES[admin_conninfo]


def drop_session_templates() -> None:
    """Drop the templates and kept databases this process made on the external server (at the
    end of the session)."""
    with _TEMPLATES_LOCK:
        for admin_conninfo, name in _TEMPLATES.items():
            if admin_conninfo not in _THROWAWAY_SERVERS:
                _DROPPER.submit(_drop, admin_conninfo, name)
        _TEMPLATES.clear()
    with _REUSED_LOCK:
        for admin_conninfo, reused in _REUSED.items():
            if admin_conninfo not in _THROWAWAY_SERVERS:
                for name in reused.all_names():
                    _DROPPER.submit(_drop, admin_conninfo, name)
        _REUSED.clear()


def drain_dropped_databases() -> None:
    """Wait until every finished test's database is gone."""
    _DROPPER.shutdown(wait=True)


def _drop(admin_conninfo: str, name: str) -> None:
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
