"""A batch of customer events folded into rows, then written with a few multi-row statements.

Folding keeps the log's order where it matters: a row's later change replaces an earlier one
of the same batch (the last name, the last consent decision per purpose), rows keyed by log
position or stream are all kept, and per-customer figures are recomputed once, from their
rows, after those are in. ``ErasureRequest.Completed`` is not folded: the projection writes
what was folded before it, then applies it (see ``projections.base``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.customers import statements

Row = tuple[Any, ...]
_REGISTRATION_ROW = itemgetter(*(name for name, _ in statements.REGISTRATION_COLUMNS))
"""A registration's row, by column, as the tuple its statement takes (in one C call: a
generator over the columns was a tenth of a customer_directory batch's handling)."""
_VERSION_AT = [name for name, _ in statements.REGISTRATION_COLUMNS].index("version")


@dataclass
class DirectoryChanges:
    """What a run of folded customer and purchase events does to the directory's tables."""

    loading: bool = False
    versions: Mapping[UUID, int] = field(default_factory=dict)
    """Each customer's latest version in the batch."""
    registrations: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    """Customer -> the directory row its registration makes, by column."""
    columns: dict[str, dict[UUID, Any]] = field(default_factory=dict)
    """Column -> customer -> its last value in the batch."""
    preferences: dict[tuple[UUID, str], tuple[bool, datetime]] = field(default_factory=dict)
    consents: dict[tuple[UUID, str], tuple[bool, str, datetime]] = field(default_factory=dict)
    consent_history: list[Row] = field(default_factory=list)
    onboarding_steps: list[Row] = field(default_factory=list)
    purchases: list[Row] = field(default_factory=list)
    refunds: list[tuple[UUID, int, int]] = field(default_factory=list)
    """(purchase, its version after the refund, amount), in log order."""

    def set_column(self, customer_id: UUID, column: str, value: Any) -> None:
        registered = self.registrations.get(customer_id)
        if registered is not None:  # registered in this batch: the row goes in changed
            registered[column] = value
        else:
            self.columns.setdefault(column, {})[customer_id] = value

    def write(self, cursor: Cursor[Any]) -> None:
        # Rows first, then what updates them, then the figures recomputed from them.
        rows = [
            _registration_row(row, self.versions.get(customer))
            for customer, row in self.registrations.items()
        ]
        statements.insert_registrations(cursor, rows, copy=self.loading)
        for column, values in self.columns.items():
            statements.set_column(cursor, column, values)
        statements.upsert_preferences(cursor, self.preferences)
        statements.upsert_consents(cursor, self.consents)
        statements.insert_consent_history(cursor, self.consent_history, copy=self.loading)
        statements.insert_onboarding_steps(cursor, self.onboarding_steps)
        statements.insert_purchases(cursor, self.purchases, copy=self.loading)
        statements.apply_refunds(cursor, self.refunds)
        statements.onboarding_figures(cursor, {row[0] for row in self.onboarding_steps})
        statements.purchase_figures(cursor, {row[1] for row in self.purchases})


def _registration_row(row: dict[str, Any], latest_version: int | None) -> Row:
    """The row a registration makes, at the customer's latest version in the batch, if any."""
    values: Row = _REGISTRATION_ROW(row)
    if latest_version is None:
        return values
    return (*values[:_VERSION_AT], latest_version, *values[_VERSION_AT + 1 :])
