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

from collections.abc import Sequence
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


class _SliceKeys:
    """The slice keys of a batch's cells, each made once and numbered: a batch has few cells
    (a survey, a day and a segment) and many rows, and making a cell's five keys, then hashing
    tuples that hold a ``UUID`` (whose hash is Python code), for every row and level was most of
    the rollups' client time."""

    def __init__(self) -> None:
        self.keys: list[Cell] = []
        self._numbers: dict[Cell, int] = {}
        self._of_cell: dict[Cell, tuple[int, ...]] = {}

    def of(self, cell: Cell) -> tuple[int, ...]:
        """The numbers of the slice keys ``cell`` adds to, one per level, in ``LEVELS`` order."""
        known = self._of_cell.get(cell)
        if known is None:
            known = self._of_cell[cell] = tuple(
                self._number(_slice_key(level, cell)) for level in LEVELS
            )
        return known

    def _number(self, key: Cell) -> int:
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self.keys)
            self.keys.append(key)
        return number


def _new_people(
    cursor: Cursor[Any],
    presence: str,
    rows: Sequence[tuple[Segmented, Cell]],
    keys: _SliceKeys,
    loading: bool,
) -> dict[int, int]:
    """Per slice key (its number in ``keys``): the people of ``rows`` it had not yet counted
    (by the presence table ``presence`` before the batch, and by the earlier rows of the
    batch). Writes the batch's presence rows that were not there yet."""
    people = {(row.customer_id, cell[0], cell[1]) for row, cell in rows}
    customers, surveys, days = (list(column) for column in zip(*people, strict=True))
    cursor.execute(
        f"SELECT customer_id, {_KEY} FROM {presence} p"
        " WHERE (p.customer_id, p.survey_id, p.day) IN"
        " (SELECT * FROM unnest(%b::uuid[], %b::uuid[], %b::timestamptz[]))",
        (customers, surveys, days),
    )
    # People as their ids' integers: hashing a UUID is Python code.
    present = {(customer.int, tuple(cell)) for customer, *cell in cursor.fetchall()}
    seen = {(person, number) for person, cell in present for number in keys.of(cell)}
    counts: dict[int, int] = {}
    new: list[tuple[Any, ...]] = []
    for row, cell in rows:
        person = row.customer_id.int
        if (person, cell) not in present:
            present.add((person, cell))
            new.append((row.customer_id, *cell))
        for number in keys.of(cell):
            if (person, number) not in seen:
                seen.add((person, number))
                counts[number] = counts.get(number, 0) + 1
    # Only rows not there before: while a rebuild loads, none of them can conflict.
    insert_rows(cursor, presence, _PRESENCE_COLUMNS, new, "ON CONFLICT DO NOTHING", copy=loading)
    return counts


def _upsert(
    cursor: Cursor[Any], table: str, key: Sequence[Column], measures: Sequence[Column], rows: Any
) -> None:
    names = ", ".join(name for name, _ in key)
    sums = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m, _ in measures)
    on_conflict = f"ON CONFLICT ({names}) DO UPDATE SET {sums}"
    insert_rows(cursor, table, [*key, *measures], rows, on_conflict)


def add_invitations(
    cursor: Cursor[Any], invitations: Sequence[Segmented], *, loading: bool = False
) -> None:
    """Count new invitations (1 each) and their new invitees in the invitation rollups."""
    if not invitations:
        return
    rows = [(row, row.cell()) for row in invitations]
    keys = _SliceKeys()
    invitees = _new_people(cursor, "survey_invitee_days", rows, keys, loading)
    cube: dict[Cell, int] = {}
    slices: dict[int, int] = {}
    for _, cell in rows:
        cube[cell] = cube.get(cell, 0) + 1
        for number in keys.of(cell):
            slices[number] = slices.get(number, 0) + 1
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
        [(*keys.keys[number], n, invitees.get(number, 0)) for number, n in slices.items()],
    )


def add_responses(
    cursor: Cursor[Any],
    responses: Sequence[tuple[Segmented, Sequence[Any]]],
    *,
    loading: bool = False,
) -> None:
    """Add new responses (each with its :func:`response_measures`) and their new respondents
    to the response rollups."""
    if not responses:
        return
    rows = [(row, row.cell()) for row, _ in responses]
    keys = _SliceKeys()
    respondents = _new_people(cursor, "survey_respondent_days", rows, keys, loading)
    cube: dict[Cell, list[Any]] = {}
    slices: dict[int, list[Any]] = {}
    for (_, cell), (_, measures) in zip(rows, responses, strict=True):
        total = cube.get(cell)
        cube[cell] = list(measures) if total is None else _added(total, measures)
        for number in keys.of(cell):
            total = slices.get(number)
            slices[number] = list(measures) if total is None else _added(total, measures)
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
        [
            (*keys.keys[number], *sums, respondents.get(number, 0))
            for number, sums in slices.items()
        ],
    )


def _added(total: list[Any], measures: Sequence[Any]) -> list[Any]:
    return [a + b for a, b in zip(total, measures, strict=True)]
