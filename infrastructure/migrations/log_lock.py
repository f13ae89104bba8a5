"""The log's write lock, taken through a function owned by the schema's owner.

The event store serialises writers with ``LOCK TABLE ledger_events IN EXCLUSIVE MODE`` so that
notification ids commit in order. PostgreSQL allows that mode only to a role with UPDATE,
DELETE or TRUNCATE on the table (or its owner), which the runtime role must not have. This
SECURITY DEFINER function takes exactly that lock, on exactly that table, as the owner; the
lock lasts until the caller's transaction ends, as a direct LOCK would. Only the runtime role
(and the owner) may call it (see ``privileges``).
"""

from infrastructure.event_log import LOCK_FUNCTION

LOG_LOCK = f"""
CREATE OR REPLACE FUNCTION {LOCK_FUNCTION}() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    LOCK TABLE public.ledger_events IN EXCLUSIVE MODE;
END;
$$;
REVOKE ALL ON FUNCTION {LOCK_FUNCTION}() FROM PUBLIC;
"""
