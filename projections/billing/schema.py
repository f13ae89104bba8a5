"""The billing read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.
Amounts are whole minor units in bigint (the domain accepts up to 10^12 per notification; a
sum of many stays far inside bigint). Nothing here is a personal value: ids, amounts, times
and the provider's payment page, as in the purchase records, which bookkeeping keeps.
"""

DDL = """
    CREATE TABLE IF NOT EXISTS billing_accounts (
        customer_id uuid PRIMARY KEY,
        account_id uuid NOT NULL UNIQUE,
        currency text NOT NULL,
        invoiced_minor bigint NOT NULL DEFAULT 0,
        paid_minor bigint NOT NULL DEFAULT 0,
        refunded_minor bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL
    );

    CREATE TABLE IF NOT EXISTS billing_invoices (
        customer_id uuid NOT NULL,
        invoice_id text NOT NULL,
        seq bigint NOT NULL UNIQUE,
        amount_minor bigint NOT NULL,
        paid_minor bigint NOT NULL DEFAULT 0,
        currency text NOT NULL,
        due_at timestamptz,
        payment_url text,
        issued_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, invoice_id)
    );
    CREATE INDEX IF NOT EXISTS billing_invoices_seq_idx ON billing_invoices (customer_id, seq);

    CREATE TABLE IF NOT EXISTS billing_payments (
        customer_id uuid NOT NULL,
        seq bigint PRIMARY KEY,
        payment_id text NOT NULL,
        invoice_id text,
        status text NOT NULL,
        amount_minor bigint NOT NULL,
        refunded_minor bigint NOT NULL DEFAULT 0,
        currency text NOT NULL,
        failure_code text,
        at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS billing_payments_customer_idx ON billing_payments (customer_id, seq);

    CREATE TABLE IF NOT EXISTS billing_refunds (
        seq bigint PRIMARY KEY,
        customer_id uuid NOT NULL,
        refund_id text NOT NULL,
        payment_id text NOT NULL,
        amount_minor bigint NOT NULL,
        at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS billing_refunds_customer_idx ON billing_refunds (customer_id);
"""

TABLES = ("billing_accounts", "billing_invoices", "billing_payments", "billing_refunds")
