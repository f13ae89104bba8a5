#!/bin/sh
# Writes PgBouncer's auth file (where pgbouncer.ini's auth_file says) from the environment:
# the runtime role's password is a secret, never in the image or the repository. Then runs
# PgBouncer in the foreground. Only cxledger_runtime may log in: the owner migrates straight
# to PostgreSQL.
set -eu
: "${CXLEDGER_RUNTIME_PASSWORD:?set CXLEDGER_RUNTIME_PASSWORD}"
ini="${PGBOUNCER_INI:-/etc/pgbouncer/pgbouncer.ini}"
auth_file=$(sed -n 's/^auth_file[[:space:]]*=[[:space:]]*//p' "$ini")
: "${auth_file:?$ini names no auth_file}"
umask 077
mkdir -p "$(dirname "$auth_file")"
printf '"%s" "%s"\n' cxledger_runtime "$CXLEDGER_RUNTIME_PASSWORD" > "$auth_file"
exec pgbouncer "$ini"
