"""The event log is append-only, enforced by the database for every role.

Installed (idempotently) by every ``migrate`` right after the event store's tables exist, so a
database whose log tables appear later still gets the triggers.
"""

APPEND_ONLY_LOG = """
-- The event log is append-only, enforced by the database for every role (the application's
-- included): no UPDATE, DELETE or TRUNCATE of stored events or snapshots. Erasure never needs
-- one: it destroys a subject's key instead. Only a superuser who disables the triggers can
-- change a stored row, and the audit chain (projections/audit) shows where.
CREATE OR REPLACE FUNCTION cxl_refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE TRIGGER cxl_append_only BEFORE UPDATE OR DELETE ON ledger_events
    FOR EACH ROW EXECUTE FUNCTION cxl_refuse_log_change();
CREATE OR REPLACE TRIGGER cxl_no_truncate BEFORE TRUNCATE ON ledger_events
    FOR EACH STATEMENT EXECUTE FUNCTION cxl_refuse_log_change();

CREATE OR REPLACE TRIGGER cxl_append_only BEFORE UPDATE OR DELETE ON ledger_snapshots
    FOR EACH ROW EXECUTE FUNCTION cxl_refuse_log_change();
CREATE OR REPLACE TRIGGER cxl_no_truncate BEFORE TRUNCATE ON ledger_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION cxl_refuse_log_change();
"""
