"""Money and order lines: amounts in minor units of a known currency, never floats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from domain.shared.errors import ValidationError

# ISO 4217 codes this product accepts, with their minor units.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "RON": 2,
    "BGN": 2,
    "CAD": 2,
    "AUD": 2,
    "NZD": 2,
    "JPY": 0,
    "KRW": 0,
    "CNY": 2,
    "HKD": 2,
    "SGD": 2,
    "INR": 2,
    "BRL": 2,
    "MXN": 2,
    "ZAR": 2,
    "TRY": 2,
    "AED": 2,
    "SAR": 2,
    "ILS": 2,
    "KWD": 3,
    "BHD": 3,
    "TND": 3,
    "CLP": 0,
    "ISK": 0,
}
MAX_AMOUNT_MINOR = 10**12
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # [0-9], not \d: ASCII digits only
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
_ORDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")
MAX_ITEMS = 500


class PurchaseChannel(StrEnum):
    """Where a purchase was made."""

    WEB = "web"
    APP = "app"
    STORE = "store"
    PHONE = "phone"


def check_currency(currency: str) -> str:
    code = currency.strip().upper()
    if code not in CURRENCY_MINOR_UNITS:
        raise ValidationError(f"unknown currency {currency[:8]!r}", field="currency")
    return code


def parse_amount(text: str, field: str = "amount") -> Decimal:
    """An amount as people write it: ASCII digits with an optional fraction (``12.50``).
    Refused: other digits (Arabic-Indic, fullwidth), signs, separators (``1_000``, ``1,000``),
    a bare point (``.5``, ``5.``), exponents (``1e3``), NaN and infinity."""
    if not _AMOUNT.fullmatch(text):
        raise ValidationError(
            f"{field} must be digits with an optional fraction, e.g. 12.50", field=field
        )
    return Decimal(text)


def to_minor_units(amount: Decimal | str, currency: str, field: str = "amount") -> int:
    """``12.34`` EUR -> 1234. Text must be a plain amount (:func:`parse_amount`); refuses
    negatives, NaN, and more decimals than the currency has."""
    try:
        value = parse_amount(amount, field) if isinstance(amount, str) else Decimal(amount)
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{field} is not a decimal number", field=field) from None
    if not value.is_finite() or value < 0:
        raise ValidationError(f"{field} must be zero or more", field=field)
    if value > MAX_AMOUNT_MINOR:  # before scaling: huge exponents overflow the context
        raise ValidationError(f"{field} is implausibly large", field=field)
    scaled = value.scaleb(CURRENCY_MINOR_UNITS[currency])
    if scaled != scaled.to_integral_value():
        raise ValidationError(f"{field} has more decimals than {currency} allows", field=field)
    minor = int(scaled)
    if minor > MAX_AMOUNT_MINOR:
        raise ValidationError(f"{field} is implausibly large", field=field)
    return minor


def from_minor_units(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-CURRENCY_MINOR_UNITS[currency])


def check_order_id(order_id: str) -> str:
    if not _ORDER_ID.fullmatch(order_id):
        raise ValidationError("orderId must be 1-128 letters, digits or ._:-", field="orderId")
    return order_id


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line of an order: what, which category, how many, at what unit price."""

    sku: str
    category: str | None
    quantity: int
    unit_amount_minor: int

    @classmethod
    def checked(
        cls,
        sku: str,
        category: str | None,
        quantity: int,
        unit_amount: Decimal | str,
        currency: str,
    ) -> OrderLine:
        if not _SKU.fullmatch(sku):
            raise ValidationError("sku must be 1-64 letters, digits or ._-", field="items.sku")
        if category is not None and not _CATEGORY.fullmatch(category):
            raise ValidationError("category must be a lower-case slug", field="items.category")
        if not 1 <= quantity <= 100_000:
            raise ValidationError("quantity must be between 1 and 100000", field="items.quantity")
        unit = to_minor_units(unit_amount, currency, field="items.unitPrice")
        return cls(sku=sku, category=category, quantity=quantity, unit_amount_minor=unit)

    def as_dict(self) -> dict[str, object]:
        return {
            "sku": self.sku,
            "category": self.category,
            "quantity": self.quantity,
            "unit_amount_minor": self.unit_amount_minor,
        }
