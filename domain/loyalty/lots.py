"""The points ledger as lots: every earning is a lot, every spend and expiry draws from lots.

A lot remembers how many points it brought and how many remain. Spending draws from the
soonest-expiring spendable lots first (FIFO by expiry), so every spend and every expiry names
the earnings it consumed, and the balance is always the sum of what remains. Lots are plain
dicts so the aggregate's state stays serialisable (snapshots).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypedDict
from uuid import UUID


class Lot(TypedDict):
    lot_id: UUID
    points: int
    remaining: int
    clawed: int
    """Points taken back because the order behind the lot was refunded."""
    earned_at: datetime
    available_at: datetime
    """Until then the points are pending (the purchase's return window)."""
    expires_at: datetime
    qualifying: bool
    """Whether the lot counts towards tiers (earnings do, goodwill adjustments do not)."""


class Draw(TypedDict):
    lot_id: UUID
    points: int


def is_spendable(lot: Lot, at: datetime) -> bool:
    return lot["remaining"] > 0 and lot["available_at"] <= at < lot["expires_at"]


def is_pending(lot: Lot, at: datetime) -> bool:
    return lot["remaining"] > 0 and lot["earned_at"] <= at < lot["available_at"]


def spendable_points(lots: Iterable[Lot], at: datetime) -> int:
    return sum(lot["remaining"] for lot in lots if is_spendable(lot, at))


def pending_points(lots: Iterable[Lot], at: datetime) -> int:
    return sum(lot["remaining"] for lot in lots if is_pending(lot, at))


def fifo_order(lots: Iterable[Lot]) -> list[Lot]:
    """Soonest expiry first; among equals, the earlier earning (stable on insertion order)."""
    return sorted(lots, key=lambda lot: (lot["expires_at"], lot["earned_at"]))


def draw_fifo(lots: Iterable[Lot], points: int, at: datetime) -> list[Draw]:
    """Which spendable lots ``points`` come from; short of points, as many as there are."""
    draws: list[Draw] = []
    wanted = points
    for lot in fifo_order(lot for lot in lots if is_spendable(lot, at)):
        if wanted == 0:
            break
        taken = min(lot["remaining"], wanted)
        draws.append(Draw(lot_id=lot["lot_id"], points=taken))
        wanted -= taken
    return draws


def expired_draws(lots: Iterable[Lot], at: datetime) -> list[Draw]:
    """What is left in every lot whose expiry has come (pending lots expire too)."""
    return [
        Draw(lot_id=lot["lot_id"], points=lot["remaining"])
        for lot in fifo_order(lots)
        if lot["remaining"] > 0 and lot["expires_at"] <= at
    ]


def take(lots: dict[str, Lot], draws: Iterable[Draw]) -> None:
    for d in draws:
        lots[str(d["lot_id"])]["remaining"] -= d["points"]


def give_back(lots: dict[str, Lot], draws: Iterable[Draw]) -> None:
    for d in draws:
        lots[str(d["lot_id"])]["remaining"] += d["points"]


def total(draws: Iterable[Draw]) -> int:
    return sum(d["points"] for d in draws)
