"""Events -> the loyalty statement tables.

A points-moving event first inserts its ``loyalty_transactions`` row (keyed by log position);
lots, moves and counters change only when that insert happened, so applying an event a second
time leaves every row as it was. Later account events do not name the customer: the account id
maps to it through ``loyalty_accounts`` (a deterministic, never-changing pair, so it is cached).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from domain.loyalty.account import LoyaltyAccount
from domain.loyalty.lots import Draw
from domain.shared.personal_data import PersonalData
from projections.base import Projection, handles
from projections.loyalty.catalog_handlers import CatalogHandlers
from projections.loyalty.erasure_handlers import ErasureHandlers
from projections.loyalty.schema import DDL, TABLES
from projections.loyalty.views import TransactionKind

Account = LoyaltyAccount

_TRANSACTION = """
    INSERT INTO loyalty_transactions (seq, customer_id, at, kind, points, order_id, reward_id,
        redemption_id, rule_ids, award, reason, unrecovered, actor_id, actor_role, channel)
    VALUES (%(seq)s, %(customer)s, %(at)s, %(kind)s, %(points)s, %(order_id)s, %(reward_id)s,
        %(redemption_id)s, %(rule_ids)s, %(award)s, %(reason)s, %(unrecovered)s, %(actor_id)s,
        %(actor_role)s, %(channel)s)
    ON CONFLICT (seq) DO NOTHING
    RETURNING seq
