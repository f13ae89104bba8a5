"""The TrackedOrder aggregate: one order's fulfilment, step by step.

Its id derives from the shop's order id, so the staff's and the webhook's records of one order
land on one stream. Each step remembers the idempotency key it came with: a delivery retried
with the same key finds it and writes nothing. The tracking number leads to the parcel (and
its address) on the carrier's site: it is the customer's personal data, sealed with their key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.fulfilment.errors import IdempotencyKeyReusedError, IllegalFulfilmentStepError
from domain.fulfilment.values import NEXT_STEP, FulfilmentStep, estimated_delivery
from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ValidationError
from domain.shared.personal_data import PersonalData

TRACKED_ORDER_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/tracked-order")


class TrackedOrder(LedgerAggregate):
    """An order of one customer and the fulfilment steps it went through."""

    class Placed(LedgerAggregate.Created):
        """The customer placed the order, with its lines."""

        order_id: str
        customer_id: UUID
        lines: list[dict[str, Any]]
        at: datetime
        key: str | None

        def apply(self, order: TrackedOrder) -> None:
            order.order_id = self.order_id
            order.customer_id = self.customer_id
            order.lines = self.lines
            order.status = FulfilmentStep.PLACED
            order.last_at = self.at
            order.keys = {} if self.key is None else {self.key: FulfilmentStep.PLACED.value}
            order.carrier = None
            order.tracking_number = None

    class Stepped(LedgerAggregate.Event):
        """The order went on to ``step``; a shipment names its carrier and tracking number and
        when it should arrive."""

        step: str
        at: datetime
        key: str | None
        carrier: str | None
        tracking_number: PersonalData | None
        estimated_delivery: datetime | None

        def apply(self, order: TrackedOrder) -> None:
            order.status = FulfilmentStep(self.step)
            order.last_at = self.at
            if self.key is not None:
                order.keys = {**order.keys, self.key: self.step}
            if self.carrier is not None:
                order.carrier = self.carrier
                order.tracking_number = (
                    None if self.tracking_number is None else self.tracking_number.value
                )

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    order_id: str
    customer_id: UUID
    lines: list[dict[str, Any]]
    status: FulfilmentStep
    last_at: datetime
    keys: dict[str, str]
    carrier: str | None
    tracking_number: str | None

    @staticmethod
    def id_for(order_id: str) -> UUID:
        return uuid5(TRACKED_ORDER_NAMESPACE, order_id)

    @classmethod
    def place(
        cls,
        *,
        order_id: str,
        customer_id: UUID,
        lines: list[dict[str, Any]],
        at: datetime,
        key: str | None,
    ) -> TrackedOrder:
        return cls._create(
            cls.Placed,
            id=cls.id_for(order_id),
            order_id=order_id,
            customer_id=customer_id,
            lines=lines,
            at=at,
            key=key,
        )

    def already_has(self, key: str | None, step: FulfilmentStep) -> bool:
        """Whether a delivery with ``key`` was recorded (then nothing is written again); the
        key used for another step is refused."""
        if key is None or key not in self.keys:
            return False
        if self.keys[key] != step.value:
            raise IdempotencyKeyReusedError(
                f"this idempotency key recorded the {self.keys[key]} step",
                field="idempotencyKey",
            )
        return True

    def step(
        self,
        step: FulfilmentStep,
        at: datetime,
        key: str | None,
        shipment: tuple[str, str] | None = None,
    ) -> None:
        """Go on to ``step`` (the one after the current), at ``at`` (not before the last
        step); ``shipment`` (carrier, tracking number) for a shipment only."""
        if NEXT_STEP.get(self.status) is not step:
            expected = NEXT_STEP.get(self.status)
            after = f"only {expected.value} may follow" if expected else "no step may follow"
            raise IllegalFulfilmentStepError(
                f"the order is {self.status.value}: {after}, not {step.value}", field="step"
            )
        if at < self.last_at:
            raise ValidationError("at is before the order's previous step", field="at")
        carrier, tracking = shipment if shipment is not None else (None, None)
        self.trigger_event(
            self.Stepped,
            step=step.value,
            at=at,
            key=key,
            carrier=carrier,
            tracking_number=None if tracking is None else PersonalData(self.customer_id, tracking),
            estimated_delivery=None if carrier is None else estimated_delivery(carrier, at),
        )
