"""A fixed statement run straight through libpq (``infrastructure.libpq_call``): prepared once
per session and again once deallocated, unprepared where the connection prepares nothing, and
failing with the errors psycopg's cursor raises."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from infrastructure.database import Database
from infrastructure.libpq_call import PreparedCall, bigints
from infrastructure.log_writer import bigint_array

DDL = "CREATE TABLE numbers (n bigint PRIMARY KEY)"
INSERT = PreparedCall(
    b"test_insert_numbers",
    b"INSERT INTO numbers SELECT * FROM unnest($1::bigint[]) RETURNING n",
    [1016],
)


def prepared_names(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    return [str(r[0]) for r in conn.execute("SELECT name FROM pg_prepared_statements")]


def test_a_call_is_prepared_once_a_session_and_again_after_a_deallocate_all(
    database: Database,
) -> None:
    with database.connect(autocommit=True) as conn:
        conn.execute(DDL)
        assert bigints(INSERT.run(conn, [bigint_array([1, 2])])) == [1, 2]
        assert bigints(INSERT.run(conn, [bigint_array([3])])) == [3]
        assert prepared_names(conn).count("test_insert_numbers") == 1
        conn.execute("DEALLOCATE ALL")  # as psycopg does after a ROLLBACK
        assert bigints(INSERT.run(conn, [bigint_array([4])])) == [4]
        assert prepared_names(conn).count("test_insert_numbers") == 1
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_a_connection_that_prepares_nothing_runs_the_call_unprepared(database: Database) -> None:
    with database.connect(autocommit=True) as conn:
        conn.execute(DDL)
        conn.prepare_threshold = None  # behind a transaction-mode pooler
        assert bigints(INSERT.run(conn, [bigint_array([5])])) == [5]
        assert "test_insert_numbers" not in prepared_names(conn)


def test_a_refused_call_raises_what_a_cursor_raises_and_leaves_no_transaction(
    database: Database,
) -> None:
    with database.connect(autocommit=True) as conn:
        conn.execute(DDL)
        INSERT.run(conn, [bigint_array([7])])
        with pytest.raises(errors.UniqueViolation):
            INSERT.run(conn, [bigint_array([8, 7])])
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert [r[0] for r in conn.execute("SELECT n FROM numbers ORDER BY n")] == [7]


def test_a_lost_session_raises_an_operational_error(database: Database) -> None:
    with database.connect(autocommit=True) as conn, database.connect(autocommit=True) as admin:
        conn.execute(DDL)
        INSERT.run(conn, [bigint_array([9])])
        admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
        with pytest.raises(psycopg.OperationalError):
            INSERT.run(conn, [bigint_array([10])])
        assert conn.closed


def test_a_call_refuses_a_connection_inside_a_transaction(database: Database) -> None:
    with database.connect() as conn, pytest.raises(psycopg.ProgrammingError):
        INSERT.run(conn, [bigint_array([11])])