"""

_LOT = """
    INSERT INTO loyalty_lots (lot_id, customer_id, seq, points, remaining, qualifying, earned_at,
        available_at, expires_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (lot_id) DO NOTHING
"""


class LoyaltyStatements(CatalogHandlers, ErasureHandlers, Projection):
    """Accounts, their lots and every movement of points, tier changes, the rewards catalog,
    the rule book and terms, and per-customer order counts: statements and program metrics."""

    name = "loyalty_statements"
    version = 2
    """2: points, stock, counters and versions are bigint (an accepted purchase could earn more
    points than an integer holds, which stopped the read model)."""
    tables = TABLES
    ddl = DDL

    def __init__(self) -> None:
        self._customers: dict[UUID, UUID] = {}

    @handles(Account.Enrolled)
    def enrolled(self, cursor: Cursor[Any], event: Account.Enrolled, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO loyalty_accounts (customer_id, account_id, seq, enrolled_at, tier,
                tier_since, last_activity_at)
            VALUES (%s, %s, %s, %s, 'bronze', %s, %s)
            ON CONFLICT (customer_id) DO NOTHING
            """,
            (event.customer_id, event.originator_id, position, event.at, event.at, event.at),
        )
        self._customers[event.originator_id] = event.customer_id

    @handles(Account.PointsEarned)
    def earned(self, cursor: Cursor[Any], event: Account.PointsEarned, position: int) -> None:
        cause = event.cause
        # The cause names rules by their hex; the statement uses the form the rule book shows.
        rule_ids = [str(UUID(str(rule))) for rule in cause.get("rules", [])]
        customer = self._record(
            cursor, event, position, TransactionKind.EARNED, event.points,
            order_id=cause.get("order_id"), rule_ids=rule_ids,
            award=cause.get("award"),
        )  # fmt: skip
        if customer is None:
            return
        self._new_lot(cursor, customer, event, position, qualifying=True)
        self._account(cursor, customer, "points_earned = points_earned + %s", event.points, event)

    @handles(Account.PointsRedeemed)
    def redeemed(self, cursor: Cursor[Any], event: Account.PointsRedeemed, position: int) -> None:
        customer = self._record(
            cursor, event, position, TransactionKind.REDEEMED, -event.points,
            reward_id=event.reward_id, redemption_id=event.redemption_id,
        )  # fmt: skip
        if customer is None:
            return
        self._draw(cursor, customer, event.draws, -1, event.at, position)
        self._account(
            cursor, customer,
            "points_redeemed = points_redeemed + %s, redemptions = redemptions + 1",
            event.points, event,
        )  # fmt: skip
        self._count_redemption(cursor, event.reward_id, 1)

    @handles(Account.RedemptionReversed)
    def redemption_reversed(
        self, cursor: Cursor[Any], event: Account.RedemptionReversed, position: int
    ) -> None:
        customer = self._record(
            cursor, event, position, TransactionKind.REDEMPTION_REVERSED, event.points,
            reward_id=event.reward_id, redemption_id=event.redemption_id,
            reason=_clear(event.reason),
        )  # fmt: skip
        if customer is None:
            return
        self._draw(cursor, customer, event.draws, 1, event.at, position)
        self._account(
            cursor, customer,
            "points_redeemed = points_redeemed - %s, redemptions = redemptions - 1",
            event.points, None,
        )  # fmt: skip
        self._count_redemption(cursor, event.reward_id, -1)

    @handles(Account.PointsClawedBack)
    def clawed_back(
        self, cursor: Cursor[Any], event: Account.PointsClawedBack, position: int
    ) -> None:
        taken = sum(d["points"] for d in event.draws)
        customer = self._record(
            cursor, event, position, TransactionKind.CLAWED_BACK, -taken,
            order_id=event.order_id, unrecovered=event.unrecovered,
        )  # fmt: skip
        if customer is None:
            return
        self._draw(cursor, customer, event.draws, -1, event.at, position)
        # The whole refunded share lowers the lot's tier-qualifying points, spent or not.
        cursor.execute(
            "UPDATE loyalty_lots SET clawed = clawed + %s WHERE lot_id = %s",
            (event.points, event.lot_id),
        )

    @handles(Account.AwardRevoked)
    def award_revoked(
        self, cursor: Cursor[Any], event: Account.AwardRevoked, position: int
    ) -> None:
        taken = sum(d["points"] for d in event.draws)
        customer = self._record(
            cursor, event, position, TransactionKind.AWARD_REVOKED, -taken,
            award=event.award, reason=event.reason, unrecovered=event.unrecovered,
        )  # fmt: skip
        if customer is None:
            return
        self._draw(cursor, customer, event.draws, -1, event.at, position)
        cursor.execute(
            "UPDATE loyalty_lots SET clawed = clawed + %s WHERE lot_id = %s",
            (event.points, event.lot_id),
        )

    @handles(Account.PointsExpired)
    def expired(self, cursor: Cursor[Any], event: Account.PointsExpired, position: int) -> None:
        customer = self._record(cursor, event, position, TransactionKind.EXPIRED, -event.points)
        if customer is None:
            return
        self._draw(cursor, customer, event.draws, -1, event.at, position)
        self._account(cursor, customer, "points_expired = points_expired + %s", event.points, None)

    @handles(Account.PointsAdjusted)
    def adjusted(self, cursor: Cursor[Any], event: Account.PointsAdjusted, position: int) -> None:
        customer = self._record(
            cursor, event, position, TransactionKind.ADJUSTED, event.points,
            reason=_clear(event.reason),
        )  # fmt: skip
        if customer is None:
            return
        if event.lot_id is not None:
            self._new_lot(cursor, customer, event, position, qualifying=False)
        self._draw(cursor, customer, event.draws, -1, event.at, position)

    @handles(Account.TierChanged)
    def tier_changed(self, cursor: Cursor[Any], event: Account.TierChanged, position: int) -> None:
        customer = self._customer_of(cursor, event.originator_id)
        cursor.execute(
            """
            INSERT INTO loyalty_tier_changes (seq, customer_id, at, from_tier, to_tier,
                qualifying_points)
            VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING RETURNING seq
            """,
            (position, customer, event.at, event.from_tier, event.to_tier, event.qualifying_points),
        )
        if cursor.fetchone() is not None:
            cursor.execute(
                "UPDATE loyalty_accounts SET tier = %s, tier_since = %s WHERE customer_id = %s",
                (event.to_tier, event.at, customer),
            )

    def _customer_of(self, cursor: Cursor[Any], account_id: UUID) -> UUID:
        customer = self._customers.get(account_id)
        if customer is None:
            cursor.execute(
                "SELECT customer_id FROM loyalty_accounts WHERE account_id = %s", (account_id,)
            )
            row = cursor.fetchone()
            if row is None:  # every account event follows its Enrolled in the log
                raise LookupError(f"no loyalty account {account_id}")
            customer = self._customers[account_id] = row[0]
        return customer

    def _record(
        self,
        cursor: Cursor[Any],
        event: Account.Event,
        position: int,
        kind: TransactionKind,
        points: int,
        **cause: Any,
    ) -> UUID | None:
        """Insert the event's transaction row; its customer if new, None if applied before."""
        customer = self._customer_of(cursor, event.originator_id)
        metadata = event.metadata
        params = {
            "seq": position, "customer": customer, "at": _at(event), "kind": kind.value,
            "points": points, "order_id": None, "reward_id": None, "redemption_id": None,
            "rule_ids": [], "award": None, "reason": None, "unrecovered": 0,
            "actor_id": metadata.actor_id, "actor_role": metadata.actor_role.value,
            "channel": metadata.channel.value, **cause,
        }  # fmt: skip
        cursor.execute(_TRANSACTION, params)
        return customer if cursor.fetchone() is not None else None

    def _new_lot(
        self,
        cursor: Cursor[Any],
        customer: UUID,
        event: Account.PointsEarned | Account.PointsAdjusted,
        position: int,
        *,
        qualifying: bool,
    ) -> None:
        assert event.lot_id is not None
        cursor.execute(
            _LOT,
            (event.lot_id, customer, position, event.points, event.points, qualifying,
             event.at, event.available_at, event.expires_at),
        )  # fmt: skip
        self._moves(cursor, customer, [(event.lot_id, event.points)], event.at, position)

    def _draw(
        self,
        cursor: Cursor[Any],
        customer: UUID,
        draws: Iterable[Draw],
        sign: int,
        at: datetime,
        position: int,
    ) -> None:
        """Take (sign -1) or give back (+1) the drawn points, lot by lot."""
        per_lot: dict[UUID, int] = defaultdict(int)
        for d in draws:
            per_lot[UUID(str(d["lot_id"]))] += int(d["points"]) * sign
        cursor.executemany(
            "UPDATE loyalty_lots SET remaining = remaining + %s WHERE lot_id = %s",
            [(points, lot_id) for lot_id, points in per_lot.items()],
        )
        self._moves(cursor, customer, list(per_lot.items()), at, position)

    def _moves(
        self,
        cursor: Cursor[Any],
        customer: UUID,
        moves: list[tuple[UUID, int]],
        at: datetime,
        position: int,
    ) -> None:
        cursor.executemany(
            "INSERT INTO loyalty_lot_moves (seq, lot_id, customer_id, at, points)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (seq, lot_id) DO NOTHING",
            [(position, lot_id, customer, at, points) for lot_id, points in moves],
        )

    def _account(
        self,
        cursor: Cursor[Any],
        customer: UUID,
        assignment: str,
        points: int,
        activity: Account.Event | None,
    ) -> None:
        """Bump a lifetime total (``assignment`` is this module's SQL); earning and redeeming
        also count as activity."""
        touch = ", last_activity_at = greatest(last_activity_at, %s)" if activity else ""
        params: tuple[Any, ...] = (
            (points, _at(activity), customer) if activity else (points, customer)
        )
        cursor.execute(
            f"UPDATE loyalty_accounts SET {assignment}{touch} WHERE customer_id = %s", params
        )

    def _count_redemption(self, cursor: Cursor[Any], reward_id: UUID, change: int) -> None:
        # Counted from the account's events: unlimited rewards record no Claimed event.
        cursor.execute(
            "UPDATE loyalty_rewards SET redemptions = redemptions + %s WHERE reward_id = %s",
            (change, reward_id),
        )


def _at(event: Any) -> datetime:
    at: datetime = getattr(event, "at", None) or event.timestamp
    return at


def _clear(reason: PersonalData) -> str | None:
    return reason.value
