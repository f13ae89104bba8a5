-- One data key per data subject, wrapped by the master key. Deleting a row is erasure.
CREATE TABLE IF NOT EXISTS cxl_subject_keys (
    subject_id uuid PRIMARY KEY,
    wrapped_key bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
