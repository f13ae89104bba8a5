"""Loyalty's process manager: purchases earn points, refunds claw them back.

A purchase recorded on a customer earns points through :class:`LoyaltyEarning`, which follows
the log. Both commands are idempotent (earning by order id, claw-back by the refunded total
so far), so replaying an event after a crash changes nothing. Each command counts from the
event's own business time (when the order was bought or refunded), not from when the process
manager got to it, so the points do not depend on how far behind it was.
"""

from __future__ import annotations

from domain.loyalty.commands import ClawBackPointsForOrder, EarnPointsForOrder
from domain.purchase.errors import PurchaseNotFoundError
from domain.purchase.model import Purchase
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.process_manager import ProcessManager, reacts_to


class LoyaltyEarning(ProcessManager[LedgerCore]):
    """Turns purchases into points and refunds into claw-backs."""

    name = "loyalty_earning"
    actor_id = "loyalty-earning"

    @reacts_to(Purchase.Recorded)
    def purchase_recorded(
        self, ledger: LedgerCore, event: Purchase.Recorded
    ) -> CommandResult | None:
        """Credit the order's points (nothing if the customer is not a member)."""
        earn = EarnPointsForOrder(event.order_id, now=event.purchased_at)
        return ledger.handle(earn, self.metadata_for(event))

    @reacts_to(Purchase.Refunded)
    def purchase_refunded(
        self, ledger: LedgerCore, event: Purchase.Refunded
    ) -> CommandResult | None:
        """Take back the refunded share of the order's points."""
        # The refund event names its stream, not its order: the order id is on the purchase.
        purchase = ledger.load(event.originator_id, Purchase, _no_such_order)
        claw_back = ClawBackPointsForOrder(purchase.order_id, now=event.refunded_at)
        return ledger.handle(claw_back, self.metadata_for(event))


def _no_such_order() -> PurchaseNotFoundError:
    return PurchaseNotFoundError("no such order", field="orderId")
