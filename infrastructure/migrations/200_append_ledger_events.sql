-- A group commit's batch in ONE statement (infrastructure/log_writer.py): the lock's timeout,
-- the log's EXCLUSIVE lock, the NOTIFY, the fresh subject keys and the events, run in this
-- order by a function the writer calls in autocommit, so that the statement's own implicit
-- transaction commits them (one round trip, no BEGIN nor COMMIT left to send or to lose
-- behind a transaction-mode pooler). The calling statement names no table: the log's ROW
-- EXCLUSIVE lock is taken by the INSERT below, planned and run only once the EXCLUSIVE lock is
-- held, so two writers cannot each hold the one and wait for the other (the deadlock an INSERT
-- with the lock in an InitPlan had). Any error fails the whole statement, hence the batch,
-- which the writer then writes again command by command, each in a savepoint. SECURITY
-- INVOKER: the caller's own column INSERT privileges apply; the lock goes through the owner's
-- function, as before. The fresh keys are refused (a NULL subject id) under a foreign master
-- key, as INSERT_FRESH_KEYS does. The ids come back in the events' order (unnest's).
CREATE OR REPLACE FUNCTION cxl_append_ledger_events(
    wait_for_lock text,
    event_ids uuid[],
    event_versions bigint[],
    event_topics text[],
    event_states bytea[],
    key_subjects uuid[],
    key_wrapped bytea[],
    key_checks bytea[]
) RETURNS SETOF bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM set_config('lock_timeout', wait_for_lock, true);
    PERFORM public.cxl_lock_ledger_events();
    PERFORM pg_notify('ledger_events', '');
    IF cardinality(key_subjects) > 0 THEN
        INSERT INTO public.cxl_subject_keys (subject_id, wrapped_key)
        SELECT
            CASE WHEN NOT EXISTS (
                SELECT FROM public.cxl_master_key_check WHERE check_value <> fresh.master_check
            ) THEN fresh.subject_id END,
            fresh.wrapped_key
        FROM unnest(key_subjects, key_wrapped, key_checks)
            AS fresh(subject_id, wrapped_key, master_check);
    END IF;
    RETURN QUERY
        INSERT INTO public.ledger_events (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(event_ids, event_versions, event_topics, event_states)
        RETURNING notification_id;
END;
$$;
