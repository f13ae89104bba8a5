"""The BillingAccount aggregate: one customer's invoices and payments, as their payment
service provider reported them.

The product holds no card: the provider takes payments on its hosted page (``payment_url``)
and notifies us; each notification is recorded once, under the provider's id for it (the
idempotency key), so a retried delivery writes nothing. Amounts are whole minor units of the
account's one currency; the balance is what was invoiced, less what was paid, plus refunds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.billing.errors import (
    CurrencyMismatchError,
    DuplicateProviderIdError,
    InvoiceNotFoundError,
    PaymentNotFoundError,
    RefundExceedsPaymentError,
)
from domain.shared.aggregate import LedgerAggregate

BILLING_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/billing-account")


class BillingAccount(LedgerAggregate):
    """A customer's bills and payments in one currency."""

    class Opened(LedgerAggregate.Created):
        """The provider's first notification about the customer; its currency is the
        account's."""

        customer_id: UUID
        currency: str

        def apply(self, account: BillingAccount) -> None:
            account.customer_id = self.customer_id
            account.currency = self.currency
            account.keys = []
            account.invoices = {}
            account.payments = {}
            account.refunds = []

    class InvoiceIssued(LedgerAggregate.Event):
        key: str
        invoice_id: str
        amount_minor: int
        due_at: datetime | None
        payment_url: str | None
        at: datetime

        def apply(self, account: BillingAccount) -> None:
            account.keys.append(self.key)
            account.invoices[self.invoice_id] = self.amount_minor

    class PaymentReceived(LedgerAggregate.Event):
        key: str
        payment_id: str
        invoice_id: str | None
        amount_minor: int
        at: datetime

        def apply(self, account: BillingAccount) -> None:
            account.keys.append(self.key)
            account.payments[self.payment_id] = {"amount": self.amount_minor, "refunded": 0}

    class PaymentFailed(LedgerAggregate.Event):
        """An attempt to pay failed at the provider (nothing moved); ``failure_code`` is the
        provider's reason, e.g. ``card_declined``."""

        key: str
        payment_id: str
        invoice_id: str | None
        amount_minor: int
        failure_code: str
        at: datetime

        def apply(self, account: BillingAccount) -> None:
            account.keys.append(self.key)

    class RefundIssued(LedgerAggregate.Event):
        key: str
        refund_id: str
        payment_id: str
        amount_minor: int
        at: datetime

        def apply(self, account: BillingAccount) -> None:
            account.keys.append(self.key)
            account.refunds.append(self.refund_id)
            account.payments[self.payment_id]["refunded"] += self.amount_minor

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    customer_id: UUID
    currency: str
    keys: list[str]
    """The provider's notification ids already recorded."""
    invoices: dict[str, int]
    payments: dict[str, dict[str, Any]]
    refunds: list[str]

    @staticmethod
    def id_for(customer_id: UUID) -> UUID:
        return uuid5(BILLING_NAMESPACE, str(customer_id))

    @classmethod
    def open(cls, customer_id: UUID, currency: str) -> BillingAccount:
        return cls._create(
            cls.Opened, id=cls.id_for(customer_id), customer_id=customer_id, currency=currency
        )

    def has_recorded(self, key: str) -> bool:
        return key in self.keys

    def issue_invoice(
        self,
        key: str,
        invoice_id: str,
        amount_minor: int,
        currency: str,
        due_at: datetime | None,
        payment_url: str | None,
        at: datetime,
    ) -> None:
        self._check_currency(currency)
        if invoice_id in self.invoices:
            raise DuplicateProviderIdError(f"invoice {invoice_id} was already issued")
        self.trigger_event(
            self.InvoiceIssued,
            key=key,
            invoice_id=invoice_id,
            amount_minor=amount_minor,
            due_at=due_at,
            payment_url=payment_url,
            at=at,
        )

    def receive_payment(
        self,
        key: str,
        payment_id: str,
        invoice_id: str | None,
        amount_minor: int,
        currency: str,
        at: datetime,
    ) -> None:
        self._check_currency(currency)
        self._check_invoice(invoice_id)
        if payment_id in self.payments:
            raise DuplicateProviderIdError(f"payment {payment_id} was already received")
        self.trigger_event(
            self.PaymentReceived,
            key=key,
            payment_id=payment_id,
            invoice_id=invoice_id,
            amount_minor=amount_minor,
            at=at,
        )

    def record_failed_payment(
        self,
        key: str,
        payment_id: str,
        invoice_id: str | None,
        amount_minor: int,
        currency: str,
        failure_code: str,
        at: datetime,
    ) -> None:
        self._check_currency(currency)
        self._check_invoice(invoice_id)
        self.trigger_event(
            self.PaymentFailed,
            key=key,
            payment_id=payment_id,
            invoice_id=invoice_id,
            amount_minor=amount_minor,
            failure_code=failure_code,
            at=at,
        )

    def refund(
        self, key: str, refund_id: str, payment_id: str, amount_minor: int, currency: str,
        at: datetime,
    ) -> None:  # fmt: skip
        self._check_currency(currency)
        payment = self.payments.get(payment_id)
        if payment is None:
            raise PaymentNotFoundError(f"no payment {payment_id} was received", field="paymentId")
        if refund_id in self.refunds:
            raise DuplicateProviderIdError(f"refund {refund_id} was already issued")
        if amount_minor > payment["amount"] - payment["refunded"]:
            raise RefundExceedsPaymentError(
                "a refund may not exceed what is left of the payment", field="amountMinor"
            )
        self.trigger_event(
            self.RefundIssued,
            key=key,
            refund_id=refund_id,
            payment_id=payment_id,
            amount_minor=amount_minor,
            at=at,
        )

    def _check_currency(self, currency: str) -> None:
        if currency != self.currency:
            raise CurrencyMismatchError(
                f"this account bills in {self.currency}, not {currency}", field="currency"
            )

    def _check_invoice(self, invoice_id: str | None) -> None:
        if invoice_id is not None and invoice_id not in self.invoices:
            raise InvoiceNotFoundError(f"no invoice {invoice_id} was issued", field="invoiceId")
