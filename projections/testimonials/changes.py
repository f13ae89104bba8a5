"""A run of folded author events of one batch, written with a few multi-row statements.

Every change of a ``testimonial_authors`` row keeps the log's order by letting a later value
of a column replace an earlier one of the same batch: a registration is the first event of its
customer's stream, so a name or region changed later in the run goes into the row it inserts;
the others' columns are set by one UPDATE per column. A promoter's answer proposes a
testimonial: the run's go in with one INSERT. ``ErasureRequest.Completed`` and the
testimonials' own events are not folded: the projection writes what was folded before them,
then applies them (see ``projections.base``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from psycopg import Cursor, sql

from projections.bulk import Column, insert_rows

AUTHOR_COLUMNS: tuple[Column, ...] = (
    ("customer_id", "uuid"),
    ("first_name", "text"),
    ("region", "text"),
)
TESTIMONIAL_COLUMNS: tuple[Column, ...] = (
    ("response_id", "uuid"),
    ("testimonial_id", "uuid"),
    ("seq", "bigint"),
    ("customer_id", "uuid"),
    ("score", "smallint"),
    ("comment", "text"),
    ("responded_at", "timestamptz"),
)
COLUMN_TYPES = {"first_name": "text", "region": "text", "consent": "boolean"}
"""The author columns an event sets, and their types."""


@dataclass
class AuthorChanges:
    """What a run of folded customer events does to ``testimonial_authors``."""

    loading: bool = False
    registrations: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    """Customer -> the first name and region of the row its registration makes."""
    columns: dict[str, dict[UUID, Any]] = field(default_factory=dict)
    """Column -> customer -> its last value in the batch (of a row already there)."""

    proposed: list[tuple[Any, ...]] = field(default_factory=list)
    """The testimonials the run's promoters' answers propose (rows of ``testimonials``)."""

    def propose(self, row: tuple[Any, ...]) -> None:
        self.proposed.append(row)

    def register(self, customer_id: UUID, first_name: str | None, region: str | None) -> None:
        self.registrations[customer_id] = {"first_name": first_name, "region": region}

    def set_column(self, customer_id: UUID, column: str, value: Any) -> None:
        registered = self.registrations.get(customer_id)
        if registered is not None and column in registered:
            registered[column] = value  # registered in this batch: the row goes in changed
        else:
            self.columns.setdefault(column, {})[customer_id] = value

    def write(self, cursor: Cursor[Any]) -> None:
        rows = [
            (customer, row["first_name"], row["region"])
            for customer, row in self.registrations.items()
        ]
        # A customer id is registered once (the Created event of its stream): COPY is safe.
        # Applied again, the registration sets the name and region, not the consent.
        on_conflict = (
            "ON CONFLICT (customer_id) DO UPDATE SET first_name = excluded.first_name,"
            " region = excluded.region"
        )
        insert_rows(
            cursor, "testimonial_authors", AUTHOR_COLUMNS, rows, on_conflict, copy=self.loading
        )
        for column, values in self.columns.items():
            _set_column(cursor, column, values)
        # Keyed by response: an answer applied again proposes nothing new. A testimonial's row
        # does not depend on its author's (the list joins them when read).
        on_conflict = "ON CONFLICT (response_id) DO NOTHING"
        insert_rows(cursor, "testimonials", TESTIMONIAL_COLUMNS, self.proposed, on_conflict)


def _set_column(cursor: Cursor[Any], column: str, values: dict[UUID, Any]) -> None:
    """Set ``column`` of each author to its value (the batch's last); no row, no change."""
    statement = sql.SQL(
        "UPDATE testimonial_authors AS a SET {column} = v.value"
        " FROM unnest(%b::uuid[], %b::{type}[]) AS v(id, value) WHERE a.customer_id = v.id"
    ).format(column=sql.Identifier(column), type=sql.SQL(COLUMN_TYPES[column]))
    cursor.execute(statement, (list(values), list(values.values())))
