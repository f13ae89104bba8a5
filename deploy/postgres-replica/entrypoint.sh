#!/usr/bin/env bash
# A hot standby of the primary, for CXL_READ_DATABASE_URL (README: "Reads from a streaming
# replica"). Runs in the postgres image as the postgres user. On an empty data directory it
# clones the primary with pg_basebackup (-R writes standby.signal and primary_conninfo, so the
# server starts as a standby streaming from the slot that 20-cxledger-replication.sh made),
# then starts PostgreSQL; on a later start the data directory is kept and streaming resumes.
# The roles, their passwords and pg_hba.conf come from the primary with the copy.
set -euo pipefail
: "${CXLEDGER_REPLICATION_PASSWORD:?set CXLEDGER_REPLICATION_PASSWORD}"
: "${PGDATA:?set PGDATA}"
primary_host="${PRIMARY_HOST:-postgres}"
primary_port="${PRIMARY_PORT:-5432}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready --quiet --host="$primary_host" --port="$primary_port"; do
        echo "waiting for the primary at $primary_host:$primary_port"
        sleep 2
    done
    # Not in the URL or argv (ps would show it); -R copies it into primary_conninfo, which is
    # readable only by the postgres user, as the data directory is.
    export PGPASSWORD="$CXLEDGER_REPLICATION_PASSWORD"
    pg_basebackup --host="$primary_host" --port="$primary_port" \
        --username=cxledger_replication --pgdata="$PGDATA" \
        --wal-method=stream --slot=cxledger_replica --write-recovery-conf \
        --checkpoint=fast --no-password --progress
    unset PGPASSWORD
    chmod 0700 "$PGDATA"
fi

# hot_standby: answer read-only queries while replaying. hot_standby_feedback: the primary
# keeps the row versions the standby's queries still read, so they are not cancelled by
# replay conflicts (at the cost of some bloat on the primary while a long read runs). Arguments
# (the service's `command:`) go to postgres too, e.g. `-c max_standby_streaming_delay=60s`.
exec postgres -c hot_standby=on -c hot_standby_feedback=on "$@"
