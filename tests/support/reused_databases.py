"""Test databases handed on from one test to the next, reset instead of dropped and created.

Creating a database copies every relation of its template file by file: on the development
machine about 0.5 s of the server's CPU (almost all of it the kernel's, opening about 4,000
files) for the ledger's template, which made database creation alone about half of the test
suite's CPU. A database a test has finished with is instead put back as it was made, for the
next test of the same process that asks for a copy of the same template:

- it is renamed first (a client the test left behind, still trying to reach it, finds no such
  database, as it would have found it dropped);
- its schema is compared with the copy's as first made (tables, columns, indexes, constraints,
  triggers, functions, owners and privileges, settings): a test that changed it gives a
  database that is let go at once (``tests.support.postgres._retire``), not handed on;
- the tables with any data file (every table a test wrote to, even in a transaction it rolled
  back) are truncated, their identity sequences restarted, every sequence put back where the
  copy had it, the template's own rows copied in again, and the planner's statistics and the
  activity counters cleared, so that plans and counters read as in a new copy.

Anything that goes wrong on the way (a connection that will not go, a prepared transaction, an
error) lets the database go instead. The reset is a fraction of a creation's cost.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

SETTLE_SECONDS = 5.0
"""How long a finished test's connections may take to go before its database is dropped."""

USER_NAMESPACES = """
    SELECT oid FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname !~ '^pg_(toast|temp)'
"""

SCHEMA_FINGERPRINT = f"""
WITH user_ns AS ({USER_NAMESPACES})
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
    SELECT format('namespace %s %s %s', nspname, nspowner::regrole, nspacl)
    FROM pg_namespace WHERE oid IN (SELECT oid FROM user_ns)
  UNION ALL
    SELECT format('class %s %s %s %s %s %s %s %s', c.oid::regclass, c.relkind, c.relowner::regrole,
                  c.relacl, c.reloptions, c.relrowsecurity, c.relpersistence, c.relreplident)
    FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
    SELECT format('column %s %s %s %s %s %s %s %s', a.attrelid::regclass, a.attnum, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attisdropped,
                  a.attidentity::text || a.attgenerated::text, a.attacl)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace IN (SELECT oid FROM user_ns) AND a.attnum > 0
  UNION ALL
    SELECT format('default %s %s %s', d.adrelid::regclass, d.adnum, pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
    WHERE c.relnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
    SELECT format('constraint %s %s %s %s', conrelid::regclass, conname,
                  pg_get_constraintdef(oid), convalidated)
    FROM pg_constraint WHERE connamespace IN (SELECT oid FROM user_ns)
  UNION ALL
    SELECT format('index %s %s', pg_get_indexdef(i.indexrelid), i.indisvalid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
    SELECT format('trigger %s %s', pg_get_triggerdef(oid), tgenabled)
    FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL
    SELECT format('rule %s', pg_get_ruledef(r.oid))
    FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
    WHERE c.relnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
    SELECT format('function %s %s %s %s %s', p.oid::regprocedure, md5(p.prosrc),
                  p.proowner::regrole, p.proacl, p.prosecdef)
    FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM user_ns)
  UNION ALL
    SELECT format('type %s %s', t.oid::regtype, t.typowner::regrole)
    FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
    SELECT format('enum %s %s %s', enumtypid::regtype, enumsortorder, enumlabel) FROM pg_enum
  UNION ALL
    SELECT format('operator %s', o.oid::regoperator)
    FROM pg_operator o WHERE o.oprnamespace IN (SELECT oid FROM user_ns)
  UNION ALL
    SELECT format('sequence %s %s %s %s %s %s', seqrelid::regclass, seqtypid::regtype, seqstart,
                  seqincrement, seqmax, seqcycle)
    FROM pg_sequence
  UNION ALL
    SELECT format('policy %s %s %s %s', polrelid::regclass, polname, polcmd,
                  pg_get_expr(polqual, polrelid))
    FROM pg_policy
  UNION ALL
    SELECT format('statistics %s', stxname) FROM pg_statistic_ext
  UNION ALL
    SELECT format('default acl %s %s %s', defaclrole::regrole, defaclobjtype, defaclacl)
    FROM pg_default_acl
  UNION ALL
    SELECT format('extension %s %s', extname, extversion) FROM pg_extension
  UNION ALL
    SELECT format('publication %s', pubname) FROM pg_publication
  UNION ALL
    SELECT format('event trigger %s', evtname) FROM pg_event_trigger
  UNION ALL
    SELECT format('large objects %s', count(*)) FROM pg_largeobject_metadata
  UNION ALL
    SELECT format('database %s %s %s %s', datdba::regrole, datacl, datconnlimit, datallowconn)
    FROM pg_database WHERE datname = current_database()
  UNION ALL
    SELECT format('setting %s %s', setrole, setconfig) FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) AS items(item)
"""
"""One digest of everything a test could change in a database other than its rows: two equal
digests are the same schema, owners, privileges and settings."""

WRITTEN_TABLES = f"""
SELECT c.oid::regclass::text FROM pg_class c
WHERE c.relkind IN ('r', 'p') AND c.relnamespace IN ({USER_NAMESPACES})
  AND (pg_relation_size(c.oid) > 0 OR c.oid::regclass::text = ANY(%s))
"""
"""The tables with a data file: an empty table of a new copy has none, and any row ever
written (even rolled back) gives it one."""

SEQUENCES = f"""
SELECT c.oid::regclass::text FROM pg_class c
WHERE c.relkind = 'S' AND c.relnamespace IN ({USER_NAMESPACES})
"""


