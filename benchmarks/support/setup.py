"""What the benchmarks set up the same way: a ledger wired as the composition root wires it
(random or given keys, a migrated schema), the `--database-url` option and a scratch database
on that server (or on an embedded one)."""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import Any

from psycopg_pool import ConnectionPool

from domain.ledger import Ledger
from infrastructure.audit_keys import audit_keys_from_text, new_audit_key_text
from infrastructure.bootstrap import build_ledger
from infrastructure.crypto import KEY_CACHE_SIZE, MasterKey, new_master_key_text
from infrastructure.database import Database, scratch_database, scratch_server
from infrastructure.migrations import migrate
from infrastructure.secrets import Secrets


@contextlib.contextmanager
def migrated_ledger(
    database: Database,
    pool_size: int,
    master_key: str | None = None,
    audit_key: str | None = None,
    key_cache_size: int = KEY_CACHE_SIZE,
) -> Iterator[Ledger]:
    """A migrated ledger on ``database`` with the given keys (random ones if None: give them
    when another process, a worker, must read what this ledger writes)."""
    keys: ConnectionPool[Any] = ConnectionPool(
        database.conninfo, min_size=1, max_size=pool_size, open=True
    )
    bench_secrets = Secrets(
        master_key=MasterKey.from_text(master_key or new_master_key_text()),
        jwt_secret=secrets.token_urlsafe(48),
        audit_keys=audit_keys_from_text(audit_key or new_audit_key_text()),
    )
    ledger, _ = build_ledger(
        database, bench_secrets, pool_size, keys, key_cache_size=key_cache_size
    )
    try:
        migrate(database, ledger)
        yield ledger
    finally:
        ledger.close()
        keys.close()


def add_database_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )


@contextlib.contextmanager
def scratch(database_url: str | None) -> Iterator[Database]:
    """A new database on the server at ``database_url`` (or an embedded one), dropped after."""
    with (
        scratch_server(database_url, "cxl-bench") as admin_conninfo,
        scratch_database(admin_conninfo, "cxl_bench") as database,
    ):
        yield database
