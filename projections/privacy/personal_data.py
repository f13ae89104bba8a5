"""Which log positions hold which data subject's sealed values.

Read from the stored rows without decrypting anything: a personal value is stored as
``{"_type_": "pd", "_data_": {"s": <subject hex>, ...}}``. Erasure uses it to name, in its
certificate, the positions its key destruction made unreadable, without scanning the log, so
erasing someone costs what their own rows cost, not what the log weighs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Notification
from psycopg import Connection, Cursor

from projections.base import Positioned, Projection
from projections.bulk import Column, insert_rows

DDL = """
    CREATE TABLE IF NOT EXISTS personal_data_positions (
        subject_id uuid NOT NULL,
        position bigint NOT NULL,
        PRIMARY KEY (subject_id, position)
    );
"""
SUBJECT_COLUMNS: tuple[Column, ...] = (("subject_id", "uuid"), ("position", "bigint"))
# Cheap pre-check: most events hold no personal value at all.
_MARKER = re.compile(rb'"_type_":\s*"pd"')


class PersonalDataIndex(Projection):
    """(subject, position) for every sealed personal value in the log."""

    name = "personal_data_index"
    tables = ("personal_data_positions",)
    ddl = DDL
    reads_stored_events = True

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        rows = [
            (subject, item.position) for item in batch for subject in sealed_subjects(item.event)
        ]
        # One statement for the batch (a statement a row before). While a rebuild loads, COPY:
        # a (subject, position) pair comes from its event alone, once.
        insert_rows(
            cursor,
            "personal_data_positions",
            SUBJECT_COLUMNS,
            rows,
            "ON CONFLICT DO NOTHING",
            copy=self.loading,
        )


def sealed_subjects(row: Notification) -> set[UUID]:
    if not _MARKER.search(row.state):
        return set()
    try:
        # orjson parses about twice as fast; what it refuses and ``json`` reads (NaN, a lone
        # surrogate) goes to ``json``. Only the subjects' ids are read: an integer past 64
        # bits, which orjson reads as a float, changes nothing here.
        parsed = orjson.loads(row.state)
    except orjson.JSONDecodeError:
        parsed = json.loads(row.state)
    return set(_subjects_in(parsed))


def _subjects_in(value: Any) -> Iterator[UUID]:
    if isinstance(value, dict):
        if value.get("_type_") == "pd" and isinstance(value.get("_data_"), dict):
            yield UUID(value["_data_"]["s"])
            return
        for item in value.values():
            yield from _subjects_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _subjects_in(item)


def positions_holding(conn: Connection[Any], subject_id: UUID) -> list[int]:
    rows = conn.execute(
        "SELECT position FROM personal_data_positions WHERE subject_id = %s ORDER BY position",
        (subject_id,),
    ).fetchall()
    return [int(row[0]) for row in rows]
