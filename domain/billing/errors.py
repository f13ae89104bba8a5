"""Refusals specific to billing."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class BillingAccountNotFoundError(NotFoundError):
    code = "BILLING_ACCOUNT_NOT_FOUND"


class CurrencyMismatchError(DomainError):
    """An account bills in one currency, the one of its first invoice or payment."""

    code = "CURRENCY_MISMATCH"


class InvoiceNotFoundError(NotFoundError):
    code = "INVOICE_NOT_FOUND"


class PaymentNotFoundError(NotFoundError):
    code = "PAYMENT_NOT_FOUND"


class DuplicateProviderIdError(DomainError):
    """The provider's id of an invoice, payment or refund was already recorded by another
    notification (a retry of the same notification writes nothing instead)."""

    code = "DUPLICATE_PROVIDER_ID"


class RefundExceedsPaymentError(DomainError):
    code = "REFUND_EXCEEDS_PAYMENT"
