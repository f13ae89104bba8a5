"""The exclusive events read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.
``guest_name`` is personal (the member's name as they RSVP'd); an erasure sets it to NULL and
keeps the seat, so counts stay right. Capacities and points take every value the domain
accepts (integers up to 100,000 and 1,000,000).
"""

DDL = """
    CREATE TABLE IF NOT EXISTS exclusive_events (
        event_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        title text NOT NULL,
        description text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        place text NOT NULL,
        capacity integer NOT NULL,
        invited_tiers text[] NOT NULL,
        points_for_attending integer NOT NULL,
        seats_taken integer NOT NULL DEFAULT 0,
        attended integer NOT NULL DEFAULT 0,
        cancelled_at timestamptz,
        cancel_reason text
    );
    CREATE INDEX IF NOT EXISTS exclusive_events_upcoming_idx
        ON exclusive_events (ends_at) WHERE cancelled_at IS NULL;
    CREATE INDEX IF NOT EXISTS exclusive_events_by_start_idx
        ON exclusive_events (starts_at, seq) WHERE cancelled_at IS NULL;

    CREATE TABLE IF NOT EXISTS exclusive_event_rsvps (
        event_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        seq bigint NOT NULL,
        guest_name text,
        tier text NOT NULL,
        rsvp_at timestamptz NOT NULL,
        attended_at timestamptz,
        points_awarded integer NOT NULL DEFAULT 0,
        PRIMARY KEY (event_id, customer_id)
    );
    CREATE INDEX IF NOT EXISTS exclusive_event_rsvps_seq_idx
        ON exclusive_event_rsvps (event_id, seq);
    CREATE INDEX IF NOT EXISTS exclusive_event_rsvps_customer_idx
        ON exclusive_event_rsvps (customer_id);
"""

TABLES = ("exclusive_events", "exclusive_event_rsvps")
