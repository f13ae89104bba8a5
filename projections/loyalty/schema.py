"""The loyalty read model's tables.

Unqualified names and IF NOT EXISTS throughout: `rebuild` runs this in a shadow schema. Every
``seq`` is the log position of the event that wrote the row. Times are the events' business
times (``at``), so a statement as of a date answers from these rows alone:

- ``loyalty_transactions``: one row per event that changes the points an account holds
  (earned, redeemed, redemption_reversed, clawed_back, expired, adjusted), ``points`` signed.
  The sum of ``points`` up to a time is what the account held then (pending + spendable +
  points past expiry that the expiry job has not yet taken).
- ``loyalty_lot_moves``: the same movements per lot (an earning is the lot's first, positive
  move), so a lot's remaining points at any time is the sum of its moves up to that time; with
  ``loyalty_lots.available_at`` and ``expires_at`` that splits a past balance into spendable
  and pending exactly as the aggregate does.
- ``loyalty_lots.remaining`` is the current remainder (what the expiry job and the liability
  metric read).

Guards that make applying an event twice a no-op: a points-moving event inserts its
``loyalty_transactions`` row first and changes counters only if that insert happened; a tier
change likewise through ``loyalty_tier_changes``; ``loyalty_rewards.version`` is the reward
stream's version, ``loyalty_program_terms.seq`` and ``loyalty_customers.orders_seq`` the log
position last applied to the row.

Points, stock, counters and versions are ``bigint``: one order earns up to
``MAX_ORDER_POINTS`` (10^12), and sums of them must not overflow where one value fits.
"""

TABLES = (
    "loyalty_accounts",
    "loyalty_lots",
    "loyalty_lot_moves",
    "loyalty_transactions",
    "loyalty_tier_changes",
    "loyalty_rewards",
    "loyalty_earning_rules",
    "loyalty_program_terms",
    "loyalty_customers",
)

DDL = """
    CREATE TABLE IF NOT EXISTS loyalty_accounts (
        customer_id uuid PRIMARY KEY,
        account_id uuid NOT NULL UNIQUE,
        seq bigint NOT NULL UNIQUE,
        enrolled_at timestamptz NOT NULL,
        tier text NOT NULL,
        tier_since timestamptz NOT NULL,
        last_activity_at timestamptz NOT NULL,
        points_earned bigint NOT NULL DEFAULT 0,
        points_redeemed bigint NOT NULL DEFAULT 0,
        points_expired bigint NOT NULL DEFAULT 0,
        redemptions bigint NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS loyalty_accounts_tier_idx ON loyalty_accounts (tier)
        WHERE tier <> 'bronze';

    CREATE TABLE IF NOT EXISTS loyalty_lots (
        lot_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        seq bigint NOT NULL,
        points bigint NOT NULL,
        remaining bigint NOT NULL,
        clawed bigint NOT NULL DEFAULT 0,
        qualifying boolean NOT NULL,
        earned_at timestamptz NOT NULL,
        available_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS loyalty_lots_customer_idx
        ON loyalty_lots (customer_id, expires_at);
    CREATE INDEX IF NOT EXISTS loyalty_lots_due_idx
        ON loyalty_lots (expires_at) WHERE remaining > 0;

    CREATE TABLE IF NOT EXISTS loyalty_lot_moves (
        seq bigint NOT NULL,
        lot_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        at timestamptz NOT NULL,
        points bigint NOT NULL,
        PRIMARY KEY (seq, lot_id)
    );
    CREATE INDEX IF NOT EXISTS loyalty_lot_moves_customer_idx
        ON loyalty_lot_moves (customer_id, at);

    CREATE TABLE IF NOT EXISTS loyalty_transactions (
        seq bigint PRIMARY KEY,
        customer_id uuid NOT NULL,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        points bigint NOT NULL,
        order_id text,
        reward_id uuid,
        redemption_id uuid,
        rule_ids text[] NOT NULL DEFAULT '{}',
        award text,
        reason text,
        unrecovered bigint NOT NULL DEFAULT 0,
        actor_id text NOT NULL,
        actor_role text NOT NULL,
        channel text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS loyalty_transactions_customer_idx
        ON loyalty_transactions (customer_id, seq);
    CREATE INDEX IF NOT EXISTS loyalty_transactions_kind_idx
        ON loyalty_transactions (kind, at);

    CREATE TABLE IF NOT EXISTS loyalty_tier_changes (
        seq bigint PRIMARY KEY,
        customer_id uuid NOT NULL,
        at timestamptz NOT NULL,
        from_tier text NOT NULL,
        to_tier text NOT NULL,
        qualifying_points bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS loyalty_tier_changes_customer_idx
        ON loyalty_tier_changes (customer_id, seq);

    CREATE TABLE IF NOT EXISTS loyalty_rewards (
        reward_id uuid PRIMARY KEY,
        seq bigint NOT NULL UNIQUE,
        name text NOT NULL,
        description text NOT NULL,
        kind text NOT NULL,
        cost_points bigint NOT NULL,
        stock bigint,
        min_tier text,
        retired boolean NOT NULL DEFAULT false,
        added_at timestamptz NOT NULL,
        redemptions bigint NOT NULL DEFAULT 0,
        version bigint NOT NULL DEFAULT 0
    );

    CREATE TABLE IF NOT EXISTS loyalty_earning_rules (
        rule_id uuid PRIMARY KEY,
        seq bigint NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        definition jsonb NOT NULL,
        defined_at timestamptz NOT NULL,
        retired_at timestamptz
    );

    CREATE TABLE IF NOT EXISTS loyalty_program_terms (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        points_lifetime_days integer NOT NULL,
        return_window_days integer NOT NULL,
        changed_at timestamptz NOT NULL,
        seq bigint NOT NULL DEFAULT 0
    );

    CREATE TABLE IF NOT EXISTS loyalty_customers (
        customer_id uuid PRIMARY KEY,
        registered_at timestamptz NOT NULL,
        orders bigint NOT NULL DEFAULT 0,
        first_order_at timestamptz,
        last_order_at timestamptz,
        orders_seq bigint NOT NULL DEFAULT 0
    );
"""
