"""Every page of every relation of a database, as raw bytes: what VACUUM left behind.

The erasure proof's row scan reads what SQL returns; this reads what the server stores, dead
row versions and the free space of each page included (``pageinspect``, which needs a
superuser: the tests connect as one). Pages are read through the buffer cache, so they are the
pages as they are now, whether or not they reached the disk yet.
"""

from __future__ import annotations

from typing import Any

from psycopg import Connection

# The tables, indexes and materialised views of the database's own schemas, and the TOAST
# tables of those tables with their indexes (not the catalogue's).
_RELATIONS = """
    WITH ours AS (
        SELECT c.oid, c.reltoastrelid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'i', 'm') AND c.relpersistence = 'p'
            AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    ), toast AS (
        SELECT reltoastrelid AS oid FROM ours WHERE reltoastrelid <> 0
        UNION SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT reltoastrelid FROM ours)
    )
    SELECT oid::regclass::text, pg_relation_size(oid) / current_setting('block_size')::int
    FROM (SELECT oid FROM ours UNION SELECT oid FROM toast) AS relations
    ORDER BY 1
"""


def relations_holding(conn: Connection[Any], values: dict[str, bytes]) -> dict[str, list[str]]:
    """Value's name -> the relations with a page that holds its bytes (any case for text)."""
    conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    found: dict[str, list[str]] = {}
    for relation, pages in conn.execute(_RELATIONS).fetchall():
        raw = b"".join(_page(conn, relation, number) for number in range(pages))
        lowered = raw.lower()
        for name, wanted in values.items():
            if wanted in raw or wanted.lower() in lowered:
                found.setdefault(name, []).append(relation)
    return found


def _page(conn: Connection[Any], relation: str, number: int) -> bytes:
    row = conn.execute("SELECT get_raw_page(%s, %s)", (relation, number)).fetchone()
    assert row is not None
    return bytes(row[0])


# Heap tables of the database's own schemas (values long enough for TOAST are not read).
_HEAPS = """
    SELECT c.oid::regclass::text, pg_relation_size(c.oid) / current_setting('block_size')::int
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND c.relpersistence = 'p'
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    ORDER BY 1
"""


def row_versions_holding(conn: Connection[Any], values: dict[str, bytes]) -> dict[str, list[str]]:
    """Value's name -> the tables with a row version (live or dead, as the page's line
    pointers list them) whose data holds its bytes; free space is not read."""
    conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    found: dict[str, list[str]] = {}
    for table, pages in conn.execute(_HEAPS).fetchall():
        data = b"\x00".join(
            bytes(row[0])
            for number in range(pages)
            for row in conn.execute(
                "SELECT t_data FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL",
                (table, number),
            ).fetchall()
        )
        for name, wanted in values.items():
            if wanted in data or wanted.lower() in data.lower():
                found.setdefault(name, []).append(table)
    return found
