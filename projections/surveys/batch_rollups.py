"""The rollups of a batch's new rows: their deltas summed per rollup key in Python, then one
multi-row upsert per rollup table and one multi-row insert of presence rows.

Only rows the batch really inserted are given here (the inserts return them), so a replayed
event counts nothing twice, as with the per-event statements of ``projections.surveys.rollups``.
A slice counts a person as a new distinct respondent or invitee when no presence row of theirs
held its survey, UTC day and value before the batch and no earlier row of the batch did: what
one event at a time gives. Measures are summed in log order, so a float sum into a new rollup
row is the very one the per-event upserts make.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.bulk import Column, insert_rows
from projections.surveys.rollups import DIMENSIONS, LEVELS, RESPONSE_MEASURES

Cell = tuple[Any, ...]
"""(survey_id, day, channel, region, product_version, tier): a cube row's key."""

_KEY_COLUMNS: tuple[Column, ...] = (
    ("survey_id", "uuid"),
    ("day", "timestamptz"),
    ("channel", "text"),
    ("region", "text"),
    ("product_version", "text"),
    ("tier", "text"),
)
_KEY = ", ".join(name for name, _ in _KEY_COLUMNS)
_LEVEL: Column = ("level", "text")
_PRESENCE_COLUMNS: tuple[Column, ...] = (("customer_id", "uuid"), *_KEY_COLUMNS)
_MEASURE_COLUMNS: tuple[Column, ...] = tuple(
    (m, "float8" if m == "completion_seconds_sum" else "bigint") for m in RESPONSE_MEASURES
)


@dataclass(frozen=True, slots=True)
class Segmented:
    """A new invitation or response row: who, which survey, when, and its frozen segment."""

    customer_id: UUID
    survey_id: UUID
    at: datetime
    channel: str
    region: str | None
    product_version: str | None
    tier: str | None

    def cell(self) -> Cell:
        day = self.at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return (self.survey_id, day, self.channel, self.region, self.product_version, self.tier)


def response_measures(kind: str, score: int, category: str | None, seconds: float) -> list[Any]:
    """One response as rollup measures, in the order of the rollups' measure columns."""
    return [
        1,
        int(category == "promoter"),
        int(category == "passive"),
        int(category == "detractor"),
        int(kind == "csat"),
        int(kind == "csat" and score >= 4),
        int(kind == "ces"),
        score if kind == "ces" else 0,
        seconds,
    ]


def _slice_key(level: str, cell: Cell) -> Cell:
    """The key of the slice row of ``level`` that ``cell`` adds to: only that level's value."""
    values = tuple(v if d == level else None for d, v in zip(DIMENSIONS, cell[2:], strict=True))
    return (level, *cell[:2], *values)


def _new_people(
    cursor: Cursor[Any], presence: str, rows: Sequence[tuple[Segmented, Cell]]
) -> dict[Cell, int]:
    """Per slice key: the people of ``rows`` it had not yet counted (by the presence table
    ``presence`` before the batch, and by the earlier rows of the batch)."""
    people = {(row.customer_id, cell[0], cell[1]) for row, cell in rows}
    customers, surveys, days = (list(column) for column in zip(*people, strict=True))
    cursor.execute(
        f"SELECT customer_id, {_KEY} FROM {presence} p"
        " WHERE (p.customer_id, p.survey_id, p.day) IN"
        " (SELECT * FROM unnest(%b::uuid[], %b::uuid[], %b::timestamptz[]))",
        (customers, surveys, days),
    )
    seen = {
        (customer, _slice_key(level, tuple(cell)))
        for customer, *cell in cursor.fetchall()
        for level in LEVELS
    }
    counts: dict[Cell, int] = {}
    for row, cell in rows:
        for level in LEVELS:
            key = _slice_key(level, cell)
            if (row.customer_id, key) not in seen:
                seen.add((row.customer_id, key))
                counts[key] = counts.get(key, 0) + 1
    return counts


def _present(cursor: Cursor[Any], presence: str, rows: Iterable[tuple[Segmented, Cell]]) -> None:
    cells = list(dict.fromkeys((row.customer_id, *cell) for row, cell in rows))
    insert_rows(cursor, presence, _PRESENCE_COLUMNS, cells, "ON CONFLICT DO NOTHING")


def _upsert(
    cursor: Cursor[Any], table: str, key: Sequence[Column], measures: Sequence[Column], rows: Any
) -> None:
    names = ", ".join(name for name, _ in key)
    sums = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m, _ in measures)
    on_conflict = f"ON CONFLICT ({names}) DO UPDATE SET {sums}"
    insert_rows(cursor, table, [*key, *measures], rows, on_conflict)


def add_invitations(cursor: Cursor[Any], invitations: Sequence[Segmented]) -> None:
    """Count new invitations (1 each) and their new invitees in the invitation rollups."""
    if not invitations:
        return
    rows = [(row, row.cell()) for row in invitations]
    invitees = _new_people(cursor, "survey_invitee_days", rows)
    cube: dict[Cell, int] = {}
    slices: dict[Cell, int] = {}
    for _, cell in rows:
        cube[cell] = cube.get(cell, 0) + 1
        for level in LEVELS:
            key = _slice_key(level, cell)
            slices[key] = slices.get(key, 0) + 1
    count: Column = ("invitations", "bigint")
    _upsert(
        cursor,
        "survey_invitation_cube",
        _KEY_COLUMNS,
        [count],
        [(*cell, n) for cell, n in cube.items()],
    )
    _upsert(
        cursor,
        "survey_invitation_slices",
        [_LEVEL, *_KEY_COLUMNS],
        [count, ("invitees", "bigint")],
        [(*key, n, invitees.get(key, 0)) for key, n in slices.items()],
    )
    _present(cursor, "survey_invitee_days", rows)


def add_responses(
    cursor: Cursor[Any], responses: Sequence[tuple[Segmented, Sequence[Any]]]
) -> None:
    """Add new responses (each with its :func:`response_measures`) and their new respondents
    to the response rollups."""
    if not responses:
        return
    rows = [(row, row.cell()) for row, _ in responses]
    respondents = _new_people(cursor, "survey_respondent_days", rows)
    cube: dict[Cell, list[Any]] = {}
    slices: dict[Cell, list[Any]] = {}
    for (_, cell), (_, measures) in zip(rows, responses, strict=True):
        for sums, key in ((cube, cell), *((slices, _slice_key(lv, cell)) for lv in LEVELS)):
            total = sums.get(key)
            sums[key] = list(measures) if total is None else _added(total, measures)
    _upsert(
        cursor,
        "survey_response_cube",
        _KEY_COLUMNS,
        _MEASURE_COLUMNS,
        [(*cell, *sums) for cell, sums in cube.items()],
    )
    _upsert(
        cursor,
        "survey_response_slices",
        [_LEVEL, *_KEY_COLUMNS],
        [*_MEASURE_COLUMNS, ("respondents", "bigint")],
        [(*key, *sums, respondents.get(key, 0)) for key, sums in slices.items()],
    )
    _present(cursor, "survey_respondent_days", rows)


def _added(total: list[Any], measures: Sequence[Any]) -> list[Any]:
    return [a + b for a, b in zip(total, measures, strict=True)]
