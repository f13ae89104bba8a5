"""The bounds of what a payment provider's notification may say."""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import urlsplit

from domain.purchase.values import MAX_AMOUNT_MINOR, check_currency
from domain.shared.errors import ValidationError

MAX_PAYMENT_URL = 2_000
_PROVIDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}")
_FAILURE_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


class NotificationKind(StrEnum):
    """What a provider's notification reports."""

    INVOICE_ISSUED = "invoice.issued"
    PAYMENT_RECEIVED = "payment.received"
    PAYMENT_FAILED = "payment.failed"
    REFUND_ISSUED = "refund.issued"


def check_provider_id(value: str, field: str) -> str:
    """An id the provider gave (its notification, invoice, payment or refund id)."""
    if not _PROVIDER_ID.fullmatch(value):
        raise ValidationError(f"{field} must be 1-128 letters, digits or _.:-", field=field)
    return value


def check_amount_minor(amount: int, field: str = "amountMinor") -> int:
    """A positive whole number of minor units (cents), at most 10^12."""
    if isinstance(amount, bool) or not 1 <= amount <= MAX_AMOUNT_MINOR:
        raise ValidationError(f"{field} must be 1 to {MAX_AMOUNT_MINOR} minor units", field=field)
    return amount


def check_billing_currency(currency: str) -> str:
    return check_currency(currency)


def check_failure_code(code: str) -> str:
    if not _FAILURE_CODE.fullmatch(code):
        raise ValidationError(
            "failureCode must be 1-64 lower-case letters, digits or _", field="failureCode"
        )
    return code


def check_payment_url(url: str) -> str:
    """The provider's hosted payment page: https, a host, no credentials, printable."""
    try:
        parts = urlsplit(url) if len(url) <= MAX_PAYMENT_URL else None
        host = parts.hostname if parts is not None else None
    except ValueError:  # a malformed host, e.g. an unclosed IPv6 bracket
        parts, host = None, None
    if (
        parts is None
        or parts.scheme != "https"
        or not host
        or parts.username is not None
        or any(ord(c) <= 32 or ord(c) == 127 for c in url)
    ):
        raise ValidationError(
            f"paymentUrl must be an https URL of at most {MAX_PAYMENT_URL} characters",
            field="paymentUrl",
        )
    return url
