"""Fulfilment steps, the order they follow, and the bounds of what a step carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.shared.errors import ValidationError

MAX_LINES = 500
"""As a recorded purchase's."""
_CARRIER = re.compile(r"[a-z0-9][a-z0-9_\-]{0,31}")
_TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{3,39}")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")
_SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}")

CARRIER_DAYS: dict[str, int] = {
    "dhl": 2,
    "dpd": 2,
    "ups": 2,
    "fedex": 2,
    "gls": 3,
    "postnl": 2,
    "colissimo": 3,
    "laposte": 3,
    "royalmail": 3,
    "usps": 4,
}
"""The estimated delivery rule: the time a parcel was shipped plus its carrier's usual
delivery time, in calendar days; a carrier not listed takes ``DEFAULT_CARRIER_DAYS``."""
DEFAULT_CARRIER_DAYS = 5


class FulfilmentStep(StrEnum):
    """A step of an order's fulfilment, in the order they happen."""

    PLACED = "placed"
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURNED = "returned"


NEXT_STEP: dict[FulfilmentStep, FulfilmentStep] = {
    FulfilmentStep.PLACED: FulfilmentStep.PAID,
    FulfilmentStep.PAID: FulfilmentStep.PACKED,
    FulfilmentStep.PACKED: FulfilmentStep.SHIPPED,
    FulfilmentStep.SHIPPED: FulfilmentStep.DELIVERED,
    FulfilmentStep.DELIVERED: FulfilmentStep.RETURNED,
}
"""The one step that may follow each: no step is skipped, none goes back."""


def estimated_delivery(carrier: str, shipped_at: datetime) -> datetime:
    return shipped_at + timedelta(days=CARRIER_DAYS.get(carrier, DEFAULT_CARRIER_DAYS))


def check_carrier(carrier: str) -> str:
    clean = carrier.strip().lower()
    if not _CARRIER.fullmatch(clean):
        raise ValidationError(
            "carrier is 1-32 lower-case letters, digits, _ or - (e.g. dhl)", field="carrier"
        )
    return clean


def check_tracking_number(number: str) -> str:
    if not _TRACKING_NUMBER.fullmatch(number):
        raise ValidationError("trackingNumber is 4-40 letters, digits or -", field="trackingNumber")
    return number


def check_idempotency_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValidationError(
            "idempotencyKey is 1-128 letters, digits or ._:-", field="idempotencyKey"
        )
    return key


@dataclass(frozen=True, slots=True)
class TrackedLine:
    """One line of a tracked order: what and how many."""

    sku: str
    quantity: int

    @classmethod
    def checked(cls, sku: str, quantity: int) -> TrackedLine:
        if not _SKU.fullmatch(sku):
            raise ValidationError("sku must be 1-64 letters, digits or ._-", field="lines.sku")
        if not 1 <= quantity <= 100_000:
            raise ValidationError("quantity must be between 1 and 100000", field="lines.quantity")
        return cls(sku, quantity)

    def as_dict(self) -> dict[str, object]:
        return {"sku": self.sku, "quantity": self.quantity}
