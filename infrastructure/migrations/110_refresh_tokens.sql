-- Customers' refresh tokens (infrastructure/refresh_tokens.py). A token is 32 random bytes the
-- customer holds; only its SHA-256 is kept, so a copy of this table logs nobody in. Tokens
-- chain into a family from one log-in: rotating one marks it rotated and adds its successor;
-- presenting a rotated one again revokes the family. session_version is the customer's when the
-- family began: once a password change, reset, erasure or log-out everywhere raises it, no
-- token of the family refreshes. No personal data: ids, hashes and times only.
CREATE TABLE IF NOT EXISTS cxl_refresh_tokens (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    family_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    session_version bigint NOT NULL CHECK (session_version >= 0),
    issued_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS cxl_refresh_tokens_family ON cxl_refresh_tokens (family_id);
CREATE INDEX IF NOT EXISTS cxl_refresh_tokens_customer ON cxl_refresh_tokens (customer_id);
