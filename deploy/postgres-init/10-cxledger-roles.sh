#!/usr/bin/env bash
# cxledger's two database roles, created when the postgres container first initialises its data
# (the image runs /docker-entrypoint-initdb.d/* once, as POSTGRES_USER, a superuser that
# cxledger itself never uses):
#   cxledger_owner    owns the database and its schema; only `cxledger migrate` connects as it
#   cxledger_runtime  what `serve` and `project` connect as; migrate grants it what it needs
#                     (read and append the log and the audit chain, read and write the rest)
# Safe to run again: roles are created only if missing, and their passwords reset.
set -euo pipefail
: "${CXLEDGER_OWNER_PASSWORD:?set CXLEDGER_OWNER_PASSWORD}"
: "${CXLEDGER_RUNTIME_PASSWORD:?set CXLEDGER_RUNTIME_PASSWORD}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=owner_password="$CXLEDGER_OWNER_PASSWORD" \
    --set=runtime_password="$CXLEDGER_RUNTIME_PASSWORD" \
    --set=database="$POSTGRES_DB" <<'SQL'
SELECT 'CREATE ROLE cxledger_owner LOGIN'
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cxledger_owner') \gexec
SELECT 'CREATE ROLE cxledger_runtime LOGIN'
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cxledger_runtime') \gexec
ALTER ROLE cxledger_owner WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
    PASSWORD :'owner_password';
ALTER ROLE cxledger_runtime WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
    PASSWORD :'runtime_password';
ALTER DATABASE :"database" OWNER TO cxledger_owner;
ALTER SCHEMA public OWNER TO cxledger_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- The runtime builds its event store (reading the catalogue of the schema) before the first
-- migration has granted it anything else.
GRANT USAGE ON SCHEMA public TO cxledger_runtime;
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO cxledger_runtime;
SQL
