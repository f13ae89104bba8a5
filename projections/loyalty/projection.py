"""Events -> the loyalty statement tables.

Account events, registrations and purchases are folded into :class:`LoyaltyChanges` and
written with a few multi-row statements per batch (``projections.loyalty.statements``); catalog
and program edits and erasure are rare and apply at once, after what came before them. A
points-moving event's lots, moves and counters go in only if its ``loyalty_transactions`` row
(keyed by log position) did, so applying an event a second time leaves every row as it was.
Later account events do not name the customer: the account id maps to it through
``loyalty_accounts`` (a deterministic, never-changing pair, so it is cached).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.customer.model import Customer
from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.lots import Draw
from domain.purchase.model import Purchase
from domain.shared.personal_data import PersonalData
from projections.base import Projection, folds
from projections.loyalty.catalog_handlers import CatalogHandlers
from projections.loyalty.changes import LoyaltyChanges, Movement
from projections.loyalty.erasure_handlers import ErasureHandlers
from projections.loyalty.schema import DDL, TABLES
from projections.loyalty.views import TransactionKind

Account = LoyaltyAccount


class LoyaltyStatements(CatalogHandlers, ErasureHandlers, Projection):
    """Accounts, their lots and every movement of points, tier changes, the rewards catalog,
    the rule book and terms, and per-customer order counts: statements and program metrics."""

    name = "loyalty_statements"
    version = 2
    """2: points, stock, counters and versions are bigint (an accepted purchase could earn more
    points than an integer holds, which stopped the read model)."""
    tables = TABLES
    ddl = DDL
    personal_data_of = frozenset({Account.RedemptionReversed, Account.PointsAdjusted})
    """The only events whose personal values (their reasons) a statement shows: a rebuild
    leaves every other event's unread and fetches no key for it (``infrastructure.rebuild``)."""

    def __init__(self) -> None:
        self._customers: dict[UUID, UUID] = {}

    def changes(self) -> LoyaltyChanges:
        return LoyaltyChanges(self._customers, loading=self.loading)

    @folds(Account.Enrolled)
    def enrolled(self, changes: LoyaltyChanges, event: Account.Enrolled, position: int) -> None:
        at = event.at
        row = (event.customer_id, event.originator_id, position, at, "bronze", at, at)
        changes.enrolments.setdefault(event.customer_id, row)  # the first enrolment stays
        self._customers[event.originator_id] = event.customer_id

    @folds(Account.PointsEarned)
    def earned(self, changes: LoyaltyChanges, event: Account.PointsEarned, position: int) -> None:
        cause = event.cause
        # The cause names rules by their hex; the statement uses the form the rule book shows.
        rule_ids = [str(UUID(str(rule))) for rule in cause.get("rules", [])]
        movement = _movement(
            event, position, TransactionKind.EARNED, event.points,
            order_id=cause.get("order_id"), rule_ids=rule_ids, award=cause.get("award"),
        )  # fmt: skip
        _new_lot(movement, event, position, qualifying=True)
        movement.earned = event.points
        movement.activity = event.at
        changes.movements.append(movement)

    @folds(Account.PointsRedeemed)
    def redeemed(
        self, changes: LoyaltyChanges, event: Account.PointsRedeemed, position: int
    ) -> None:
        movement = _movement(
            event, position, TransactionKind.REDEEMED, -event.points,
            reward_id=event.reward_id, redemption_id=event.redemption_id,
        )  # fmt: skip
        _draw(movement, event.draws, -1)
        movement.redeemed = event.points
        movement.redemptions = 1
        movement.reward = event.reward_id
        movement.activity = event.at
        changes.movements.append(movement)

    @folds(Account.RedemptionReversed)
    def redemption_reversed(
        self, changes: LoyaltyChanges, event: Account.RedemptionReversed, position: int
    ) -> None:
        movement = _movement(
            event, position, TransactionKind.REDEMPTION_REVERSED, event.points,
            reward_id=event.reward_id, redemption_id=event.redemption_id,
            reason=_clear(event.reason),
        )  # fmt: skip
        _draw(movement, event.draws, 1)
        movement.redeemed = -event.points
        movement.redemptions = -1
        movement.reward = event.reward_id
        changes.movements.append(movement)

    @folds(Account.PointsClawedBack)
    def clawed_back(
        self, changes: LoyaltyChanges, event: Account.PointsClawedBack, position: int
    ) -> None:
        taken = sum(d["points"] for d in event.draws)
        movement = _movement(
            event, position, TransactionKind.CLAWED_BACK, -taken,
            order_id=event.order_id, unrecovered=event.unrecovered,
        )  # fmt: skip
        _draw(movement, event.draws, -1)
        # The whole refunded share lowers the lot's tier-qualifying points, spent or not.
        movement.clawed = (event.lot_id, event.points)
        changes.movements.append(movement)

    @folds(Account.AwardRevoked)
    def award_revoked(
        self, changes: LoyaltyChanges, event: Account.AwardRevoked, position: int
    ) -> None:
        taken = sum(d["points"] for d in event.draws)
        movement = _movement(
            event, position, TransactionKind.AWARD_REVOKED, -taken,
            award=event.award, reason=event.reason, unrecovered=event.unrecovered,
        )  # fmt: skip
        _draw(movement, event.draws, -1)
        movement.clawed = (event.lot_id, event.points)
        changes.movements.append(movement)

    @folds(Account.PointsExpired)
    def expired(self, changes: LoyaltyChanges, event: Account.PointsExpired, position: int) -> None:
        movement = _movement(event, position, TransactionKind.EXPIRED, -event.points)
        _draw(movement, event.draws, -1)
        movement.expired = event.points
        changes.movements.append(movement)

    @folds(Account.PointsAdjusted)
    def adjusted(
        self, changes: LoyaltyChanges, event: Account.PointsAdjusted, position: int
    ) -> None:
        movement = _movement(
            event, position, TransactionKind.ADJUSTED, event.points, reason=_clear(event.reason)
        )
        if event.lot_id is not None:
            _new_lot(movement, event, position, qualifying=False)
        _draw(movement, event.draws, -1)
        changes.movements.append(movement)

    @folds(Account.TierChanged)
    def tier_changed(
        self, changes: LoyaltyChanges, event: Account.TierChanged, position: int
    ) -> None:
        row = (position, event.at, event.from_tier, event.to_tier, event.qualifying_points)
        changes.tier_changes.append((event.originator_id, row))

    @folds(Customer.Registered)
    def customer_registered(
        self, changes: LoyaltyChanges, event: Customer.Registered, _: int
    ) -> None:
        changes.registrations.setdefault(
            event.originator_id, (event.originator_id, event.timestamp)
        )

    @folds(Purchase.Recorded)
    def purchase_recorded(
        self, changes: LoyaltyChanges, event: Purchase.Recorded, position: int
    ) -> None:
        changes.orders.append((event.customer_id, position, event.purchased_at))


