"""The order tracking read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema. The
tracking number is the customer's personal data: an erasure sets it to NULL in both tables;
the steps, their times and the carrier stay. ``last_seq``: the last event applied to the row,
so an event applied twice changes nothing.
"""

DDL = """
    CREATE TABLE IF NOT EXISTS tracked_orders (
        order_id text PRIMARY KEY,
        stream_id uuid NOT NULL UNIQUE,
        customer_id uuid NOT NULL,
        status text NOT NULL,
        lines jsonb NOT NULL,
        carrier text,
        tracking_number text,
        estimated_delivery timestamptz,
        placed_at timestamptz NOT NULL,
        last_seq bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS tracked_orders_customer_idx ON tracked_orders (customer_id);

    CREATE TABLE IF NOT EXISTS tracked_order_steps (
        seq bigint PRIMARY KEY,
        order_id text NOT NULL,
        step text NOT NULL,
        at timestamptz NOT NULL,
        carrier text,
        tracking_number text
    );
    CREATE INDEX IF NOT EXISTS tracked_order_steps_order_idx
        ON tracked_order_steps (order_id, seq);
"""

TABLES = ("tracked_orders", "tracked_order_steps")
