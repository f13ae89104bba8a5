-- A clash leaves no hole in the log's ids. A row's notification_id is drawn from the log's
-- sequence as the row is formed, before the unique index refuses an (originator_id,
-- originator_version) already taken, and a sequence is not rolled back: every refused append
-- left a hole of its batch's size (two rounds of it: the batch at once, then the command
-- alone), so the head moved by more than the events written. The writer
-- (infrastructure/log_writer.py) calls this function, under the log's EXCLUSIVE lock, after
-- each refusal on its careful path: it puts the sequence back to the last id a row holds.
--
-- Why after, not a look before each INSERT: looking for a clash on every append cost more
-- than the rest of the append (one-event appends 2,500/s without it, 850/s with it, measured
-- by benchmarks/append.py), while clashes are rare.
--
-- Safe under the lock and only under it: the function takes it (again, if the caller holds
-- it), so no writer has drawn an id it has not committed, other than the caller itself, whose
-- rows of this transaction the max sees. The sequence is set to the highest id any row holds,
-- never lower: the next id is above every id a reader can have seen, so a reader's position
-- stays exact, and a hole below that id (from a crash, or a refusal before this function
-- existed) stays a hole: no row can be slipped into it. SECURITY DEFINER: the runtime role
-- has no UPDATE on sequences; it may call this function only (privileges.py grants it).
CREATE OR REPLACE FUNCTION cxl_reclaim_ledger_ids() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    last_held bigint;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        -- an older snapshot could miss a row committed before the lock was taken
        RAISE EXCEPTION 'cxl_reclaim_ledger_ids needs READ COMMITTED';
    END IF;
    PERFORM public.cxl_lock_ledger_events();
    SELECT max(notification_id) INTO last_held FROM public.ledger_events;
    IF last_held IS NOT NULL THEN
        PERFORM setval(pg_get_serial_sequence('public.ledger_events', 'notification_id'), last_held);
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION cxl_reclaim_ledger_ids() FROM PUBLIC;
