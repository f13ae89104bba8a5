"""Tracked orders as clients see them, with the input and payload of recordFulfilment."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from domain.fulfilment.values import CARRIER_DAYS, DEFAULT_CARRIER_DAYS, FulfilmentStep
from graphql_api.enums import graphql_enum
from graphql_api.errors import UserError
from graphql_api.mutation import Payload
from graphql_api.notices import NOTICES, Notice
from projections.orders.projection import OrderTracking
from projections.orders.queries import StepView, TrackedOrderView

FulfilmentStepType = graphql_enum(
    FulfilmentStep,
    "FulfilmentStep",
    "A step of an order's fulfilment; each follows the one before, none is skipped.",
    {
        FulfilmentStep.PLACED: "The customer placed the order (names the customer and lines).",
        FulfilmentStep.PAID: "The order was paid.",
        FulfilmentStep.PACKED: "The parcel was packed.",
        FulfilmentStep.SHIPPED: "The parcel left with a carrier (names carrier and tracking).",
        FulfilmentStep.DELIVERED: "The parcel reached the customer.",
        FulfilmentStep.RETURNED: "The customer sent it back.",
    },
)
_CARRIERS = ", ".join(f"{name} {days}" for name, days in CARRIER_DAYS.items())
ESTIMATE_RULE = (
    f"the shipment's time plus its carrier's usual days ({_CARRIERS}; any other carrier "
    f"{DEFAULT_CARRIER_DAYS})"
)


@strawberry.type(description="One line of a tracked order.")
class TrackedOrderLine:
    sku: str = strawberry.field(description="The product's stock-keeping unit.")
    quantity: int = strawberry.field(description="How many.")


@strawberry.type(description="A step an order went through.")
class FulfilmentEvent:
    step: FulfilmentStep = strawberry.field(description="Which step.")
    at: datetime = strawberry.field(description="When it happened.")
    carrier: str | None = strawberry.field(description="The carrier, for a shipment.")
    tracking_number: str | None = strawberry.field(
        description="The carrier's tracking number, for a shipment; null once the customer "
        "is erased."
    )

    @classmethod
    def from_view(cls, view: StepView) -> FulfilmentEvent:
        return cls(
            step=FulfilmentStep(view.step),
            at=view.at,
            carrier=view.carrier,
            tracking_number=view.tracking_number,
        )


@strawberry.type(description="An order's fulfilment: where it is, what it holds, its steps.")
class TrackedOrder:
    id: str = strawberry.field(description="The shop's order id.")
    customer_id: UUID = strawberry.field(description="Who ordered.")
    status: FulfilmentStep = strawberry.field(description="The latest step.")
    lines: list[TrackedOrderLine] = strawberry.field(description="What was ordered.")
    timeline: list[FulfilmentEvent] = strawberry.field(description="Every step, oldest first.")
    carrier: str | None = strawberry.field(description="The carrier, once shipped.")
    tracking_number: str | None = strawberry.field(
        description="The tracking number, once shipped; null once the customer is erased."
    )
    estimated_delivery: datetime | None = strawberry.field(
        description=f"When it should arrive, once shipped: {ESTIMATE_RULE}. Null before "
        "shipping and after delivery."
    )
    placed_at: datetime = strawberry.field(description="When it was placed.")

    @classmethod
    def from_view(cls, view: TrackedOrderView) -> TrackedOrder:
        status = FulfilmentStep(view.status)
        return cls(
            id=view.order_id,
            customer_id=view.customer_id,
            status=status,
            lines=[TrackedOrderLine(sku=x["sku"], quantity=x["quantity"]) for x in view.lines],
            timeline=[FulfilmentEvent.from_view(step) for step in view.timeline],
            carrier=view.carrier,
            tracking_number=view.tracking_number,
            estimated_delivery=(
                view.estimated_delivery if status is FulfilmentStep.SHIPPED else None
            ),
            placed_at=view.placed_at,
        )


@strawberry.input(description="One line of an order being placed.")
class TrackedOrderLineInput:
    sku: str = strawberry.field(description="Stock-keeping unit: 1-64 letters, digits or ._-")
    quantity: int = strawberry.field(description="How many, 1 to 100000.")


@strawberry.input(description="A fulfilment step of an order.")
class RecordFulfilmentInput:
    order_id: str = strawberry.field(
        description="The shop's order id, 1-128 letters, digits or ._:-"
    )
    step: FulfilmentStep = strawberry.field(
        description="The step reached: the one after the order's current step (PLACED first)."
    )
    at: datetime | None = strawberry.field(
        default=None,
        description="When, with a time zone; not in the future nor before the previous "
        "step; left out: now.",
    )
    customer_id: UUID | None = strawberry.field(
        default=None, description="Who ordered: required to place, refused otherwise."
    )
    lines: list[TrackedOrderLineInput] = strawberry.field(
        default_factory=list,
        description="The order's 1-500 lines: required to place, refused otherwise.",
    )
    carrier: str | None = strawberry.field(
        default=None,
        description="The carrier (1-32 lower-case letters, digits, _ or -): required to ship, "
        "refused otherwise.",
    )
    tracking_number: str | None = strawberry.field(
        default=None,
        description="The carrier's tracking number (4-40 letters, digits or -): required to "
        "ship, refused otherwise.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="1-128 letters, digits or ._:-; the same key again writes nothing and "
        "answers the same; used for another step, IDEMPOTENCY_KEY_REUSED.",
    )


@strawberry.type(description="Result of recordFulfilment.")
class RecordFulfilmentPayload(Payload):
    order: TrackedOrder | None = strawberry.field(
        description="The order as the read model shows it; null if refused or if the read "
        "model did not show it in time (see notices)."
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = OrderTracking.name
