"""Referral's process manager: a referred friend's qualifying purchase rewards both sides.

It follows recorded purchases; ``reward_referral_for_order`` qualifies the buyer's referral and
credits both loyalty accounts in one transaction, and does nothing for a referral already
qualified, so replaying a purchase after a crash pays nobody twice.
"""

from __future__ import annotations

from domain.purchase.model import Purchase
from domain.referral.commands import RewardReferralForOrder
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.process_manager import ProcessManager, reacts_to


class ReferralRewards(ProcessManager[LedgerCore]):
    """Turns a referred friend's first qualifying purchase into two rewards."""

    name = "referral_rewards"
    actor_id = "referral-rewards"

    @reacts_to(Purchase.Recorded)
    def purchase_recorded(
        self, ledger: LedgerCore, event: Purchase.Recorded
    ) -> CommandResult | None:
        command = RewardReferralForOrder(event.order_id, now=event.purchased_at)
        return ledger.handle(command, self.metadata_for(event))
