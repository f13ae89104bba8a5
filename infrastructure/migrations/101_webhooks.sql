-- Outgoing webhooks: endpoints an admin registered for kinds of notification, and what was
-- posted to each, keyed by endpoint and the cause's log position (like notification_deliveries,
-- apart from the outbox read model, so a rebuilt outbox posts nothing twice). The secret signs
-- each body (HMAC-SHA256); bodies never hold an address or a token.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    id bigserial PRIMARY KEY,
    url text NOT NULL,
    kinds text[] NOT NULL,
    secret text NOT NULL,
    registered_by text NOT NULL,
    created_at timestamptz NOT NULL,
    -- The outbox's positions taken in so far: each run reads only what came after.
    taken_up_to bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    endpoint_id bigint NOT NULL REFERENCES webhook_endpoints (id),
    cause_position bigint NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    last_error text,
    sent_at timestamptz,
    PRIMARY KEY (endpoint_id, cause_position)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due_idx
    ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
