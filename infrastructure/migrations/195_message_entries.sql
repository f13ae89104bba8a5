-- A campaign's batch event causes one message per recipient (the outbox keys a message by its
-- cause's position and its place in the cause, ``cause_entry``, 0 for an event that causes
-- one): the mail deliveries are keyed the same way. Existing rows are entry 0. (Webhooks
-- post no campaign message: their kinds all have one message per cause.)
ALTER TABLE notification_deliveries ADD COLUMN IF NOT EXISTS cause_entry integer NOT NULL
    DEFAULT 0;
ALTER TABLE notification_deliveries DROP CONSTRAINT IF EXISTS notification_deliveries_pkey;
ALTER TABLE notification_deliveries ADD PRIMARY KEY (cause_position, cause_entry);

