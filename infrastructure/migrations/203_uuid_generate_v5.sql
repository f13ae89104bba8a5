-- uuid_generate_v5 (the uuid-ossp extension), so that one statement can read an invitation
-- and the streams it names: its survey, its customer and the customer's loyalty account, whose
-- id is a UUID5 of the customer's (infrastructure/stream_reads.py, select_following). A
-- survey answer read the invitation first, then the rest: two round trips where one does.
--
-- uuid-ossp is a trusted extension (PostgreSQL 13 on): the owner may create it with CREATE
-- on the database, no superuser needed, and its functions are executable by PUBLIC, so the
-- runtime role calls it without a grant. Where it cannot be created (no contrib package, no
-- CREATE on the database) the step still passes: the read checks for the function and, when
-- it is not there, reads in two round trips as before.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
EXCEPTION
    WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
        RAISE NOTICE 'uuid-ossp not created (%): survey answers read in two round trips', SQLERRM;
END
$$;
