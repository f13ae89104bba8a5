"""A real PgBouncer (Debian's `pgbouncer` package) in transaction pooling mode, on a loopback
port, in front of the test PostgreSQL. Missing, it fails the test loudly: `.ci/run` installs it."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.support.server import free_port

SERVER_CONNECTIONS = 3
"""Server connections per database and user: few, so that client connections share them."""


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if found is None:
        raise RuntimeError(
            "pgbouncer is not installed: `apt-get install -y pgbouncer` (.ci/run does)"
        )
    return found


def config(
    server: Mapping[str, object],
    port: int,
    folder: Path,
    user: str,
    server_connections: int = SERVER_CONNECTIONS,
    query_wait_timeout: int = 120,
) -> str:
    return f"""[databases]
* = host={server.get("host", "127.0.0.1")} port={server.get("port", 5432)}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = {folder}/userlist.txt
admin_users = {user}
default_pool_size = {server_connections}
query_wait_timeout = {query_wait_timeout}
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


@contextlib.contextmanager
def pgbouncer_in_front_of(
    conninfo: str, server_connections: int = SERVER_CONNECTIONS, query_wait_timeout: int = 120
) -> Iterator[str]:
    """Start PgBouncer before the server of ``conninfo``; yield ``conninfo`` through it, with
    ``server_connections`` server sessions and clients waiting for one at most
    ``query_wait_timeout`` seconds (PgBouncer's default: 120)."""
    server = conninfo_to_dict(conninfo)
    user = str(server.get("user", "postgres"))
    port = free_port()
    # PgBouncer refuses to run as root: as root it runs as nobody, who must read this folder.
    folder = Path(tempfile.mkdtemp(prefix="cxl-pgbouncer-"))
    folder.chmod(0o777)
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        config(server, port, folder, user, server_connections, query_wait_timeout)
    )
    as_nobody = ["-u", "nobody"] if os.geteuid() == 0 else []
    pooled = make_conninfo(conninfo, host="127.0.0.1", port=port)
    with _socket_reachable(str(server.get("host", ""))):
        process = subprocess.Popen([pgbouncer_binary(), *as_nobody, str(folder / "pgbouncer.ini")])
        try:
            _wait_until_it_answers(pooled, process, folder)
            yield pooled
        finally:
            process.terminate()
            process.wait(10)
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _socket_reachable(host: str) -> Iterator[None]:
    """The embedded server listens on a Unix socket inside its (0700) data directory, in a
    0700 temporary one: let nobody (PgBouncer's user under root) pass through both while the
    test runs. PostgreSQL checks its data directory's mode only when it starts."""
    if not host.startswith("/"):
        yield
        return
    folders = [Path(host), Path(host).parent]
    modes = [folder.stat().st_mode for folder in folders]
    try:
        for folder, mode in zip(folders, modes, strict=True):
            folder.chmod(mode | stat.S_IXOTH)
        yield
    finally:
        for folder, mode in zip(folders, modes, strict=True):
            folder.chmod(stat.S_IMODE(mode))


def transactions_through(pooled: str) -> int:
    """Transactions PgBouncer has carried to the server, over every database (admin console)."""
    with psycopg.connect(make_conninfo(pooled, dbname="pgbouncer"), autocommit=True) as admin:
        rows = admin.execute("SHOW STATS").fetchall()
        columns = [c.name for c in admin.execute("SHOW STATS").description or []]
    index = columns.index("total_xact_count")
    return sum(int(row[index]) for row in rows)


def _wait_until_it_answers(pooled: str, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            with psycopg.connect(pooled, connect_timeout=2, prepare_threshold=None) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                log = (
                    (folder / "pgbouncer.log").read_text()
                    if (folder / "pgbouncer.log").exists()
                    else ""
                )
                raise RuntimeError(f"pgbouncer did not start: {log[-2000:]}") from None
            time.sleep(0.1)
