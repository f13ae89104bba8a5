-- The notification outbox no longer keeps addresses or tokens in clear: they stay sealed with
-- the recipient's key in the event that caused each message (projections/outbox/addressing.py).
-- Rows queued before lose theirs here; the outbox's own DDL then drops the empty column.
-- The old values stay in dead tuples until the table is vacuumed: VACUUM (FULL) it once after
-- upgrading (README, "What erasure leaves behind").
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'notification_outbox'
            AND column_name = 'recipient'
    ) THEN
        UPDATE notification_outbox SET recipient = NULL, payload = payload - 'token'
        WHERE recipient IS NOT NULL OR payload ? 'token';
    END IF;
END
$$;
