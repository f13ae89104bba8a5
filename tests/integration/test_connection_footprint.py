"""One idle `cxledger serve` holds few PostgreSQL connections, within the README's formula
(infrastructure/footprint.py): one listener, the fan-out's working connection, and pools that
start at one connection each."""

from __future__ import annotations

import time

import httpx
import pytest

from infrastructure.database import Database
from infrastructure.footprint import connection_bound
from tests.integration.test_serve import REGISTER, graphql, start_server, stop
from tests.support.cli import cli_env

IDLE_TARGET = 12
"""Issue 14's target for an idle `serve` with the default settings."""


def connections_of(database: Database) -> int:
    """Sessions on the database other than the one asking."""
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(row[0]) if row else 0


def caught_up(url: str) -> bool:
    health = httpx.get(f"{url}/health", timeout=5).json()
    return all(p["lag"] == 0 for p in health["projections"].values())


@pytest.mark.parametrize("pool_size", [8, 2])
def test_an_idle_serve_holds_no_more_connections_than_the_formula_allows(
    database: Database, pool_size: int
) -> None:
    process, url = start_server(cli_env(database, CXL_DB_POOL_SIZE=str(pool_size)))
    try:
        assert "errors" not in graphql(url, REGISTER)
        deadline = time.monotonic() + 30
        while not caught_up(url) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert caught_up(url)
        time.sleep(1.0)  # the scheduled jobs' first runs end
        held = connections_of(database)
    finally:
        stop(process)
    bound = connection_bound(pool_size, serves_api=True, runs_worker=True)
    assert bound == 2 + 2 * pool_size + 4 + 5  # the README's formula
    assert 2 <= held <= bound
    assert held <= IDLE_TARGET, f"{held} connections held by an idle serve"
