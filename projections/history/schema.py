"""Tables of the customer history index (unqualified names: rebuild makes them in a shadow
schema, then swaps).

Rows are keyed by (customer, log position) and by (stream, customer), and are only ever
inserted with ON CONFLICT DO NOTHING: applying an event twice changes nothing.
"""

from __future__ import annotations

TABLES = ("customer_history", "customer_history_streams")

DDL = """
    -- One row per event about a customer; an event about two customers (a referral) has two.
    -- The primary key is the index a history page reads: one customer, in log order.
    CREATE TABLE IF NOT EXISTS customer_history (
        customer_id uuid NOT NULL,
        position bigint NOT NULL,
        stream_id uuid NOT NULL,
        stream_version bigint NOT NULL,
        topic text NOT NULL,
        event_type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor_id text NOT NULL,
        actor_role text NOT NULL,
        channel text NOT NULL,
        correlation_id uuid NOT NULL,
        causation_id uuid NOT NULL,
        PRIMARY KEY (customer_id, position)
    );

    -- The streams about each customer, from the event that created them: later events of a
    -- stream (Ticket.Resolved, Purchase.Refunded) do not repeat the customer's id.
    CREATE TABLE IF NOT EXISTS customer_history_streams (
        stream_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        kind text NOT NULL,
        first_position bigint NOT NULL,
        PRIMARY KEY (stream_id, customer_id)
    );
    CREATE INDEX IF NOT EXISTS customer_history_streams_customer_idx
        ON customer_history_streams (customer_id, first_position);
"""
