"""The LoyaltyAccount aggregate: a customer's points as lots, their redemptions and tier.

Its id derives from the customer's, so a customer has one account and two simultaneous
enrolments collide in the event store instead of creating two. Every event that moves points
says which lots it moved (``draws``) and carries ``at``, the business time the movement counts
from, so a statement can show the balance as of any date and trace every point.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.loyalty import lots
from domain.loyalty.earning import Earning, period_keys
from domain.loyalty.errors import (
    InsufficientPointsError,
    RedemptionAlreadyReversedError,
    RedemptionNotFoundError,
)
from domain.loyalty.lots import Draw, Lot
from domain.loyalty.values import TIER_WINDOW, ProgramTerms, Tier, benefits_of, tier_for
from domain.shared.aggregate import LedgerAggregate
from domain.shared.personal_data import PersonalData

ACCOUNT_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/loyalty-account")


class LoyaltyAccount(LedgerAggregate):
    """A customer's membership of the loyalty program."""

    class Enrolled(LedgerAggregate.Created):
        """The customer joined the program (at the lowest tier)."""

        customer_id: UUID
        at: datetime

        def apply(self, account: LoyaltyAccount) -> None:
            account.customer_id = self.customer_id
            account.enrolled_at = self.at
            account.tier_name = Tier.BRONZE.value
            account.lots = {}
            account.orders = {}
            account.awards = []
            account.redemptions = {}
            account.earned_by_period = {}
            account.revoked_awards = []

    class PointsEarned(LedgerAggregate.Event):
        """A new lot: points for an order (``cause.order_id``) or a bonus (``cause.award``)."""

        lot_id: UUID
        points: int
        cause: dict[str, Any]
        at: datetime
        available_at: datetime
        expires_at: datetime
        period_keys: list[str]

        def apply(self, account: LoyaltyAccount) -> None:
            account.lots[str(self.lot_id)] = _lot(self, qualifying=True)
            if "order_id" in self.cause:
                account.orders[self.cause["order_id"]] = self.lot_id
            if "award" in self.cause:
                account.awards.append(self.cause["award"])
            for key in self.period_keys:
                account.earned_by_period[key] = account.earned_by_period.get(key, 0) + self.points

    class PointsRedeemed(LedgerAggregate.Event):
        """Points spent on a reward, drawn from the soonest-expiring lots."""

        redemption_id: UUID
        reward_id: UUID
        points: int
        draws: list[Draw]
        at: datetime

        def apply(self, account: LoyaltyAccount) -> None:
            lots.take(account.lots, self.draws)
            account.redemptions[str(self.redemption_id)] = {
                "reward_id": self.reward_id,
                "points": self.points,
                "draws": self.draws,
                "reversed": False,
            }

    class RedemptionReversed(LedgerAggregate.Event):
        """A redemption undone: its points go back to the lots they came from."""

        redemption_id: UUID
        reward_id: UUID
        points: int
        draws: list[Draw]
        reason: PersonalData
        at: datetime

        def apply(self, account: LoyaltyAccount) -> None:
            lots.give_back(account.lots, self.draws)
            account.redemptions[str(self.redemption_id)]["reversed"] = True

    class PointsClawedBack(LedgerAggregate.Event):
        """An order was refunded: its share of points is taken back, from its own lot first.

        ``points`` is what the refund takes (it also lowers the lot's tier-qualifying points);
        ``draws`` is what could still be taken; ``unrecovered`` had already been spent."""

        order_id: str
        lot_id: UUID
        points: int
        draws: list[Draw]
        unrecovered: int
        at: datetime

        def apply(self, account: LoyaltyAccount) -> None:
            lots.take(account.lots, self.draws)
            account.lots[str(self.lot_id)]["clawed"] += self.points

    class AwardRevoked(LedgerAggregate.Event):
        """A bonus award was taken back (a fraud rule caught the referral behind it): from its
        own lot first, then the soonest-expiring others; what was already spent and cannot be
        covered is ``unrecovered`` (a balance never goes negative)."""

        award: str
        lot_id: UUID
        points: int
        draws: list[Draw]
        unrecovered: int
        reason: str
        at: datetime

        def apply(self, account: LoyaltyAccount) -> None:
            lots.take(account.lots, self.draws)
            account.lots[str(self.lot_id)]["clawed"] += self.points
            account.revoked_awards = [*account.revoked, self.award]

    class PointsExpired(LedgerAggregate.Event):
        """Lots reached their expiry with points left: those points are gone."""

        points: int
        draws: list[Draw]
        at: datetime

        def apply(self, account: LoyaltyAccount) -> None:
            lots.take(account.lots, self.draws)

    class PointsAdjusted(LedgerAggregate.Event):
        """Staff added points (a new lot, not tier-qualifying) or removed them (drawn FIFO)."""

        points: int
        reason: PersonalData
        lot_id: UUID | None
        draws: list[Draw]
        at: datetime
        available_at: datetime
        expires_at: datetime

        def apply(self, account: LoyaltyAccount) -> None:
            if self.lot_id is not None:
                account.lots[str(self.lot_id)] = _lot(self, qualifying=False)
            lots.take(account.lots, self.draws)

    class TierChanged(LedgerAggregate.Event):
        """The account moved up or down a tier; ``qualifying_points`` explains why."""

        from_tier: str
        to_tier: str
        qualifying_points: int
        at: datetime

        def apply(self, account: LoyaltyAccount) -> None:
            account.tier_name = self.to_tier

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    # Plain, JSON-friendly state (string keys, no enums) so that snapshots round-trip.
    customer_id: UUID
    enrolled_at: datetime
    tier_name: str
    lots: dict[str, Lot]
    """By str(lot_id)."""
    orders: dict[str, UUID]
    """Orders that earned, and their lot: earning again for one is a no-op."""
    awards: list[str]
    """Bonus awards received (idempotency keys)."""
    redemptions: dict[str, dict[str, Any]]
    """By str(redemption_id)."""
    earned_by_period: dict[str, int]
    revoked_awards: list[str]

    @property
    def revoked(self) -> list[str]:
        # Snapshots taken before awards could be revoked lack the attribute.
        return list(getattr(self, "revoked_awards", []))

    @property
    def tier(self) -> Tier:
        return Tier(self.tier_name)

    def redemption(self, redemption_id: UUID) -> dict[str, Any] | None:
        return self.redemptions.get(str(redemption_id))

    def lot(self, lot_id: UUID) -> Lot:
        return self.lots[str(lot_id)]

    @staticmethod
    def id_for(customer_id: UUID) -> UUID:
        return uuid5(ACCOUNT_NAMESPACE, customer_id.hex)

    @classmethod
    def enrol(cls, customer_id: UUID, at: datetime) -> LoyaltyAccount:
        return cls._create(cls.Enrolled, id=cls.id_for(customer_id), customer_id=customer_id, at=at)

    def balance(self, at: datetime) -> int:
        return lots.spendable_points(self.lots.values(), at)

    def figures(self, at: datetime) -> dict[str, object]:
        return {
            "spendable_points": self.balance(at),
            "pending_points": self.pending(at),
            "tier": self.tier_name,
        }

    def pending(self, at: datetime) -> int:
        return lots.pending_points(self.lots.values(), at)

    def qualifying_points(self, at: datetime) -> int:
        since = at - TIER_WINDOW
        return sum(
            max(0, lot["points"] - lot["clawed"])
            for lot in self.lots.values()
            if lot["qualifying"] and since < lot["earned_at"] <= at
        )

    def earn_for_order(
        self, order_id: str, earning: Earning, terms: ProgramTerms, at: datetime
    ) -> None:
        """Record an order's points, pending for the return window; once per order."""
        if order_id in self.orders:
            return
        cause = {"kind": "order", "order_id": order_id, "rules": earning.rule_ids}
        lot_id = uuid5(self.id, f"order:{order_id}")
        self._earn(lot_id, earning.points, cause, terms, at, pending=True)

    def award(
        self, award: str, points: int, cause: dict[str, Any], terms: ProgramTerms, at: datetime
    ) -> None:
        """Bonus points (a referral, say), spendable at once; once per ``award`` key."""
        if award in self.awards:
            return
        lot_id = uuid5(self.id, f"award:{award}")
        self._earn(lot_id, points, {**cause, "award": award}, terms, at, pending=False)

    def revoke_award(self, award: str, reason: str, at: datetime) -> None:
        """Take back an award's points, once; nothing if it was never given."""
        lot_id = uuid5(self.id, f"award:{award}")
        if award not in self.awards or award in self.revoked:
            return
        lot = self.lots[str(lot_id)]
        due = lot["points"] - lot["clawed"]
        own = min(due, lot["remaining"])
        draws = [Draw(lot_id=lot_id, points=own)] if own else []
        others = (x for x in self.lots.values() if x["lot_id"] != lot_id)
        draws += lots.draw_fifo(others, due - own, at)
        self.trigger_event(
            self.AwardRevoked,
            award=award,
            lot_id=lot_id,
            points=due,
            draws=draws,
            unrecovered=due - lots.total(draws),
            reason=reason,
            at=at,
        )

    def redeem(self, redemption_id: UUID, reward_id: UUID, points: int, at: datetime) -> None:
        draws = self._draws_covering(points, at)
        self.trigger_event(
            self.PointsRedeemed,
            redemption_id=redemption_id,
            reward_id=reward_id,
            points=points,
            draws=draws,
            at=at,
        )

    def reverse_redemption(self, redemption_id: UUID, reason: str, at: datetime) -> UUID:
        """Give a redemption's points back to its lots; returns the reward to restock."""
        redemption = self.redemptions.get(str(redemption_id))
        if redemption is None:
            raise RedemptionNotFoundError("no such redemption", field="redemptionId")
        if redemption["reversed"]:
            raise RedemptionAlreadyReversedError("already reversed", field="redemptionId")
        self.trigger_event(
            self.RedemptionReversed,
            redemption_id=redemption_id,
            reward_id=redemption["reward_id"],
            points=redemption["points"],
            draws=redemption["draws"],
            reason=PersonalData(self.customer_id, reason),
            at=at,
        )
        return UUID(str(redemption["reward_id"]))

    def claw_back(self, order_id: str, refunded_share: tuple[int, int], at: datetime) -> None:
        """Take back the refunded share (refunded, amount) of an order's points, once."""
        lot_id = self.orders.get(order_id)
        if lot_id is None:
            return  # the order earned nothing here (bought before enrolling)
        lot = self.lots[str(lot_id)]
        refunded, amount = refunded_share
        due = lot["points"] * min(refunded, amount) // amount - lot["clawed"]
        if due <= 0:
            return  # this refund was already accounted for
        own = min(due, lot["remaining"])
        draws = [Draw(lot_id=lot_id, points=own)] if own else []
        others = (x for x in self.lots.values() if x["lot_id"] != lot_id)
        draws += lots.draw_fifo(others, due - own, at)
        self.trigger_event(
            self.PointsClawedBack,
            order_id=order_id,
            lot_id=lot_id,
            points=due,
            draws=draws,
            unrecovered=due - lots.total(draws),
            at=at,
        )

    def expire(self, at: datetime) -> int:
        """Expire every lot whose time has come; returns the points that expired."""
        draws = lots.expired_draws(self.lots.values(), at)
        if draws:
            self.trigger_event(self.PointsExpired, points=lots.total(draws), draws=draws, at=at)
        return lots.total(draws)

    def adjust(self, points: int, reason: str, terms: ProgramTerms, at: datetime) -> None:
        """Add (points > 0) or remove (points < 0) points, saying why."""
        adding = points > 0
        self.trigger_event(
            self.PointsAdjusted,
            points=points,
            reason=PersonalData(self.customer_id, reason),
            lot_id=uuid5(self.id, f"adjustment:{self.version + 1}") if adding else None,
            draws=[] if adding else self._draws_covering(-points, at),
            at=at,
            available_at=at,
            expires_at=at + timedelta(days=terms.points_lifetime_days),
        )

    def review_tier(self, at: datetime, *, upgrade_only: bool = False) -> None:
        """Move to the tier the trailing window's points earn, if it is another.

        The window ends at ``at`` or at the newest earning, whichever is later: an earning or
        refund recorded late (dated before others already credited) must not measure the
        year from the past and drop the member a tier that later earnings hold."""
        newest = max((lot["earned_at"] for lot in self.lots.values()), default=at)
        moment = max(at, newest)
        qualifying = self.qualifying_points(moment)
        deserved = tier_for(qualifying)
        lower = benefits_of(deserved).rank < self.tier_rank()
        if deserved != self.tier and not (upgrade_only and lower):
            self.trigger_event(
                self.TierChanged,
                from_tier=self.tier.value,
                to_tier=deserved.value,
                qualifying_points=qualifying,
                at=at,
            )

    def tier_rank(self) -> int:
        return benefits_of(self.tier).rank

    def _earn(
        self,
        lot_id: UUID,
        points: int,
        cause: dict[str, Any],
        terms: ProgramTerms,
        at: datetime,
        *,
        pending: bool,
    ) -> None:
        window = timedelta(days=terms.return_window_days if pending else 0)
        self.trigger_event(
            self.PointsEarned,
            lot_id=lot_id,
            points=points,
            cause=cause,
            at=at,
            available_at=at + window,
            expires_at=at + timedelta(days=terms.points_lifetime_days),
            period_keys=period_keys(at) if "order_id" in cause else [],
        )
        self.review_tier(at, upgrade_only=True)  # downgrades wait for the scheduled review

    def _draws_covering(self, points: int, at: datetime) -> list[Draw]:
        draws = lots.draw_fifo(self.lots.values(), points, at)
        if lots.total(draws) < points:
            raise InsufficientPointsError(
                f"{points} points asked, {self.balance(at)} spendable", field="points"
            )
        return draws


def _lot(
    event: LoyaltyAccount.PointsEarned | LoyaltyAccount.PointsAdjusted, qualifying: bool
) -> Lot:
    assert event.lot_id is not None  # only adjustments that add points make a lot
    return Lot(
        lot_id=event.lot_id,
        points=event.points,
        remaining=event.points,
        clawed=0,
        earned_at=event.at,
        available_at=event.available_at,
        expires_at=event.expires_at,
        qualifying=qualifying,
    )