def _movement(
    event: Account.Event, position: int, kind: TransactionKind, points: int, **cause: Any
) -> Movement:
    """The event's transaction row (its customer is looked up when the batch is written)."""
    metadata = event.metadata
    fields = {
        "order_id": None, "reward_id": None, "redemption_id": None, "rule_ids": [],
        "award": None, "reason": None, "unrecovered": 0, **cause,
    }  # fmt: skip
    transaction = (
        _at(event), kind.value, points, fields["order_id"], fields["reward_id"],
        fields["redemption_id"], fields["rule_ids"], fields["award"], fields["reason"],
        fields["unrecovered"], metadata.actor_id, metadata.actor_role.value,
        metadata.channel.value,
    )  # fmt: skip
    return Movement(position, event.originator_id, transaction)


def _new_lot(
    movement: Movement,
    event: Account.PointsEarned | Account.PointsAdjusted,
    position: int,
    *,
    qualifying: bool,
) -> None:
    assert event.lot_id is not None
    movement.lot = (
        event.lot_id, position, event.points, event.points, qualifying,
        event.at, event.available_at, event.expires_at,
    )  # fmt: skip
    movement.moves.append((event.lot_id, event.points))


def _draw(movement: Movement, draws: Iterable[Draw], sign: int) -> None:
    """Take (sign -1) or give back (+1) the drawn points, lot by lot."""
    per_lot: dict[UUID, int] = defaultdict(int)
    for d in draws:
        per_lot[UUID(str(d["lot_id"]))] += int(d["points"]) * sign
    movement.moves.extend(per_lot.items())


def _at(event: Any) -> datetime:
    at: datetime = getattr(event, "at", None) or event.timestamp
    return at


def _clear(reason: PersonalData) -> str | None:
    return reason.value
