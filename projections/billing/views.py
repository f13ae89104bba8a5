"""The shapes the billing read model answers with; amounts in minor units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class BillingAccountView:
    customer_id: UUID
    account_id: UUID
    currency: str
    invoiced_minor: int
    paid_minor: int
    refunded_minor: int
    updated_at: datetime

    @property
    def balance_minor(self) -> int:
        """What the customer owes (negative: in credit)."""
        return self.invoiced_minor - self.paid_minor + self.refunded_minor


@dataclass(frozen=True, slots=True)
class InvoiceView:
    customer_id: UUID
    invoice_id: str
    seq: int
    amount_minor: int
    paid_minor: int
    currency: str
    due_at: datetime | None
    payment_url: str | None
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentView:
    customer_id: UUID
    seq: int
    payment_id: str
    invoice_id: str | None
    status: str
    """``received`` or ``failed``."""
    amount_minor: int
    refunded_minor: int
    currency: str
    failure_code: str | None
    at: datetime
