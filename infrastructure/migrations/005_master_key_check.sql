-- Which master key wraps this database's keys, as a one-way check value of it: a process
-- started with another key is refused at start, and can make no subject key (key_store.py).
CREATE TABLE IF NOT EXISTS cxl_master_key_check (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    check_value bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    rotated_at timestamptz
);
-- The product's own secrets that must outlive a rotation of the master key (the email
-- fingerprint key), sealed under it; rotation rewraps them with the subject keys.
CREATE TABLE IF NOT EXISTS cxl_sealed_secrets (
    name text PRIMARY KEY,
    sealed bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
