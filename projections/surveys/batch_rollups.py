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


class _Cells:
    """A batch's rows by cell: each distinct cell numbered once, with its slice keys' numbers.
    A row's cell is hashed once here (a tuple holding a ``UUID``, whose hash is Python code);
    every later step keys by the small numbers."""

    def __init__(self, rows: Sequence[Segmented], keys: _SliceKeys) -> None:
        numbers: dict[Cell, int] = {}
        self.cells: list[Cell] = []
        self.of_row: list[int] = []
        for row in rows:
            cell = row.cell()
            number = numbers.get(cell)
            if number is None:
                number = numbers[cell] = len(self.cells)
                self.cells.append(cell)
            self.of_row.append(number)
        self.numbers = numbers
        self.slices = [keys.of(cell) for cell in self.cells]
        """Per cell number: the numbers of its slice keys, one per level."""
        days: dict[tuple[UUID, datetime], int] = {}
        self.day_of_cell = [days.setdefault((cell[0], cell[1]), len(days)) for cell in self.cells]
        """Per cell number: the number of its survey and day (a presence row's key)."""
        self.days = list(days)


def _new_people(
    cursor: Cursor[Any],
    presence: str,
    rows: Sequence[Segmented],
    cells: _Cells,
    keys: _SliceKeys,
    loading: bool,
) -> dict[int, int]:
    """Per slice key (its number in ``keys``): the people of ``rows`` it had not yet counted
    (by the presence table ``presence`` before the batch, and by the earlier rows of the
    batch). Writes the batch's presence rows that were not there yet."""
    # People as their ids' integers and cells by number: hashing a UUID is Python code.
    people: dict[tuple[int, int], UUID] = {}
    day_of_cell = cells.day_of_cell
    for row, number in zip(rows, cells.of_row, strict=True):
        people[(row.customer_id.int, day_of_cell[number])] = row.customer_id
    customers = list(people.values())
    surveys = [cells.days[day][0] for _, day in people]
    days = [cells.days[day][1] for _, day in people]
    cursor.execute(
        f"SELECT customer_id, {_KEY} FROM {presence} p"
        " WHERE (p.customer_id, p.survey_id, p.day) IN"
        " (SELECT * FROM unnest(%b::uuid[], %b::uuid[], %b::timestamptz[]))",
        (customers, surveys, days),
    )
    present: set[tuple[int, int]] = set()
    seen: dict[int, set[int]] = {}
    """Per slice key's number: the people it counted before the batch."""
    for customer, *stored in cursor.fetchall():
        person, cell = customer.int, tuple(stored)
        known = cells.numbers.get(cell)
        if known is not None:
            present.add((person, known))
        # A stored cell no row of the batch is in counts its person in its slices all the
        # same: a slice spans cells.
        for slice_number in keys.of(cell) if known is None else cells.slices[known]:
            seen.setdefault(slice_number, set()).add(person)
    new: list[tuple[Any, ...]] = []
    new_in_cell: list[list[int]] = [[] for _ in cells.cells]
    for row, number in zip(rows, cells.of_row, strict=True):
        person = row.customer_id.int
        if (person, number) not in present:
            present.add((person, number))
            new.append((row.customer_id, *cells.cells[number]))
            new_in_cell[number].append(person)
    # Only a person new to a cell can be new to its slices; how many a slice gains does not
    # depend on the order, so each cell's newcomers join each of its slices at once.
    counts: dict[int, int] = {}
    for number, newcomers in enumerate(new_in_cell):
        if not newcomers:
            continue
        for slice_number in cells.slices[number]:
            counted = seen.setdefault(slice_number, set())
            before = len(counted)
            counted.update(newcomers)
            if len(counted) > before:
                counts[slice_number] = counts.get(slice_number, 0) + len(counted) - before
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
    keys = _SliceKeys()
    cells = _Cells(invitations, keys)
    invitees = _new_people(cursor, "survey_invitee_days", invitations, cells, keys, loading)
    per_cell = [0] * len(cells.cells)
    for number in cells.of_row:
        per_cell[number] += 1
    slices: dict[int, int] = {}
    for number, n in enumerate(per_cell):
        for slice_number in cells.slices[number]:
            slices[slice_number] = slices.get(slice_number, 0) + n
    count: Column = ("invitations", "bigint")
    _upsert(
        cursor,
        "survey_invitation_cube",
        _KEY_COLUMNS,
        [count],
        [(*cell, n) for cell, n in zip(cells.cells, per_cell, strict=True)],
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
    rows = [row for row, _ in responses]
    keys = _SliceKeys()
    cells = _Cells(rows, keys)
    respondents = _new_people(cursor, "survey_respondent_days", rows, cells, keys, loading)
    cube = _sums(len(cells.cells), cells.of_row, [measures for _, measures in responses])
    # A slice's sums are its cells' sums, except the float one, which is summed row by row in
    # log order, as one event at a time adds it (a float sum depends on its order).
    slices: dict[int, list[Any]] = {}
    for number, sums in enumerate(cube):
        for slice_number in cells.slices[number]:
            total = slices.get(slice_number)
            slices[slice_number] = list(sums) if total is None else _added(total, sums)
    floats: dict[int, float] = {}
    for number, (_, measures) in zip(cells.of_row, responses, strict=True):
        seconds = measures[_FLOAT]
        for slice_number in cells.slices[number]:
            total_seconds = floats.get(slice_number)
            floats[slice_number] = seconds if total_seconds is None else total_seconds + seconds
    for slice_number, sums in slices.items():
        sums[_FLOAT] = floats[slice_number]
    _upsert(
        cursor,
        "survey_response_cube",
        _KEY_COLUMNS,
        _MEASURE_COLUMNS,
        [(*cell, *sums) for cell, sums in zip(cells.cells, cube, strict=True)],
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


def _sums(cells: int, of_row: Sequence[int], measures: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """Per cell number, its rows' measures summed in log order (the first row's as they are)."""
    sums: list[list[Any] | None] = [None] * cells
    for number, row in zip(of_row, measures, strict=True):
        total = sums[number]
        sums[number] = list(row) if total is None else _added(total, row)
    return [total for total in sums if total is not None]


_FLOAT = RESPONSE_MEASURES.index("completion_seconds_sum")
"""The one float measure: its sums follow the log's order (the others are integers)."""


def _added(total: list[Any], measures: Sequence[Any]) -> list[Any]:
    return [a + b for a, b in zip(total, measures, strict=True)]
