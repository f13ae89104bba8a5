"""The tables of the segment membership read model.

``segment_facts`` holds one row per customer: the inputs of every rule (and their RFM
quintiles); ``segment_memberships`` one row per stay of a customer in a segment, from the event
that moved them in to the one that moved them out. An erased customer's stays lose their id
(they count, anonymously, in past sizes) and their facts row goes."""

DDL = """
    CREATE TABLE IF NOT EXISTS segment_facts (
        customer_id uuid PRIMARY KEY,
        region text,
        birth_year integer,
        language text,
        channels text[] NOT NULL DEFAULT '{}',
        purchases bigint NOT NULL DEFAULT 0,
        last_purchase_at timestamptz,
        nps_category text,
        loyalty_tier text,
        open_tickets bigint NOT NULL DEFAULT 0,
        consents text[] NOT NULL DEFAULT '{}',
        onboarding_steps text[] NOT NULL DEFAULT '{}',
        recency smallint,
        frequency smallint,
        monetary smallint
    );
    CREATE TABLE IF NOT EXISTS segment_spend (
        customer_id uuid NOT NULL,
        currency text NOT NULL,
        purchases bigint NOT NULL,
        amount_minor numeric NOT NULL,
        PRIMARY KEY (customer_id, currency)
    );
    CREATE TABLE IF NOT EXISTS segment_definitions (
        segment_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        name text NOT NULL,
        description text NOT NULL,
        rule jsonb NOT NULL,
        defined_at timestamptz NOT NULL,
        rule_changed_at timestamptz,
        archived_at timestamptz,
        version bigint NOT NULL
    );
    CREATE TABLE IF NOT EXISTS segment_memberships (
        membership_id bigserial PRIMARY KEY,
        segment_id uuid NOT NULL,
        customer_id uuid,
        entered_at timestamptz NOT NULL,
        entered_position bigint NOT NULL,
        entered_reason text NOT NULL,
        left_at timestamptz,
        left_position bigint,
        left_reason text
    );
    CREATE UNIQUE INDEX IF NOT EXISTS segment_memberships_open_idx
        ON segment_memberships (segment_id, customer_id) WHERE left_at IS NULL;
    CREATE INDEX IF NOT EXISTS segment_memberships_current_idx
        ON segment_memberships (segment_id, membership_id) WHERE left_at IS NULL;
    CREATE INDEX IF NOT EXISTS segment_memberships_history_idx
        ON segment_memberships (segment_id, membership_id) INCLUDE (entered_at, left_at);
    CREATE INDEX IF NOT EXISTS segment_memberships_customer_idx
        ON segment_memberships (customer_id);
    CREATE TABLE IF NOT EXISTS segment_ticket_owners (
        ticket_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        open boolean NOT NULL
    );
    CREATE INDEX IF NOT EXISTS segment_ticket_owners_customer_idx
        ON segment_ticket_owners (customer_id) WHERE open;
    CREATE TABLE IF NOT EXISTS segment_loyalty_accounts (
        account_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL
    );
    CREATE TABLE IF NOT EXISTS segment_progress (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        position bigint NOT NULL,
        day date NOT NULL,
        purchases_pending boolean NOT NULL
    );
"""
