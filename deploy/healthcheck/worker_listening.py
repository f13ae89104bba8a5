"""Healthcheck of a `cxledger project` container (docker-compose.yml's `worker`, the Kubernetes
worker's probes): exit 0 when a process of this container holds its `cxledger listener`
session on the primary, 1 otherwise.

The worker serves no HTTP. Its leases (which projection it leads) and its LISTEN live in that
one session, so the session is what shows the worker alive: a worker whose session is gone
leads nothing and hears nothing. The check connects as the worker does
(CXL_DIRECT_DATABASE_URL, else CXL_DATABASE_URL, each or its _FILE variant) and looks for a
listener of the same role and database connecting from the same address as itself, i.e. from
this container.
"""

from __future__ import annotations

import os
import sys

import psycopg

from infrastructure.secret_files import SecretFileError, values_from_files

LISTENERS_HERE = """
SELECT count(*) FROM pg_stat_activity
 WHERE application_name LIKE 'cxledger listener %'
   AND usename = current_user
   AND datname = current_database()
   AND client_addr IS NOT DISTINCT FROM inet_client_addr()
   AND pid <> pg_backend_pid()
"""


def listeners_here(url: str) -> int:
    with psycopg.connect(url, connect_timeout=3, application_name="cxledger healthcheck") as conn:
        row = conn.execute(LISTENERS_HERE).fetchone()
    return int(row[0]) if row else 0


def main() -> int:
    try:
        from_files = values_from_files(os.environ)
    except SecretFileError as error:
        print(error, file=sys.stderr)
        return 1
    url = (
        os.environ.get("CXL_DIRECT_DATABASE_URL")
        or from_files.get("direct_database_url")
        or os.environ.get("CXL_DATABASE_URL")
        or from_files.get("database_url")
    )
    if not url:
        print("neither CXL_DIRECT_DATABASE_URL nor CXL_DATABASE_URL is set", file=sys.stderr)
        return 1
    try:
        found = listeners_here(url)
    except psycopg.Error as error:
        print(f"database unreachable: {type(error).__name__}", file=sys.stderr)
        return 1
    if found == 0:
        print("no cxledger listener session from this address", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