@dataclass
class Baseline:
    """A template's copy as first made: its schema digest, its sequences' states and the rows
    of its tables that have any."""

    fingerprint: str
    sequences: dict[str, tuple[int, bool]]
    rows: dict[str, bytes]


@dataclass
class ReusedDatabases:
    """This process's databases waiting for a test, by the template they are copies of."""

    admin_conninfo: str
    baselines: dict[str, Baseline] = field(default_factory=dict)
    waiting: dict[str, list[str]] = field(default_factory=dict)

    def take(self, template: str) -> str | None:
        """A reset copy of ``template``, or None (make one)."""
        waiting = self.waiting.get(template)
        return waiting.pop() if waiting else None

    def note_new(self, template: str, name: str) -> None:
        """Record ``name``, a copy of ``template`` just made, as the baseline if there is none."""
        if template not in self.baselines:
            with _connect(self.admin_conninfo, name) as conn:
                self.baselines[template] = _baseline(conn)

    def give_back(self, template: str, name: str) -> str | None:
        """Reset ``name`` (a copy of ``template`` a test has finished with) and keep it for the
        next test; else the name under which the caller must let it go (``name``, or the name
        it was given before its reset failed)."""
        baseline = self.baselines.get(template)
        if baseline is None:
            return name
        renamed = f"cxl_test_{uuid.uuid4().hex[:12]}"
        try:
            if not self._rename_once_alone(name, renamed):
                return name
        except psycopg.Error:
            return name
        try:
            with _connect(self.admin_conninfo, renamed) as conn:
                reset = _reset(conn, baseline)
        except psycopg.Error:
            reset = False
        if not reset:
            return renamed
        self.waiting.setdefault(template, []).append(renamed)
        return None

    def all_names(self) -> list[str]:
        """Every database this process keeps (to drop when the session ends)."""
        return [n for names in self.waiting.values() for n in names]

    def _rename_once_alone(self, name: str, renamed: str) -> bool:
        with psycopg.connect(self.admin_conninfo, autocommit=True) as admin:
            prepared = admin.execute(
                "SELECT count(*) FROM pg_prepared_xacts WHERE database = %s", (name,)
            ).fetchone()
            if prepared is None or prepared[0]:
                return False
            deadline = time.monotonic() + SETTLE_SECONDS
            while True:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                try:
                    admin.execute(
                        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                            sql.Identifier(name), sql.Identifier(renamed)
                        )
                    )
                    return True
                except psycopg.errors.ObjectInUse:
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(0.01)


def _connect(admin_conninfo: str, name: str) -> psycopg.Connection[tuple[object, ...]]:
    conn = psycopg.connect(make_conninfo(admin_conninfo, dbname=name), autocommit=True)
    conn.execute("SET search_path = ''")  # every name in the digest schema-qualified
    return conn


def _baseline(conn: psycopg.Connection[tuple[object, ...]]) -> Baseline:
    fingerprint = _fingerprint(conn)
    sequences = {
        name: _sequence_state(conn, name)
        for (name,) in conn.execute(SEQUENCES).fetchall()
        if isinstance(name, str)
    }
    rows: dict[str, bytes] = {}
    for (table,) in conn.execute(WRITTEN_TABLES, ([],)).fetchall():
        assert isinstance(table, str)
        data = bytearray()
        with conn.cursor().copy(
            sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(sql.SQL(table))
        ) as copy:
            for chunk in copy:
                data += chunk
        rows[table] = bytes(data)
    return Baseline(fingerprint, sequences, rows)


def _fingerprint(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    row = conn.execute(SCHEMA_FINGERPRINT).fetchone()
    assert row is not None and isinstance(row[0], str)
    return row[0]


def _sequence_state(conn: psycopg.Connection[tuple[object, ...]], name: str) -> tuple[int, bool]:
    row = conn.execute(
        sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(name))
    ).fetchone()
    assert row is not None
    last_value, is_called = row
    assert isinstance(last_value, int) and isinstance(is_called, bool)
    return last_value, is_called


def _reset(conn: psycopg.Connection[tuple[object, ...]], baseline: Baseline) -> bool:
    """Put the database back as its template's copy was first made; False if its schema is no
    longer the copy's (it is then left as it is)."""
    if _fingerprint(conn) != baseline.fingerprint:
        return False
    with conn.transaction():
        # Triggers that refuse a TRUNCATE (the audit chain's) guard the product, not a test's
        # leftovers.
        conn.execute("SET LOCAL session_replication_role = replica")
        written = [
            table
            for (table,) in conn.execute(WRITTEN_TABLES, (list(baseline.rows),)).fetchall()
            if isinstance(table, str)
        ]
        if written:
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.SQL(table) for table in written)
                )
            )
        for table, data in baseline.rows.items():
            with conn.cursor().copy(
                sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(sql.SQL(table))
            ) as copy:
                copy.write(data)
        for name, (last_value, is_called) in baseline.sequences.items():
            conn.execute(
                "SELECT pg_catalog.setval(%s::regclass, %s, %s)", (name, last_value, is_called)
            )
        conn.execute(
            "DELETE FROM pg_catalog.pg_statistic WHERE starelid IN"
            " (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace IN"
            f" ({USER_NAMESPACES}))"
        )
    # This session's own writes (the template's rows) are counted when its statistics are
    # next flushed: flushed first, then every counter of the database cleared.
    conn.execute("SELECT pg_catalog.pg_stat_force_next_flush()")
    conn.execute("SELECT pg_catalog.pg_stat_reset()")
    return True
