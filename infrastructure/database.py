"""Connection details: from the URL in settings, or from the embedded server."""

from __future__ import annotations

import contextlib
import logging
import math
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.utils import get_topic
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool

from infrastructure.embedded_postgres import EmbeddedPostgres
from infrastructure.event_store import GROUP_COMMIT_WAIT_MS, EventStoreFactory
from infrastructure.pipeline_exit import end_pipelines_with_their_sync
from infrastructure.pool_check import check_idle
from infrastructure.transcoder import LedgerTranscoder

log = logging.getLogger(__name__)

# Every process that reaches the database comes through here: its pipelines (the log writer's,
# every executemany) must not leave a PgBouncer server session linked after they end.
end_pipelines_with_their_sync()

EMBEDDED_DATABASE = "cxledger"


@dataclass(frozen=True)
class Database:
    """Where the product's database is, as a libpq connection string."""

    conninfo: str
    direct_conninfo: str | None = None
    """Where session-level work connects (LISTEN, advisory-lock leases, migrations) when
    ``conninfo`` goes through a transaction-mode pooler such as PgBouncer; None: ``conninfo``
    is a real server session. See :mod:`infrastructure.pooler`."""

    @property
    def behind_pooler(self) -> bool:
        return self.direct_conninfo is not None

    @property
    def connect_kwargs(self) -> dict[str, Any]:
        """What every pooled connection needs: behind a transaction-mode pooler, no prepared
        statements (a statement prepared on one server session is unknown to the next)."""
        return {"prepare_threshold": None} if self.behind_pooler else {}

    def connect(
        self,
        *,
        autocommit: bool = False,
        direct: bool = False,
        application_name: str = "",
        **options: str | int,
    ) -> psycopg.Connection[tuple[Any, ...]]:
        """A new connection; ``direct``: to a real server session, never through a pooler;
        ``options``: more libpq connection parameters (``keepalives``, ...)."""
        extra: dict[str, Any] = {"application_name": application_name} if application_name else {}
        extra.update(options)
        if direct:
            return psycopg.connect(
                self.direct_conninfo or self.conninfo, autocommit=autocommit, **extra
            )
        return psycopg.connect(self.conninfo, autocommit=autocommit, **self.connect_kwargs, **extra)

    def pool(self, max_size: int, timeout: float) -> ConnectionPool[Any]:
        """A small pool whose connections are checked as they are handed out (one broken by
        a database restart is replaced, not used; a round trip only when the server has
        written to it while idle: :mod:`infrastructure.pool_check`), and that fails within
        ``timeout`` while the database cannot be reached; reconnection attempts are as short,
        so that the first request after an outage connects at once."""
        return ConnectionPool(
            self.conninfo,
            min_size=1,
            max_size=max_size,
            open=True,
            check=check_idle,
            timeout=timeout,
            reconnect_timeout=timeout,
            # libpq's minimum connect_timeout is 2 s
            kwargs={"connect_timeout": max(2, math.ceil(timeout)), **self.connect_kwargs},
        )

    def eventsourcing_env(
        self, pool_size: int, timeout: float = 3.0, group_commit_wait_ms: float = 1.0
    ) -> dict[str, str]:
        """The configuration of the ``eventsourcing`` PostgreSQL persistence, given to the
        application object directly rather than through ``os.environ``. ``timeout`` bounds
        the wait for a pooled connection (the library reads whole seconds); PRE_PING checks
        each connection as it is handed out; ``group_commit_wait_ms`` is how long a batch of
        writes may wait for more. See :mod:`infrastructure.event_store`."""
        params = conninfo_to_dict(self.conninfo)
        return {
            "PERSISTENCE_MODULE": get_topic(EventStoreFactory),
            # The library's JSON format, decoded faster (infrastructure/transcoder.py).
            "TRANSCODER_TOPIC": get_topic(LedgerTranscoder),
            "POSTGRES_DBNAME": str(params.get("dbname", "postgres")),
            "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
            "POSTGRES_PORT": str(params.get("port", "5432")),
            "POSTGRES_USER": str(params.get("user", "postgres")),
            "POSTGRES_PASSWORD": str(params.get("password", "")),
            # One connection at first, at most ``pool_size`` (infrastructure/footprint.py).
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": str(pool_size - 1),
            "POSTGRES_PRE_PING": "y",
            "POSTGRES_CONNECT_TIMEOUT": str(max(1, math.ceil(timeout))),
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "30",
            # Tables are created by `migrate`, not as a side effect of constructing the app.
            "CREATE_TABLE": "n",
            GROUP_COMMIT_WAIT_MS: str(group_commit_wait_ms),
        }


def ensure_database(conninfo: str) -> None:
    """Create the database named in ``conninfo`` if the server does not have it yet.

    Only when it is missing do we connect to the maintenance database, which a production
    role may not be allowed to do."""
    try:
        psycopg.connect(conninfo).close()
        return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
    name = str(conninfo_to_dict(conninfo).get("dbname", "postgres"))
    maintenance = make_conninfo(conninfo, dbname="postgres")
    with (
        psycopg.connect(maintenance, autocommit=True) as conn,
        contextlib.suppress(psycopg.errors.DuplicateDatabase),
    ):
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        log.info("created database %s", name)


@contextlib.contextmanager
def database_for(database_url: str | None, data_dir: Path) -> Iterator[Database]:
    """The configured database, or an embedded one that stops when the block ends."""
    if database_url:
        conninfo = make_conninfo(database_url)
        ensure_database(conninfo)
        yield Database(conninfo)
        return
    embedded = EmbeddedPostgres(data_dir)
    try:
        conninfo = make_conninfo(embedded.start(), dbname=EMBEDDED_DATABASE)
        ensure_database(conninfo)
        yield Database(conninfo)
    finally:
        embedded.stop()


@contextlib.contextmanager
def scratch_server(database_url: str | None, prefix: str) -> Iterator[str]:
    """Administrative conninfo of the given server, or of an embedded one in a temporary
    directory removed afterwards: for tests and benchmarks."""
    if database_url:
        with psycopg.connect(database_url, connect_timeout=10):
            pass  # fail now, with the server's own message, if it cannot be reached
        yield make_conninfo(database_url)
        return
    data_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}-pg-"))
    embedded = EmbeddedPostgres(data_dir)
    try:
        yield make_conninfo(embedded.start(), dbname="postgres")
    finally:
        embedded.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextlib.contextmanager
def scratch_database(admin_conninfo: str, prefix: str) -> Iterator[Database]:
    """A new empty database, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
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
    params = conninfo_to_dict(conninfo)
    host = str(params.get("host", "127.0.0.1"))
    user = str(params.get("user", "postgres"))
    password = str(params.get("password", ""))
    port = str(params.get("port", "5432"))
    dbname = str(params.get("dbname", "postgres"))
    auth = f"{user}:{password}@" if password else f"{user}@"
    if host.startswith("/"):
        return f"postgresql://{auth}/{dbname}?host={host}&port={port}"
    return f"postgresql://{auth}{host}:{port}/{dbname}"
