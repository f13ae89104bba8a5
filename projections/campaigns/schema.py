"""The tables of the campaigns read model.

``campaigns`` one row per campaign; ``campaign_recipients`` one row per member decided (queued
or skipped, with the reason), with what followed the message (conversion, unsubscribe, NPS
before and after); ``campaign_audience`` what the sender decides from (marketing consent, email
preference, latest NPS answer). An erased customer's recipient rows lose their id but stay, so
a campaign's figures do not change; their audience row goes. ``campaign_batches`` names the
batches applied, so a batch applied again (after its members were erased) adds no row."""

DDL = """
    CREATE TABLE IF NOT EXISTS campaigns (
        campaign_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        name text NOT NULL,
        segment_id uuid NOT NULL,
        channel text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        conversion_days integer NOT NULL,
        status text NOT NULL,
        drafted_at timestamptz NOT NULL,
        scheduled_at timestamptz,
        launched_at timestamptz,
        cancelled_at timestamptz,
        completed_at timestamptz,
        batches integer NOT NULL DEFAULT 0,
        version bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS campaigns_to_send_idx ON campaigns (status, scheduled_at)
        WHERE status IN ('scheduled', 'sending');
    CREATE TABLE IF NOT EXISTS campaign_recipients (
        recipient_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        campaign_id uuid NOT NULL,
        customer_id uuid,
        status text NOT NULL,
        reason text,
        decided_at timestamptz NOT NULL,
        conversion_deadline timestamptz NOT NULL,
        converted_at timestamptz,
        unsubscribed_at timestamptz,
        nps_before smallint,
        nps_after smallint,
        UNIQUE (campaign_id, customer_id)
    );
    CREATE INDEX IF NOT EXISTS campaign_recipients_page_idx
        ON campaign_recipients (campaign_id, recipient_id);
    CREATE INDEX IF NOT EXISTS campaign_recipients_sent_idx
        ON campaign_recipients (customer_id, decided_at) WHERE status = 'queued';
    CREATE TABLE IF NOT EXISTS campaign_batches (
        campaign_id uuid NOT NULL,
        batch integer NOT NULL,
        PRIMARY KEY (campaign_id, batch)
    );
    CREATE TABLE IF NOT EXISTS campaign_audience (
        customer_id uuid PRIMARY KEY,
        marketing boolean NOT NULL DEFAULT false,
        email boolean NOT NULL DEFAULT false,
        last_nps smallint
    );
"""
