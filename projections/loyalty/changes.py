"""A batch of loyalty events folded into rows, then written with a few multi-row statements.

Applying an event a second time must still leave every row as it was, as one at a time did: a
points-moving event's lots, moves and counters go in only if its ``loyalty_transactions`` row
did (the insert returns the positions that went in), a tier change's account update only if its
``loyalty_tier_changes`` row did, an order counts only past the customer's ``orders_seq``.
Counters are sums, so the batch's changes of one row add up to what its events did one by one;
an account's tier is its last change's. Events that are not folded (catalog edits, erasure)
write what was folded before them first (see ``projections.base``), so log order holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.bulk import insert_rows, insert_rows_returning
from projections.loyalty import statements
from projections.loyalty.statements import AccountTotals

Row = tuple[Any, ...]


@dataclass
class Movement:
    """What one points-moving event does, its customer known only by its account until
    ``write`` looks the accounts up."""

    seq: int
    account_id: UUID
    transaction: Row
    """The ``loyalty_transactions`` row from ``at`` on (``TRANSACTION_COLUMNS`` less ``seq``
    and ``customer_id``)."""
    lot: Row | None = None
    """The lot it creates, without its customer (``LOT_COLUMNS`` less ``customer_id``)."""
    moves: list[tuple[UUID, int]] = field(default_factory=list)
    """(lot, signed points): the new lot's first move, then the draws summed per lot."""
    clawed: tuple[UUID, int] | None = None
    earned: int = 0
    redeemed: int = 0
    expired: int = 0
    redemptions: int = 0
    activity: datetime | None = None
    reward: UUID | None = None
    """The reward whose redemption count ``redemptions`` changes."""


@dataclass
class LoyaltyChanges:
    """What a run of folded loyalty events does to the loyalty tables."""

    customers: dict[UUID, UUID]
    """Account -> customer: the projection's cache, shared (the pair never changes)."""
    loading: bool = False
    enrolments: dict[UUID, Row] = field(default_factory=dict)
    """Customer -> the account row its first enrolment makes."""
    movements: list[Movement] = field(default_factory=list)
    tier_changes: list[tuple[UUID, Row]] = field(default_factory=list)
    """(account, the tier change row without its customer), in log order."""
    registrations: dict[UUID, Row] = field(default_factory=dict)
    orders: list[tuple[UUID, int, datetime]] = field(default_factory=list)

    def write(self, cursor: Cursor[Any]) -> None:
        insert_rows(
            cursor, "loyalty_accounts", statements.ACCOUNT_COLUMNS,
            list(self.enrolments.values()), "ON CONFLICT (customer_id) DO NOTHING",
        )  # fmt: skip
        customer = self._customers(cursor)
        self._write_movements(cursor, customer)
        self._write_tier_changes(cursor, customer)
        insert_rows(
            cursor, "loyalty_customers", statements.CUSTOMER_COLUMNS,
            list(self.registrations.values()), "ON CONFLICT (customer_id) DO NOTHING",
            copy=self.loading,
        )  # fmt: skip
        # A purchase follows its customer's registration in the log: registered first.
        statements.count_orders(cursor, self.orders)

    def _customers(self, cursor: Cursor[Any]) -> dict[UUID, UUID]:
        named = {m.account_id for m in self.movements} | {a for a, _ in self.tier_changes}
        unknown = named - self.customers.keys()
        self.customers.update(statements.customers_of(cursor, unknown))
        missing = named - self.customers.keys()
        if missing:  # every account event follows its Enrolled in the log
            raise LookupError(f"no loyalty account {sorted(map(str, missing))[0]}")
        return self.customers

    def _write_movements(self, cursor: Cursor[Any], customer: dict[UUID, UUID]) -> None:
        if not self.movements:
            return
        rows = [
            (m.seq, customer[m.account_id], *m.transaction) for m in self.movements
        ]  # fmt: skip
        applied = set(
            insert_rows_returning(
                cursor, "loyalty_transactions", statements.TRANSACTION_COLUMNS, rows,
                "ON CONFLICT (seq) DO NOTHING", copy=self.loading,
            )
        )  # fmt: skip
        new = [m for m in self.movements if m.seq in applied]
        lots = [(m.lot[0], customer[m.account_id], *m.lot[1:]) for m in new if m.lot]
        insert_rows(
            cursor, "loyalty_lots", statements.LOT_COLUMNS, lots,
            "ON CONFLICT (lot_id) DO NOTHING", copy=self.loading,
        )  # fmt: skip
        insert_rows(
            cursor, "loyalty_lot_moves", statements.MOVE_COLUMNS, _moves(new, customer),
            "ON CONFLICT (seq, lot_id) DO NOTHING", copy=self.loading,
        )  # fmt: skip
        statements.add_to_lots(cursor, "remaining", _draws(new))
        clawed: dict[UUID, int] = defaultdict(int)
        for m in new:
            if m.clawed is not None:
                clawed[m.clawed[0]] += m.clawed[1]
        statements.add_to_lots(cursor, "clawed", clawed)
        statements.add_to_accounts(cursor, _totals(new, customer))
        redemptions: dict[UUID, int] = defaultdict(int)
        for m in new:
            if m.reward is not None:
                redemptions[m.reward] += m.redemptions
        statements.add_redemptions(cursor, redemptions)

    def _write_tier_changes(self, cursor: Cursor[Any], customer: dict[UUID, UUID]) -> None:
        rows = [(row[0], customer[account], *row[1:]) for account, row in self.tier_changes]
        applied = set(
            insert_rows_returning(
                cursor, "loyalty_tier_changes", statements.TIER_CHANGE_COLUMNS, rows,
                "ON CONFLICT (seq) DO NOTHING", copy=self.loading,
            )
        )  # fmt: skip
        tiers = {row[1]: (row[4], row[2]) for row in rows if row[0] in applied}  # last wins
        statements.set_tiers(cursor, tiers)


def _moves(movements: Iterable[Movement], customer: dict[UUID, UUID]) -> list[Row]:
    rows: dict[tuple[int, UUID], Row] = {}
    for m in movements:
        at = m.transaction[0]
        for lot_id, points in m.moves:
            # One at a time kept an event's first move of a lot (ON CONFLICT DO NOTHING).
            rows.setdefault((m.seq, lot_id), (m.seq, lot_id, customer[m.account_id], at, points))
    return list(rows.values())


def _draws(movements: Sequence[Movement]) -> dict[UUID, int]:
    """Each drawn lot's change of its remaining points: every move but a new lot's first."""
    change: dict[UUID, int] = defaultdict(int)
    for m in movements:
        new_lot = m.lot[0] if m.lot else None
        for lot_id, points in m.moves:
            if lot_id != new_lot:
                change[lot_id] += points
    return change


def _totals(movements: Iterable[Movement], customer: dict[UUID, UUID]) -> dict[UUID, AccountTotals]:
    totals: dict[UUID, AccountTotals] = {}
    for m in movements:
        if not (m.earned or m.redeemed or m.expired or m.redemptions or m.activity):
            continue
        who = customer[m.account_id]
        earned, redeemed, expired, redemptions, activity = totals.get(who, (0, 0, 0, 0, None))
        if m.activity is not None:
            activity = m.activity if activity is None else max(activity, m.activity)
        totals[who] = (
            earned + m.earned, redeemed + m.redeemed, expired + m.expired,
            redemptions + m.redemptions, activity,
        )  # fmt: skip
    return totals
