"""Recording a payment provider's notification, and the queries other slices ask.

A notification is recorded once: its key (the provider's id for the notification) is kept on
the account, and a retried delivery finds it there and writes nothing. Every check that can
refuse runs before anything is written, so a refused notification leaves the log as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.billing.errors import BillingAccountNotFoundError
from domain.billing.model import BillingAccount
from domain.billing.values import (
    NotificationKind,
    check_amount_minor,
    check_billing_currency,
    check_failure_code,
    check_payment_url,
    check_provider_id,
)
from domain.customer.commands import customer_of
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ValidationError
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.retry import retrying


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording a notification did: the account's result, and whether the key had been
    recorded before (then nothing was written)."""

    result: CommandResult
    duplicate: bool

    @property
    def position(self) -> int:
        return self.result.position


@dataclass(frozen=True, slots=True)
class RecordPaymentNotification(Command[Recorded]):
    """One notification of the provider, as its webhook delivered it."""

    key: str
    kind: NotificationKind
    customer_id: UUID
    currency: str
    amount_minor: int
    invoice_id: str | None = None
    payment_id: str | None = None
    refund_id: str | None = None
    due_at: datetime | None = None
    payment_url: str | None = None
    failure_code: str | None = None
    occurred_at: datetime | None = None


def record_payment_notification(
    ledger: LedgerCore, command: RecordPaymentNotification, metadata: EventMetadata
) -> Recorded:
    key = check_provider_id(command.key, "id")
    currency = check_billing_currency(command.currency)
    amount = check_amount_minor(command.amount_minor)
    at = command.occurred_at or datetime.now(UTC)
    if at.tzinfo is None:
        raise ValidationError("occurredAt needs a time zone", field="occurredAt")
    customer_of(ledger, command.customer_id)  # CUSTOMER_NOT_FOUND for an unknown customer

    def attempt() -> Recorded:
        account = ledger.find(
            BillingAccount.id_for(command.customer_id), BillingAccount, _no_account
        )
        if account is not None and account.has_recorded(key):
            return Recorded(
                CommandResult(account.id, account.version, ledger.head_position()), True
            )
        with acting_as(metadata):
            if account is None:
                account = BillingAccount.open(command.customer_id, currency)
            _apply(account, command, key, currency, amount, at)
        position = ledger.commit(account)
        return Recorded(CommandResult(account.id, account.version, position), False)

    return retrying(attempt)


def _apply(
    account: BillingAccount,
    command: RecordPaymentNotification,
    key: str,
    currency: str,
    amount: int,
    at: datetime,
) -> None:
    invoice = _optional_id(command.invoice_id, "invoiceId")
    if command.kind is NotificationKind.INVOICE_ISSUED:
        url = None if command.payment_url is None else check_payment_url(command.payment_url)
        due = command.due_at
        if due is not None and due.tzinfo is None:
            raise ValidationError("dueAt needs a time zone", field="dueAt")
        account.issue_invoice(key, _required(invoice, "invoiceId"), amount, currency, due, url, at)
    elif command.kind is NotificationKind.PAYMENT_RECEIVED:
        payment = _required(_optional_id(command.payment_id, "paymentId"), "paymentId")
        account.receive_payment(key, payment, invoice, amount, currency, at)
    elif command.kind is NotificationKind.PAYMENT_FAILED:
        payment = _required(_optional_id(command.payment_id, "paymentId"), "paymentId")
        code = check_failure_code(command.failure_code or "unknown")
        account.record_failed_payment(key, payment, invoice, amount, currency, code, at)
    else:
        payment = _required(_optional_id(command.payment_id, "paymentId"), "paymentId")
        refund = _required(_optional_id(command.refund_id, "refundId"), "refundId")
        account.refund(key, refund, payment, amount, currency, at)


def _optional_id(value: str | None, field: str) -> str | None:
    return None if value is None else check_provider_id(value, field)


def _required(value: str | None, field: str) -> str:
    if value is None:
        raise ValidationError(f"{field} is required for this kind", field=field)
    return value


def billing_account_of(ledger: LedgerCore, customer_id: UUID) -> BillingAccount:
    return ledger.load(BillingAccount.id_for(customer_id), BillingAccount, _no_account)


def _no_account() -> BillingAccountNotFoundError:
    return BillingAccountNotFoundError("the provider has billed this customer nothing yet")
