"""The customer read model's tables and the indexes behind every filter of its queries.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.
"""

DDL = """
    CREATE TABLE IF NOT EXISTS customer_directory (
        customer_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        name text,
        email text,
        phone text,
        region text,
        personal_data_erased boolean NOT NULL DEFAULT false,
        registered_at timestamptz NOT NULL,
        registered_by_role text NOT NULL,
        registered_through text NOT NULL,
        version bigint NOT NULL,
        address jsonb,
        language text,
        birth_year integer,
        first_purchase_at timestamptz,
        last_purchase_at timestamptz,
        purchase_count bigint NOT NULL DEFAULT 0,
        channels text[] NOT NULL DEFAULT '{}',
        onboarding_steps integer NOT NULL DEFAULT 0,
        onboarding_state text NOT NULL DEFAULT 'not_started',
        erased_at timestamptz
    );
    -- Tables made before erasure existed get the column too (migrate runs this every time).
    ALTER TABLE customer_directory ADD COLUMN IF NOT EXISTS erased_at timestamptz;
    CREATE INDEX IF NOT EXISTS customer_directory_region_idx
        ON customer_directory (region, seq);
    CREATE INDEX IF NOT EXISTS customer_directory_channels_idx
        ON customer_directory USING gin (channels);
    CREATE INDEX IF NOT EXISTS customer_directory_last_purchase_idx
        ON customer_directory (last_purchase_at);
    CREATE INDEX IF NOT EXISTS customer_directory_onboarding_idx
        ON customer_directory (onboarding_state, seq);
    CREATE INDEX IF NOT EXISTS customer_directory_name_prefix_idx
        ON customer_directory (lower(name) text_pattern_ops);
    CREATE INDEX IF NOT EXISTS customer_directory_email_prefix_idx
        ON customer_directory (lower(email) text_pattern_ops);

    CREATE TABLE IF NOT EXISTS customer_contact_preferences (
        customer_id uuid NOT NULL,
        channel text NOT NULL,
        opted_in boolean NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, channel)
    );

    CREATE TABLE IF NOT EXISTS customer_consents (
        customer_id uuid NOT NULL,
        purpose text NOT NULL,
        given boolean NOT NULL,
        decision text NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, purpose)
    );

    CREATE TABLE IF NOT EXISTS customer_consent_history (
        position bigint PRIMARY KEY,
        customer_id uuid NOT NULL,
        purpose text NOT NULL,
        given boolean NOT NULL,
        decision text NOT NULL,
        changed_at timestamptz NOT NULL,
        actor_id text NOT NULL,
        actor_role text NOT NULL,
        channel text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS customer_consent_history_customer_idx
        ON customer_consent_history (customer_id, position);

    CREATE TABLE IF NOT EXISTS customer_onboarding_steps (
        customer_id uuid NOT NULL,
        step text NOT NULL,
        completed_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, step)
    );

    CREATE TABLE IF NOT EXISTS customer_purchases (
        purchase_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        order_id text NOT NULL,
        amount_minor bigint NOT NULL,
        refunded_minor bigint NOT NULL DEFAULT 0,
        currency text NOT NULL,
        channel text NOT NULL,
        purchased_at timestamptz NOT NULL,
        version bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS customer_purchases_customer_idx
        ON customer_purchases (customer_id, purchased_at);
"""
