"""The async pool that read queries (and read-your-writes waits) use.

Each connection is checked as it is handed out, so one that a database restart broke is
replaced rather than failing the request; connecting, waiting for a free connection and
giving up on reconnection are all bounded by ``timeout``, so that while the database is down
a request fails within seconds, and once it is back the next request connects at once."""

from __future__ import annotations

import math
from typing import Any

from psycopg_pool import AsyncConnectionPool


def read_pool(
    conninfo: str, max_size: int, timeout: float, prepared_statements: bool = True
) -> AsyncConnectionPool[Any]:
    """``prepared_statements`` False behind a transaction-mode pooler (PgBouncer): a statement
    prepared on one server session is unknown to the next."""
    extra: dict[str, Any] = {} if prepared_statements else {"prepare_threshold": None}
    return AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=max_size,
        open=False,
        check=AsyncConnectionPool.check_connection,
        timeout=timeout,
        # A short reconnection attempt: a later request starts a new one at once, instead of
        # waiting out an ever longer back-off that began during the outage.
        reconnect_timeout=timeout,
        kwargs={"connect_timeout": max(2, math.ceil(timeout)), **extra},  # libpq's minimum: 2 s
    )
