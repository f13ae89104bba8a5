"""The test databases handed on from test to test (tests/support/reused_databases.py): the next
test gets what a new copy of the template would be, or a new copy."""

from __future__ import annotations

import time

import psycopg
import pytest

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from tests.support.ledgers import migrated_database, postgres_ledger

FACTS = """
    SELECT (SELECT oid FROM pg_database WHERE datname = current_database()),
           (SELECT count(*) FROM ledger_events),
           (SELECT array_agg(name ORDER BY name) FROM cxl_projection_positions),
           (SELECT count(*) FROM cxl_schema_migrations),
           (SELECT count(*) FROM cxl_master_key_check)
"""


def facts(database: Database) -> tuple[object, ...]:
    with database.connect() as conn:
        row = conn.execute(FACTS).fetchone()
    assert row is not None
    return tuple(row)


def oid_of(database: Database) -> int:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT oid FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_database_a_test_wrote_to_comes_back_as_a_new_copy(
    pg_admin: str, agent: EventMetadata
) -> None:
    with migrated_database(pg_admin) as database:
        new_copy = facts(database)
        with postgres_ledger(database) as ledger:
            ledger.register_customer(RegisterCustomer("Ada Lovelace", "ada@example.com"), agent)
            assert ledger.head_position() > 0
    with migrated_database(pg_admin) as database:
        assert facts(database) == new_copy  # the same database (oid), as it was made
        with postgres_ledger(database) as ledger:
            # The log's positions start again at 1.
            ledger.register_customer(RegisterCustomer("Ada Lovelace", "ada@example.com"), agent)
            with database.connect() as conn:
                first = conn.execute("SELECT min(notification_id) FROM ledger_events").fetchone()
            assert first == (1,)


def test_a_database_whose_schema_a_test_changed_is_dropped_not_handed_on(
    pg_admin: str,
) -> None:
    with migrated_database(pg_admin) as database:
        changed = oid_of(database)
        with database.connect() as conn:
            conn.execute("CREATE TABLE stray_table_of_a_test (x int)")
            conn.commit()
    with migrated_database(pg_admin) as database:
        assert oid_of(database) != changed
        with database.connect() as conn:
            stray = conn.execute("SELECT to_regclass('stray_table_of_a_test')").fetchone()
        assert stray == (None,)
    assert let_go_soon(pg_admin, changed)


def let_go_soon(admin_conninfo: str, oid: int) -> bool:
    """True once the database of ``oid`` is gone (the external server drops it in the
    background) or closed to connections (an embedded server's), within a few seconds: it is
    let go as soon as its test ends, not kept until the session's end."""
    deadline = time.monotonic() + 15
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        while True:
            row = admin.execute("SELECT datallowconn FROM pg_database WHERE oid = %s", (oid,))
            found = row.fetchone()
            if found is None or found == (False,):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def test_a_connection_a_test_left_open_cannot_reach_the_next_tests_database(
    pg_admin: str,
) -> None:
    with migrated_database(pg_admin) as database:
        left_open = psycopg.connect(database.conninfo, autocommit=True)
        reused = oid_of(database)
    try:
        with pytest.raises(psycopg.OperationalError):
            left_open.execute("SELECT 1")  # terminated when the test ended
    finally:
        left_open.close()
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        psycopg.connect(database.conninfo).close()  # its name is gone
    with migrated_database(pg_admin) as database:
        assert oid_of(database) == reused  # handed on under another name


def test_planner_statistics_and_activity_counters_of_a_test_are_gone_for_the_next(
    pg_admin: str,
) -> None:
    with migrated_database(pg_admin) as database, database.connect() as conn:
        conn.execute(
            "INSERT INTO cxl_projection_positions (name, position)"
            " SELECT 'follower_' || n, n FROM generate_series(1, 200) AS n"
            " ON CONFLICT DO NOTHING"
        )
        conn.execute("ANALYZE cxl_projection_positions")
        conn.commit()
    with migrated_database(pg_admin) as database, database.connect() as conn:
        statistics = conn.execute(
            "SELECT count(*) FROM pg_statistic"
            " WHERE starelid = 'cxl_projection_positions'::regclass"
        ).fetchone()
        inserted = conn.execute(
            "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'cxl_projection_positions'"
        ).fetchone()
        followers = conn.execute(
            "SELECT count(*) FROM cxl_projection_positions WHERE name LIKE 'follower_%'"
        ).fetchone()
    assert statistics == (0,)
    assert inserted == (0,)
    assert followers == (0,)
