#!/usr/bin/env bash
# The streaming replica's way in, set up when the primary first initialises its data (after
# 10-cxledger-roles.sh, as POSTGRES_USER):
#   cxledger_replication  a REPLICATION role that only deploy/postgres-replica/entrypoint.sh uses
#                         (pg_basebackup, then streaming); it can read no table and is never the
#                         product's: `serve` and `project` know only the owner and the runtime
#   pg_hba.conf           admits it to the replication pseudo-database, and nothing else does
#   cxledger_replica      a physical replication slot, so the primary keeps the WAL the standby
#                         has not received yet (bounded by max_slot_wal_keep_size in
#                         docker-compose.yml: a standby gone for good cannot fill the disk)
# Kept apart from 10-cxledger-roles.sh, which tests run against a shared server: this one edits
# the data directory's pg_hba.conf, read when the server starts for real after initialisation.
set -euo pipefail
: "${CXLEDGER_REPLICATION_PASSWORD:?set CXLEDGER_REPLICATION_PASSWORD}"
: "${PGDATA:?PGDATA is the data directory being initialised}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=replication_password="$CXLEDGER_REPLICATION_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE cxledger_replication LOGIN REPLICATION'
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cxledger_replication') \gexec
ALTER ROLE cxledger_replication WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE
    PASSWORD :'replication_password';
SELECT pg_create_physical_replication_slot('cxledger_replica')
    WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'cxledger_replica');
SQL

line="host replication cxledger_replication all scram-sha-256"
grep -qxF "$line" "$PGDATA/pg_hba.conf" || echo "$line" >> "$PGDATA/pg_hba.conf"
