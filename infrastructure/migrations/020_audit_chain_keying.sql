-- Where the audit chain's keyed links begin, when a chain built by an earlier version (plain
-- SHA-256 links) was adopted by `cxledger adopt-audit-chain`. At most one row; its mac is an
-- HMAC under the audit chain key, so a role without the key can neither move the boundary nor
-- forge the row. No row: every link is keyed (a chain begun by this version).
CREATE TABLE IF NOT EXISTS audit_chain_keying (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    keyed_from bigint NOT NULL CHECK (keyed_from >= 1),
    mac bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
