"""Events -> the billing read model.

Every row is keyed by its log position (ON CONFLICT DO NOTHING) and every sum is recounted
from those rows after each event, so applying an event a second time leaves the same rows.
"""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.billing.model import BillingAccount
from projections.base import Projection, handles
from projections.billing.schema import DDL, TABLES

_RECOUNT = (
    """
    UPDATE billing_payments p SET refunded_minor = COALESCE((SELECT sum(r.amount_minor)
        FROM billing_refunds r WHERE r.customer_id = p.customer_id
        AND r.payment_id = p.payment_id), 0)
    WHERE p.customer_id = %(customer)s AND p.status = 'received'
    """,
    """
    UPDATE billing_invoices i SET paid_minor = COALESCE((SELECT sum(p.amount_minor)
        FROM billing_payments p WHERE p.customer_id = i.customer_id
        AND p.invoice_id = i.invoice_id AND p.status = 'received'), 0)
    WHERE i.customer_id = %(customer)s
    """,
    """
    UPDATE billing_accounts a SET
        invoiced_minor = COALESCE((SELECT sum(amount_minor) FROM billing_invoices
            WHERE customer_id = a.customer_id), 0),
        paid_minor = COALESCE((SELECT sum(amount_minor) FROM billing_payments
            WHERE customer_id = a.customer_id AND status = 'received'), 0),
        refunded_minor = COALESCE((SELECT sum(amount_minor) FROM billing_refunds
            WHERE customer_id = a.customer_id), 0),
        updated_at = GREATEST(a.updated_at, %(at)s)
    WHERE a.customer_id = %(customer)s
    """,
)


class BillingStatements(Projection):
    """Each customer's balance, invoices and payments as the provider reported them."""

    name = "billing"
    reads_personal_data = False
    tables = TABLES
    ddl = DDL

    @handles(BillingAccount.Opened)
    def opened(self, cursor: Cursor[Any], event: BillingAccount.Opened, _: int) -> None:
        cursor.execute(
            "INSERT INTO billing_accounts (customer_id, account_id, currency, updated_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (customer_id) DO NOTHING",
            (event.customer_id, event.originator_id, event.currency, event.timestamp),
        )

    @handles(BillingAccount.InvoiceIssued)
    def invoice_issued(
        self, cursor: Cursor[Any], event: BillingAccount.InvoiceIssued, seq: int
    ) -> None:
        customer, currency = _account(cursor, event)
        cursor.execute(
            "INSERT INTO billing_invoices (customer_id, invoice_id, seq, amount_minor, currency,"
            " due_at, payment_url, issued_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (customer, event.invoice_id, seq, event.amount_minor, currency, event.due_at,
             event.payment_url, event.at),
        )  # fmt: skip
        _recount(cursor, customer, event)

    @handles(BillingAccount.PaymentReceived)
    def payment_received(
        self, cursor: Cursor[Any], event: BillingAccount.PaymentReceived, seq: int
    ) -> None:
        customer, currency = _account(cursor, event)
        _payment(cursor, customer, currency, seq, event, "received", None)
        _recount(cursor, customer, event)

    @handles(BillingAccount.PaymentFailed)
    def payment_failed(
        self, cursor: Cursor[Any], event: BillingAccount.PaymentFailed, seq: int
    ) -> None:
        customer, currency = _account(cursor, event)
        _payment(cursor, customer, currency, seq, event, "failed", event.failure_code)
        _recount(cursor, customer, event)

    @handles(BillingAccount.RefundIssued)
    def refund_issued(
        self, cursor: Cursor[Any], event: BillingAccount.RefundIssued, seq: int
    ) -> None:
        customer, _currency = _account(cursor, event)
        cursor.execute(
            "INSERT INTO billing_refunds (seq, customer_id, refund_id, payment_id, amount_minor,"
            " at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (seq, customer, event.refund_id, event.payment_id, event.amount_minor, event.at),
        )
        _recount(cursor, customer, event)


def _payment(
    cursor: Cursor[Any],
    customer: Any,
    currency: str,
    seq: int,
    event: BillingAccount.PaymentReceived | BillingAccount.PaymentFailed,
    status: str,
    failure_code: str | None,
) -> None:
    cursor.execute(
        "INSERT INTO billing_payments (customer_id, seq, payment_id, invoice_id, status,"
        " amount_minor, currency, failure_code, at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
        " %s) ON CONFLICT (seq) DO NOTHING",
        (customer, seq, event.payment_id, event.invoice_id, status, event.amount_minor,
         currency, failure_code, event.at),
    )  # fmt: skip


def _recount(cursor: Cursor[Any], customer: Any, event: BillingAccount.Event) -> None:
    for statement in _RECOUNT:
        cursor.execute(statement, {"customer": customer, "at": event.timestamp})


def _account(cursor: Cursor[Any], event: BillingAccount.Event) -> tuple[Any, str]:
    """The customer and currency of the account the event is on (only ``Opened`` names the
    customer; the later events name the account's stream)."""
    row = cursor.execute(
        "SELECT customer_id, currency FROM billing_accounts WHERE account_id = %s",
        (event.originator_id,),
    ).fetchone()
    if row is None:
        raise LookupError(f"billing account {event.originator_id} was never opened")
    return row[0], str(row[1])
