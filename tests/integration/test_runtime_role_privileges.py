"""The runtime role (what serve and project connect as) cannot change history.

It reads and appends the log, its snapshots and the audit chain, and nothing more there: no
UPDATE, DELETE or TRUNCATE, no ALTER (so no DISABLE TRIGGER), no new trigger, no DROP, no
replacing the trigger's function, no choosing a log position, no turning triggers off for its
session. It owns nothing. Every other table (including ones other changes add later) it may
read and write.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from domain.customer.commands import RegisterCustomer
from domain.customer.errors import EmailAlreadyRegisteredError
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.migrations.privileges import APPEND_ONLY, READ_ONLY
from tests.support.audit import chain_up, verify
from tests.support.ledgers import TEST_AUDIT_KEYS
from tests.support.roles import TEST_RUNTIME_ROLE, as_role, runtime_ledger

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)


@pytest.fixture
def runtime(database: Database) -> Iterator[Database]:
    """Three customers registered and chained by the runtime role; its connection details."""
    with runtime_ledger(database) as ledger:
        for n in range(3):
            ledger.register_customer(RegisterCustomer(f"R{n}", f"r{n}@example.org"), AGENT)
        chain_up(ledger, as_role(database, TEST_RUNTIME_ROLE), TEST_AUDIT_KEYS.chain)
        yield as_role(database, TEST_RUNTIME_ROLE)


FORBIDDEN = {
    "disable the append-only trigger": "ALTER TABLE ledger_events DISABLE TRIGGER cxl_append_only",
    "disable every trigger": "ALTER TABLE ledger_events DISABLE TRIGGER ALL",
    "update an event": "UPDATE ledger_events SET state = state || '\\x00'::bytea",
    "delete an event": "DELETE FROM ledger_events",
    "truncate the log": "TRUNCATE ledger_events",
    "update a snapshot": "UPDATE ledger_snapshots SET state = state",
    "delete a snapshot": "DELETE FROM ledger_snapshots",
    "update a link": "UPDATE audit_chain SET digest = digest",
    "delete a link": "DELETE FROM audit_chain",
    "truncate the chain": "TRUNCATE audit_chain",
    "write a keying record": "INSERT INTO audit_chain_keying (keyed_from, mac) VALUES (2, '\\x00')",
    "create a trigger": "CREATE TRIGGER cxl_x BEFORE INSERT ON ledger_events"
    " FOR EACH ROW EXECUTE FUNCTION cxl_refuse_log_change()",
    "drop the log": "DROP TABLE ledger_events",
    "drop the chain": "DROP TABLE audit_chain",
    "rename the log": "ALTER TABLE ledger_events RENAME TO old_events",
    "replace the trigger's function": "CREATE OR REPLACE FUNCTION cxl_refuse_log_change()"
    " RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "drop the lock function": "DROP FUNCTION cxl_lock_ledger_events()",
    "choose a log position": "INSERT INTO ledger_events (originator_id, originator_version,"
    " topic, state, notification_id) VALUES (gen_random_uuid(), 1, 't', '\\x00', 1000)",
    "move the log's sequence": "SELECT setval('ledger_events_notification_id_seq', 1)",
    "turn triggers off for the session": "SET session_replication_role = replica",
    "create a table": "CREATE TABLE cxl_mine (id int)",
    "lock the log directly": "LOCK TABLE ledger_events IN ACCESS EXCLUSIVE MODE",
}


@pytest.mark.parametrize("statement", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_the_runtime_role_is_refused(runtime: Database, database: Database, statement: str) -> None:
    with runtime.connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
    assert verify(runtime, TEST_AUDIT_KEYS).intact


def test_the_runtime_role_owns_nothing_in_the_database(runtime: Database) -> None:
    with runtime.connect() as conn:
        owned = conn.execute(
            "SELECT 'relation ' || relname FROM pg_class WHERE relowner = current_user::regrole"
            " UNION ALL SELECT 'function ' || proname FROM pg_proc"
            " WHERE proowner = current_user::regrole"
            " UNION ALL SELECT 'type ' || typname FROM pg_type"
            " WHERE typowner = current_user::regrole"
            " UNION ALL SELECT 'schema ' || nspname FROM pg_namespace"
            " WHERE nspowner = current_user::regrole"
        ).fetchall()
    assert owned == []


def test_every_table_is_granted_by_kind_and_the_log_only_to_read_and_append(
    runtime: Database,
) -> None:
    with runtime.connect() as conn:
        tables = [
            str(r[0])
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        granted = {table: _privileges(conn, table) for table in tables}
    assert set(APPEND_ONLY + READ_ONLY) <= granted.keys()
    expected = {table: {"SELECT", "INSERT", "UPDATE", "DELETE"} for table in tables}
    expected |= {table: {"SELECT", "INSERT"} for table in APPEND_ONLY}
    expected |= {table: {"SELECT"} for table in READ_ONLY}
    expected["ledger_events"] = {"SELECT", "APPEND"}  # never its position column
    assert granted == expected


def _privileges(conn: psycopg.Connection[tuple[object, ...]], table: str) -> set[str]:
    """The privileges the runtime role has on ``table``; APPEND: INSERT on some columns only."""
    row = conn.execute(
        "SELECT has_table_privilege(%(t)s, 'SELECT'), has_table_privilege(%(t)s, 'INSERT'),"
        " has_any_column_privilege(%(t)s, 'INSERT'), has_table_privilege(%(t)s, 'UPDATE'),"
        " has_table_privilege(%(t)s, 'DELETE'), has_table_privilege(%(t)s, 'TRUNCATE'),"
        " has_table_privilege(%(t)s, 'TRIGGER'), has_table_privilege(%(t)s, 'REFERENCES')",
        {"t": f"public.{table}"},
    ).fetchone()
    assert row is not None
    names = ("SELECT", "INSERT", "APPEND", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")
    found = {name for name, has in zip(names, row, strict=True) if has}
    if "INSERT" in found:
        found.discard("APPEND")
    return found


def test_a_table_another_change_adds_later_is_the_runtime_roles_to_read_and_write(
    runtime: Database, database: Database
) -> None:
    with database.connect() as owner:  # as a later migration, run by the owner, would
        owner.execute("CREATE TABLE cxl_a_later_feature (position bigint PRIMARY KEY, why text)")
        owner.commit()
    with runtime.connect() as conn:
        conn.execute("INSERT INTO cxl_a_later_feature VALUES (1, 'bad payload')")
        conn.execute("UPDATE cxl_a_later_feature SET why = 'replayed'")
        conn.execute("DELETE FROM cxl_a_later_feature")
        conn.commit()


def test_the_runtime_role_appends_and_reads_through_the_ledger(
    runtime: Database, database: Database
) -> None:
    with runtime_ledger(database) as ledger:
        assert _registered(ledger) == 8  # three customers (six events) before, one now
        assert ledger.head_position() == 8


def _registered(ledger: Ledger) -> int:
    result = ledger.register_customer(RegisterCustomer("Late", "late@example.org"), AGENT)
    return result.position


def test_a_refused_registration_of_the_runtime_role_leaves_no_hole_in_the_ids(
    runtime: Database, database: Database
) -> None:
    """The careful path's reclaim (a SECURITY DEFINER function) works for the runtime role,
    which may not move the sequence itself."""
    with runtime_ledger(database) as ledger:
        head = ledger.head_position()
        with pytest.raises(EmailAlreadyRegisteredError):
            ledger.register_customer(RegisterCustomer("Twin", "r0@example.org"), AGENT)
        assert _registered(ledger) == head + 2


def test_the_runtime_role_reclaims_ids_only_down_to_the_last_one_a_row_holds(
    runtime: Database,
) -> None:
    with runtime.connect() as conn:
        last_held = conn.execute("SELECT max(notification_id) FROM ledger_events").fetchall()[0][0]
        conn.execute("SELECT cxl_reclaim_ledger_ids()")
        conn.commit()
        next_id = conn.execute(
            "INSERT INTO ledger_events (originator_id, originator_version, topic, state)"
            " VALUES (gen_random_uuid(), 1, 't', '\\x00') RETURNING notification_id"
        ).fetchall()[0][0]
        conn.rollback()
    assert next_id == last_held + 1
