-- What the mail sender did with each message of the notification outbox, keyed by the log
-- position of the event that caused it (the outbox's own key). Kept apart from the outbox read
-- model so that a rebuild of the outbox (which replays the log) queues nothing already sent.
-- It never holds an address or a token: last_error is redacted before it is written.
CREATE TABLE IF NOT EXISTS notification_deliveries (
    cause_position bigint PRIMARY KEY,
    status text NOT NULL
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    last_error text,
    sending_since timestamptz,
    sent_at timestamptz,
    updated_at timestamptz NOT NULL
);
-- The sender's question: what is due now (pending, or sending since a crash).
CREATE INDEX IF NOT EXISTS notification_deliveries_due_idx
    ON notification_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
-- The staff's filter by status, newest cause first.
CREATE INDEX IF NOT EXISTS notification_deliveries_status_idx
    ON notification_deliveries (status, cause_position);
