-- Erasure leaves a tombstone: the row stays with no key, so nothing new can ever be sealed for
-- the subject again (create_key answers "erased"), and the erasure time is on record.
ALTER TABLE cxl_subject_keys ALTER COLUMN wrapped_key DROP NOT NULL;
ALTER TABLE cxl_subject_keys ADD COLUMN IF NOT EXISTS erased_at timestamptz;
