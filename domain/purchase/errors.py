"""Refusals specific to purchases."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class OrderIdReusedError(DomainError):
    """The order id was recorded before with other content."""

    code = "ORDER_ID_REUSED"


class PurchaseNotFoundError(NotFoundError):
    code = "PURCHASE_NOT_FOUND"


class RefundExceedsPurchaseError(DomainError):
    code = "REFUND_EXCEEDS_PURCHASE"
