"""deploy/pgbouncer run for real: its entrypoint writes the auth file from the runtime role's
password and starts Debian's PgBouncer (the image's) with the committed pgbouncer.ini, only its
addresses pointed at this machine (listen on a loopback port, the test server instead of
`postgres`, a private folder for the auth file). Through it the runtime role logs in with its
password only, lands in the database the ini names, and two clients share one server session
between their transactions: transaction pooling."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infrastructure.database import Database
from infrastructure.roles import ensure_login_role
from tests.support.cli import REPO
from tests.support.pgbouncer import _socket_reachable, pgbouncer_binary
from tests.support.server import free_port

FOLDER = REPO / "deploy" / "pgbouncer"
RUNTIME = "cxledger_runtime"
PASSWORD = "runtime0password0for0pgbouncer"


def local_config(server: dict[str, str], port: int, folder: Path) -> str:
    """pgbouncer.ini as committed, but for its addresses and the auth file's folder."""
    text = (FOLDER / "pgbouncer.ini").read_text()
    target = f"host={server.get('host', '127.0.0.1')} port={server.get('port', '5432')} "
    replacements = {
        r"host=postgres port=5432 ": target,
        r"dbname=cxledger": f"dbname={server['dbname']}",
        r"listen_addr = 0\.0\.0\.0": "listen_addr = 127.0.0.1",
        r"listen_port = 6432": f"listen_port = {port}",
        r"auth_file = \S+": f"auth_file = {folder}/auth/userlist.txt",
    }
    for pattern, replacement in replacements.items():
        text, count = re.subn(pattern, replacement, text)
        assert count == 1, f"pgbouncer.ini no longer has {pattern!r}"
    return text


@contextlib.contextmanager
def deployed_pgbouncer(database: Database) -> Iterator[tuple[str, Path]]:
    """The entrypoint running PgBouncer; yields the pooled conninfo of database `cxledger`."""
    server = {k: str(v) for k, v in conninfo_to_dict(database.conninfo).items()}
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="cxl-deploy-pgb-"))
    folder.chmod(0o777)  # as root the entrypoint runs as nobody, as the image runs as postgres
    (folder / "pgbouncer.ini").write_text(local_config(server, port, folder))
    env = {
        "PATH": f"{Path(pgbouncer_binary()).parent}:{os.environ['PATH']}",
        "PGBOUNCER_INI": str(folder / "pgbouncer.ini"),
        "CXLEDGER_RUNTIME_PASSWORD": PASSWORD,
    }
    user = "nobody" if os.geteuid() == 0 else None
    pooled = make_conninfo(
        "", host="127.0.0.1", port=port, dbname="cxledger", user=RUNTIME, password=PASSWORD
    )
    with _socket_reachable(server.get("host", "")):
        process = subprocess.Popen(
            ["sh", str(FOLDER / "entrypoint.sh")],
            env=env,
            user=user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_until_it_answers(pooled, process)
            yield pooled, folder / "auth" / "userlist.txt"
        finally:
            process.terminate()
            process.wait(10)


def wait_until_it_answers(pooled: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            with psycopg.connect(pooled, connect_timeout=2, prepare_threshold=None) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, err = process.communicate(timeout=5)
                raise RuntimeError(f"pgbouncer did not start: {err.decode()[-2000:]}") from None
            time.sleep(0.1)


def backend_pid(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    with conn.transaction():
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    return int(str(row[0]))


def test_the_deployed_pgbouncer_pools_transactions_for_the_runtime_role(
    database: Database,
) -> None:
    ensure_login_role(database, RUNTIME)
    with deployed_pgbouncer(database) as (pooled, auth_file):
        assert stat.S_IMODE(auth_file.stat().st_mode) == 0o600
        with (
            psycopg.connect(pooled, prepare_threshold=None, autocommit=True) as first,
            psycopg.connect(pooled, prepare_threshold=None, autocommit=True) as second,
        ):
            row = first.execute("SELECT current_user, current_database()").fetchone()
            # Both clients stay connected; between transactions they share a server session.
            shared = backend_pid(first) == backend_pid(second)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(make_conninfo(pooled, password="not-the-password")).close()
    assert row == (RUNTIME, conninfo_to_dict(database.conninfo)["dbname"])
    assert shared, "each client kept a server session: not transaction pooling"
