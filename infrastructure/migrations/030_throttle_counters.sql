-- Throttles shared by every API replica (infrastructure/throttles.py): failed log-ins per
-- (email, address) pair, per email, per address and in all; wrong current passwords per
-- customer; password-reset messages per email. Keys are keyed hashes (HMAC with a key derived
-- from the master key) of emails and addresses, never the clear values. A row lives for one
-- window; expired rows are purged as attempts go by.
CREATE TABLE IF NOT EXISTS cxl_throttle_counters (
    scope text NOT NULL,
    key text NOT NULL,
    hits integer NOT NULL CHECK (hits >= 0),
    window_ends_at timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS cxl_throttle_counters_window_ends_at
    ON cxl_throttle_counters (window_ends_at);
-- The per-email log-in throttle of 002 is replaced by the counters above.
DROP TABLE IF EXISTS cxl_login_throttle;
