-- A clash burns no log id. A row's notification_id is drawn from the log's sequence (nextval)
-- as the row is formed, before the unique index refuses an (originator_id, originator_version)
-- already taken, and a sequence is not rolled back: every refused append left a hole of its
-- batch's size in the ids (two rounds of it: the batch at once, then the command alone), so
-- the head moved by more than the events written. Both of the writer's statements
-- (infrastructure/log_writer.py) now look for the clash first, under the log's EXCLUSIVE lock
-- (no other writer can add a row between the look and the INSERT), and refuse it with the
-- unique violation the index would have raised, before any id is drawn:
-- cxl_insert_ledger_events for one command (the careful path, in the command's savepoint, the
-- lock already held), and cxl_append_ledger_events for a whole batch, which also refuses two
-- of its own events of one version (two commands of the batch claiming one new email).
CREATE OR REPLACE FUNCTION cxl_refuse_clashing_events(
    event_ids uuid[],
    event_versions bigint[]
) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    clash record;
BEGIN
    SELECT e.id, e.version INTO clash
    FROM unnest(event_ids, event_versions) AS e(id, version)
    WHERE EXISTS (
        SELECT FROM public.ledger_events AS l
        WHERE l.originator_id = e.id AND l.originator_version = e.version
    )
    LIMIT 1;
    IF NOT FOUND THEN
        SELECT e.id, e.version INTO clash
        FROM unnest(event_ids, event_versions) AS e(id, version)
        GROUP BY e.id, e.version HAVING count(*) > 1
        LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE unique_violation USING
            MESSAGE = format('version %s of %s is recorded already', clash.version, clash.id),
            TABLE = 'ledger_events';
    END IF;
END;
$$;

CREATE OR REPLACE FUNCTION cxl_insert_ledger_events(
    event_ids uuid[],
    event_versions bigint[],
    event_topics text[],
    event_states bytea[]
) RETURNS SETOF bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM public.cxl_refuse_clashing_events(event_ids, event_versions);
    RETURN QUERY
        INSERT INTO public.ledger_events (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(event_ids, event_versions, event_topics, event_states)
        RETURNING notification_id;
END;
$$;

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
        SELECT * FROM public.cxl_insert_ledger_events(
            event_ids, event_versions, event_topics, event_states
        );
END;
$$;
