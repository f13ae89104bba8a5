"""How many PostgreSQL connections one process holds, and what bounds each part of it.

The README's formula (section "Connections") is :func:`connection_bound`; a test starts a real
`cxledger serve`, counts its sessions in ``pg_stat_activity`` and holds it to this bound.

Every pool starts with one connection and grows only under concurrent demand, up to its
maximum (psycopg_pool closes connections idle for ten minutes above the minimum). The event
store's pool used to open ``CXL_DB_POOL_SIZE`` connections at once and grow to twice that:
now it is one to ``CXL_DB_POOL_SIZE`` (``Database.eventsourcing_env``).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresDatastore

from domain.shared.application import LedgerCore
from infrastructure.database import Database

INFRASTRUCTURE_POOL_SIZE = 4
"""The pool for the infrastructure's own tables (subject keys, throttles, sessions)."""
SESSIONS = 2
"""The shared listener (LISTEN and every lease) and the log fan-out's working connection."""
SCHEDULED_JOBS = 5
"""The loyalty job, the SLA check, the health drift job, the campaign sender and the erasure
sweep: each holds at most one connection of its own while it runs (its locks are on the
listener's session)."""


def connection_bound(pool_size: int, *, serves_api: bool, runs_worker: bool) -> int:
    """The most connections one process may hold: for `serve`, with the worker, it is
    2 + 2 x CXL_DB_POOL_SIZE + 4 + 5 (27 with the default pool size of 8)."""
    event_store = pool_size
    api_reads = pool_size if serves_api else 0
    worker = SESSIONS + SCHEDULED_JOBS if runs_worker else 1  # without it: the listener alone
    return worker + event_store + api_reads + INFRASTRUCTURE_POOL_SIZE


def prepare_no_statements(ledger: LedgerCore, database: Database) -> None:
    """Behind a transaction-mode pooler, make the event store's pool prepare no statements:
    the library asks to prepare its own, and ``prepare_threshold=None`` turns that off. The
    pool opened while the ledger was built, so its connections are made anew."""
    if not database.behind_pooler:
        return
    datastore: PostgresDatastore = getattr(ledger.recorder, "datastore")  # noqa: B009
    pool: Any = datastore.pool
    pool.kwargs.update(database.connect_kwargs)
    # A connection the pool began opening before the update (its first connections open in
    # the background while the ledger is built) would still prepare, and behind the pooler its
    # next transaction may land on another server session ("prepared statement _pg3_0 does not
    # exist", seen with two servers and two workers behind one PgBouncer). The pool runs its
    # check function on every connection it hands out: turn preparing off there, so that no
    # connection the pool gives can prepare, whenever it was opened (an attribute, no query).
    library_check = pool._check

    def check(conn: Any) -> None:
        conn.prepare_threshold = None
        if library_check is not None:
            library_check(conn)

    pool._check = check
    pool.drain()
    give_back = getattr(ledger.recorder, "give_back", None)
    if give_back is not None:
        # The log writer's kept connection (``infrastructure.kept_connection``), if a write
        # came first: drained as it comes back (the pool closes what it made before a drain).
        give_back()
