"""Billing from the payment provider's notifications, given-when-then, in memory: each
notification recorded once, amounts in minor units of one currency, refusals write nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from domain.billing.commands import RecordPaymentNotification
from domain.billing.errors import (
    CurrencyMismatchError,
    DuplicateProviderIdError,
    InvoiceNotFoundError,
    RefundExceedsPaymentError,
)
from domain.billing.model import BillingAccount
from domain.billing.values import NotificationKind
from domain.customer.commands import RegisterCustomer
from domain.customer.errors import CustomerNotFoundError
from domain.ledger import Ledger
from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.events import events_of

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
PROVIDER = EventMetadata.system("payment-webhook")
URL = "https://pay.example.com/i/inv_1"


def customer(ledger: Ledger) -> UUID:
    return ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT).aggregate_id


def note(
    ledger: Ledger,
    customer_id: UUID,
    key: str,
    kind: NotificationKind,
    *,
    currency: str = "EUR",
    amount_minor: int = 1999,
    invoice_id: str | None = None,
    payment_id: str | None = None,
    refund_id: str | None = None,
    payment_url: str | None = None,
) -> bool:
    """Record a notification; True if it was a duplicate."""
    command = RecordPaymentNotification(
        key=key,
        kind=kind,
        customer_id=customer_id,
        currency=currency,
        amount_minor=amount_minor,
        invoice_id=invoice_id,
        payment_id=payment_id,
        refund_id=refund_id,
        payment_url=payment_url,
    )
    return ledger.record_payment_notification(command, PROVIDER).duplicate


def test_a_retried_notification_writes_nothing(ledger: Ledger) -> None:
    """The same notification id twice: one InvoiceIssued, the second answered as duplicate."""
    ada = customer(ledger)
    inv = NotificationKind.INVOICE_ISSUED
    assert note(ledger, ada, "evt_1", inv, invoice_id="inv_1", payment_url=URL) is False
    assert note(ledger, ada, "evt_1", inv, invoice_id="inv_1", payment_url=URL) is True
    assert len(events_of(ledger, BillingAccount.id_for(ada), BillingAccount.InvoiceIssued)) == 1


def test_payments_and_refunds_are_recorded_against_invoices(ledger: Ledger) -> None:
    """Invoice 19.99, paid 19.99, refunded 5.00: each an event of the account."""
    ada = customer(ledger)
    note(ledger, ada, "evt_1", NotificationKind.INVOICE_ISSUED, invoice_id="inv_1")
    note(ledger, ada, "evt_2", NotificationKind.PAYMENT_RECEIVED, invoice_id="inv_1",
         payment_id="pay_1")  # fmt: skip
    note(ledger, ada, "evt_3", NotificationKind.REFUND_ISSUED, payment_id="pay_1",
         refund_id="re_1", amount_minor=500)  # fmt: skip
    account = ledger.get_billing_account(ada)
    assert account.payments["pay_1"] == {"amount": 1999, "refunded": 500}


def test_a_refund_beyond_the_payment_is_refused(ledger: Ledger) -> None:
    """Refunding more than is left of a payment is REFUND_EXCEEDS_PAYMENT."""
    ada = customer(ledger)
    note(ledger, ada, "evt_2", NotificationKind.PAYMENT_RECEIVED, payment_id="pay_1")
    with pytest.raises(RefundExceedsPaymentError):
        note(ledger, ada, "evt_3", NotificationKind.REFUND_ISSUED, payment_id="pay_1",
             refund_id="re_1", amount_minor=2000)  # fmt: skip


def test_another_currency_is_refused(ledger: Ledger) -> None:
    """An account opened in EUR refuses a USD invoice with CURRENCY_MISMATCH."""
    ada = customer(ledger)
    note(ledger, ada, "evt_1", NotificationKind.INVOICE_ISSUED, invoice_id="inv_1")
    with pytest.raises(CurrencyMismatchError):
        note(ledger, ada, "evt_2", NotificationKind.INVOICE_ISSUED, invoice_id="inv_2",
             currency="USD")  # fmt: skip


def test_a_payment_for_an_unknown_invoice_is_refused(ledger: Ledger) -> None:
    """A payment naming an invoice never issued is INVOICE_NOT_FOUND."""
    ada = customer(ledger)
    note(ledger, ada, "evt_1", NotificationKind.INVOICE_ISSUED, invoice_id="inv_1")
    with pytest.raises(InvoiceNotFoundError):
        note(ledger, ada, "evt_2", NotificationKind.PAYMENT_RECEIVED, invoice_id="inv_9",
             payment_id="pay_1")  # fmt: skip


def test_an_invoice_id_issued_twice_under_another_key_is_refused(ledger: Ledger) -> None:
    """Two notifications issuing the same invoice id: the second is DUPLICATE_PROVIDER_ID."""
    ada = customer(ledger)
    note(ledger, ada, "evt_1", NotificationKind.INVOICE_ISSUED, invoice_id="inv_1")
    with pytest.raises(DuplicateProviderIdError):
        note(ledger, ada, "evt_2", NotificationKind.INVOICE_ISSUED, invoice_id="inv_1")


def test_an_unknown_customer_is_refused(ledger: Ledger) -> None:
    """A notification for a customer the product does not know is CUSTOMER_NOT_FOUND."""
    with pytest.raises(CustomerNotFoundError):
        note(ledger, UUID(int=7), "evt_1", NotificationKind.INVOICE_ISSUED, invoice_id="inv_1")


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"amount_minor": 0}, "amountMinor"),
        ({"amount_minor": 10**12 + 1}, "amountMinor"),
        ({"currency": "XXX"}, "currency"),
        ({"payment_url": "http://pay.example.com/x"}, "paymentUrl"),
        ({"payment_url": "https://user:pw@pay.example.com/x"}, "paymentUrl"),
        ({"payment_url": "https://[::1/x"}, "paymentUrl"),
        ({"invoice_id": "inv 1"}, "invoiceId"),
        ({"invoice_id": None}, "invoiceId"),
    ],
)
def test_hostile_values_are_refused_and_nothing_is_written(
    ledger: Ledger, given: dict[str, Any], field: str
) -> None:
    """Each bound refuses with INVALID_INPUT naming its field, and the account stays unopened."""
    ada = customer(ledger)
    values: dict[str, Any] = {"invoice_id": "inv_1", "payment_url": URL, **given}
    with pytest.raises(ValidationError) as refused:
        note(ledger, ada, "evt_1", NotificationKind.INVOICE_ISSUED, **values)
    assert refused.value.field == field
    assert ledger.find(BillingAccount.id_for(ada)) is None
