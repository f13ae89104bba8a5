"""The customer health read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema.
Nothing here is personal: ids, scores, counts and dates. ``health_customers`` keeps the inputs
of the score and ``static_points``, the weighted points of every component but recency (see
:mod:`domain.success.health`), so that the at-risk list adds recency from
``last_purchase_at`` when it is read. ``health_interactions`` holds the customer's own
interactions that count towards engagement besides survey answers, one row per event that
recorded one (keyed by it); ``health_owners`` tells which customer a referrer's or loyalty
account's stream belongs to, since their invitations and redemptions name only the stream.
"""

DDL = """
    CREATE TABLE IF NOT EXISTS health_customers (
        customer_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        last_purchase_at timestamptz,
        latest_nps smallint,
        previous_nps smallint,
        open_tickets integer NOT NULL DEFAULT 0,
        breached_tickets integer NOT NULL DEFAULT 0,
        complaints integer NOT NULL DEFAULT 0,
        survey_answers integer NOT NULL DEFAULT 0,
        reviews integer NOT NULL DEFAULT 0,
        feedback integer NOT NULL DEFAULT 0,
        friends_invited integer NOT NULL DEFAULT 0,
        redemptions integer NOT NULL DEFAULT 0,
        static_points integer NOT NULL
    );
    CREATE INDEX IF NOT EXISTS health_customers_points_idx
        ON health_customers (static_points, seq);

    CREATE TABLE IF NOT EXISTS health_tickets (
        ticket_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        open boolean NOT NULL,
        breached boolean NOT NULL DEFAULT false
    );
    CREATE INDEX IF NOT EXISTS health_tickets_customer_idx ON health_tickets (customer_id);

    CREATE TABLE IF NOT EXISTS health_answers (
        response_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        position bigint NOT NULL,
        nps smallint,
        complaint boolean NOT NULL
    );
    CREATE INDEX IF NOT EXISTS health_answers_customer_idx
        ON health_answers (customer_id, position);

    CREATE TABLE IF NOT EXISTS health_interactions (
        event_key uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        kind text NOT NULL,
        position bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS health_interactions_customer_idx
        ON health_interactions (customer_id, kind);

    CREATE TABLE IF NOT EXISTS health_owners (
        stream_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL
    );
    CREATE INDEX IF NOT EXISTS health_owners_customer_idx ON health_owners (customer_id);
"""

TABLES = (
    "health_customers",
    "health_tickets",
    "health_answers",
    "health_interactions",
    "health_owners",
)
