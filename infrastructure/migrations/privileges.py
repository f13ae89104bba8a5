"""What the runtime role may do, granted by the owner at the end of every ``migrate``.

Generic on purpose: every table of the schema, present or created later by the owner, gets
SELECT, INSERT, UPDATE and DELETE (read models, tracking, keys, throttles and whatever tables
other changes add), and sequences USAGE; then the append-only tables are taken back to reading
and appending. The runtime role owns nothing, so it can neither ALTER, DISABLE TRIGGER nor DROP;
it gets no TRUNCATE, TRIGGER or REFERENCES anywhere and cannot create objects in the schema.
"""

from __future__ import annotations

from typing import Any

from psycopg import Connection, sql

from infrastructure.event_log import LOCK_FUNCTION, RECLAIM_FUNCTION

APPEND_ONLY = ("ledger_events", "ledger_snapshots", "audit_chain")
"""Read and append only: the log, its snapshots and the audit chain."""
READ_ONLY = ("audit_chain_keying", "cxl_schema_migrations")
"""Written only by the owner (adopting an older audit chain; migrating)."""
LOG_COLUMNS = ("originator_id", "originator_version", "topic", "state")
"""The log's columns the runtime may give: its position comes from the sequence, never from
the writer, so a forged row cannot be slipped into a gap."""

_GRANTS = """
GRANT USAGE ON SCHEMA public TO {role};
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
REVOKE TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA public FROM {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA public FROM {role};
ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO {role};
"""


def grant_runtime(conn: Connection[Any], role: str) -> None:
    """Give ``role`` (not the owner) exactly what ``serve`` and ``project`` need."""
    if conn.execute("SELECT current_user = %s", (role,)).fetchone() == (True,):
        raise ValueError(f"{role} is the owner: it would revoke its own rights to the log")
    who = sql.Identifier(role)
    conn.execute(sql.SQL(_GRANTS).format(role=who))
    for table in _existing(conn, APPEND_ONLY + READ_ONLY):
        name = sql.Identifier(table)
        conn.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(name, who))
        conn.execute(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(name, who))
        if table in APPEND_ONLY:
            conn.execute(sql.SQL("GRANT INSERT ON TABLE {} TO {}").format(name, who))
    if _existing(conn, ("ledger_events",)):
        columns = sql.SQL(", ").join(map(sql.Identifier, LOG_COLUMNS))
        conn.execute(sql.SQL("REVOKE INSERT ON TABLE ledger_events FROM {}").format(who))
        conn.execute(sql.SQL("GRANT INSERT ({}) ON ledger_events TO {}").format(columns, who))
        for function in (LOCK_FUNCTION, RECLAIM_FUNCTION):
            if conn.execute(
                "SELECT to_regprocedure(%s) IS NOT NULL", (f"{function}()",)
            ).fetchone() == (True,):
                conn.execute(
                    sql.SQL("GRANT EXECUTE ON FUNCTION {}() TO {}").format(
                        sql.Identifier(function), who
                    )
                )


def _existing(conn: Connection[Any], tables: tuple[str, ...]) -> list[str]:
    rows = conn.execute(
        "SELECT t FROM unnest(%b::text[]) AS t WHERE to_regclass('public.' || t) IS NOT NULL",
        (list(tables),),
    ).fetchall()
    return [str(row[0]) for row in rows]
