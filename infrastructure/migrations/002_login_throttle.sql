-- Failed customer log-ins per email, shared by every API replica (infrastructure/login.py).
-- The key is the email's keyed hash (HMAC with a key derived from the master key), never the
-- address itself. A row lives for one window; expired rows are purged as log-ins go by.
CREATE TABLE IF NOT EXISTS cxl_login_throttle (
    email_key text PRIMARY KEY,
    failures integer NOT NULL CHECK (failures > 0),
    window_ends_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS cxl_login_throttle_window_ends_at
    ON cxl_login_throttle (window_ends_at);
