"""Typed reads of the billing read model."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, sql
from psycopg.rows import class_row

from projections.billing.views import BillingAccountView, InvoiceView, PaymentView
from projections.paging import SeqPage, seq_page

_INVOICES = sql.SQL(
    "SELECT * FROM billing_invoices WHERE customer_id = %(customer)s AND {seq_bound}"
    " ORDER BY {order} LIMIT %(limit)s"
)
_PAYMENTS = sql.SQL(
    "SELECT * FROM billing_payments WHERE customer_id = %(customer)s AND {seq_bound}"
    " ORDER BY {order} LIMIT %(limit)s"
)


async def account_view(conn: AsyncConnection[Any], customer_id: UUID) -> BillingAccountView | None:
    async with conn.cursor(row_factory=class_row(BillingAccountView)) as cur:
        await cur.execute("SELECT * FROM billing_accounts WHERE customer_id = %s", (customer_id,))
        return await cur.fetchone()


async def invoices_of(
    conn: AsyncConnection[Any], customer_id: UUID, size: int, cursor: int | None, *, backward: bool
) -> SeqPage[InvoiceView]:
    """The customer's invoices, oldest first."""
    params = {"customer": customer_id}
    return await seq_page(conn, InvoiceView, _INVOICES, params, size, cursor, backward=backward)


async def payments_of(
    conn: AsyncConnection[Any], customer_id: UUID, size: int, cursor: int | None, *, backward: bool
) -> SeqPage[PaymentView]:
    """The customer's payments (received and failed), oldest first."""
    params = {"customer": customer_id}
    return await seq_page(conn, PaymentView, _PAYMENTS, params, size, cursor, backward=backward)
