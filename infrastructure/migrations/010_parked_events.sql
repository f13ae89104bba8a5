-- Events a read model or process manager could not apply after its bounded retries: parked
-- so that the rest of the log goes on (infrastructure/parking.py), listed by `cxledger parked`
-- and replayed by `cxledger retry-parked NAME`. The error is its class and a redacted message:
-- never the event's payload or personal data (the position finds the event in the log).
CREATE TABLE IF NOT EXISTS cxl_parked_events (
    name text NOT NULL,
    position bigint NOT NULL,
    topic text NOT NULL,
    error_class text NOT NULL,
    error_message text NOT NULL,
    attempts bigint NOT NULL CHECK (attempts > 0),
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, position)
);
