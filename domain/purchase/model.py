"""The Purchase aggregate and its events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.purchase.errors import RefundExceedsPurchaseError
from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ValidationError

PURCHASE_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/purchase")


class Purchase(LedgerAggregate):
    """An order of one customer; its id derives from the order id, so recording the same
    order twice lands on the same stream."""

    class Recorded(LedgerAggregate.Created):
        """A customer bought something, through a channel, at a time."""

        customer_id: UUID
        order_id: str
        amount_minor: int
        currency: str
        channel: str
        items: list[dict[str, Any]]
        purchased_at: datetime

        def apply(self, purchase: Purchase) -> None:
            purchase.customer_id = self.customer_id
            purchase.order_id = self.order_id
            purchase.amount_minor = self.amount_minor
            purchase.currency = self.currency
            purchase.channel = self.channel
            purchase.items = self.items
            purchase.purchased_at = self.purchased_at
            purchase.refunded_minor = 0

    class Refunded(LedgerAggregate.Event):
        """Money went back to the customer for (part of) the order."""

        amount_minor: int
        refunded_at: datetime

        def apply(self, purchase: Purchase) -> None:
            purchase.refunded_minor += self.amount_minor

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    customer_id: UUID
    order_id: str
    amount_minor: int
    currency: str
    channel: str
    items: list[dict[str, Any]]
    purchased_at: datetime
    refunded_minor: int

    @staticmethod
    def id_for(order_id: str) -> UUID:
        return uuid5(PURCHASE_NAMESPACE, order_id)

    @classmethod
    def record(
        cls,
        *,
        customer_id: UUID,
        order_id: str,
        amount_minor: int,
        currency: str,
        channel: str,
        items: list[dict[str, Any]],
        purchased_at: datetime,
    ) -> Purchase:
        if amount_minor <= 0:
            raise ValidationError("amount must be more than zero", field="amount")
        return cls._create(
            cls.Recorded,
            id=cls.id_for(order_id),
            customer_id=customer_id,
            order_id=order_id,
            amount_minor=amount_minor,
            currency=currency,
            channel=channel,
            items=items,
            purchased_at=purchased_at,
        )

    def is_same_order(self, customer_id: UUID, amount_minor: int, currency: str) -> bool:
        return (self.customer_id, self.amount_minor, self.currency) == (
            customer_id,
            amount_minor,
            currency,
        )

    @property
    def refundable_minor(self) -> int:
        return self.amount_minor - self.refunded_minor

    def refund(self, amount_minor: int, refunded_at: datetime) -> None:
        if amount_minor <= 0:
            raise ValidationError("refund amount must be more than zero", field="amount")
        if amount_minor > self.refundable_minor:
            raise RefundExceedsPurchaseError(
                "the refund is larger than what is left to refund", field="amount"
            )
        self.trigger_event(self.Refunded, amount_minor=amount_minor, refunded_at=refunded_at)
