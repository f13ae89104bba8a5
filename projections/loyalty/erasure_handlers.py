"""Erasure -> the loyalty statements: the person's own words go, their points stay.

Mixed into :class:`projections.loyalty.projection.LoyaltyStatements`. Only adjustment and
redemption-reversal reasons are the customer's personal data (sealed with their key); an
award's revocation reason names a referral rule and stays.
"""

from __future__ import annotations

from typing import Any, ClassVar

from psycopg import Cursor

from domain.privacy.erasure import ErasureRequest
from projections.base import handles
from projections.erasure import erased_subjects
from projections.loyalty.views import TransactionKind

_PERSONAL_REASONS = [TransactionKind.ADJUSTED.value, TransactionKind.REDEMPTION_REVERSED.value]


class ErasureHandlers:
    """Purges an erased customer's reasons; balances, lots, tiers and counts do not change."""

    erasure_purges: ClassVar[tuple[str, ...]] = ("loyalty_transactions",)

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        cursor.execute(
            "UPDATE loyalty_transactions SET reason = NULL"
            " WHERE customer_id = ANY(%s) AND kind = ANY(%s) AND reason IS NOT NULL",
            (erased_subjects(event), _PERSONAL_REASONS),
        )
