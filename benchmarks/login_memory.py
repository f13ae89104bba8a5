"""Peak memory of a `cxledger serve` process under concurrent `logIn`s, with the password-hash
bound at its default and lifted.

Each log-in checks a password with argon2id (64 MiB). The server is started as a real
subprocess; 40 clients (each from its own address, through X-Forwarded-For and a trusted
proxy, so that the per-address log-in throttle stays out of the way) log in at once, and
the process's peak resident size (VmHWM) is read from /proc before and after. The first run
lifts the bound to 40 slots (the old behaviour: as many hashes as worker threads), the second
keeps the default (CXL_MAX_CONCURRENT_PASSWORD_HASHES=2).

    .venv/bin/python -m benchmarks.login_memory [--clients 40] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from psycopg.conninfo import conninfo_to_dict

from benchmarks.support.ports import free_port
from infrastructure.crypto import new_master_key_text
from infrastructure.database import Database, scratch_database, scratch_server

LOG_IN = "mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }"
CXLEDGER = str(Path(sys.executable).with_name("cxledger"))


def as_url(conninfo: str) -> str:
    """The settings take a postgresql:// URL, the scratch database gives a conninfo."""
    params = conninfo_to_dict(conninfo)
    user, password = params.get("user", "postgres"), params.get("password")
    auth = f"{user}:{password}@" if password else f"{user}@"
    host, port = params.get("host", "127.0.0.1"), params.get("port", "5432")
    if str(host).startswith("/"):  # a Unix socket directory (the embedded server)
        return f"postgresql://{auth}/{params['dbname']}?host={host}&port={port}"
    return f"postgresql://{auth}{host}:{port}/{params['dbname']}"


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc (Linux only)")


@contextlib.contextmanager
def serving(database: Database, slots: int) -> Iterator[tuple[int, str]]:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "CXL_DATABASE_URL": as_url(database.conninfo),
            "CXL_DATA_DIR": data_dir,
            "CXL_MASTER_KEY": new_master_key_text(),
            "CXL_JWT_SECRET": secrets.token_urlsafe(48),
            "CXL_PORT": str(port),
            "CXL_RUN_PROJECTIONS": "false",
            "CXL_RATE_LIMIT_PER_SECOND": "0",
            "CXL_TRUSTED_PROXIES": "127.0.0.1",
            "CXL_MAX_CONCURRENT_PASSWORD_HASHES": str(slots),
            "CXL_BUSY_WAIT_SECONDS": "60",
            "CXL_LOG_LEVEL": "WARNING",
        }
        process = subprocess.Popen([CXLEDGER, "serve"], env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url)
            yield process.pid, url
        finally:
            process.terminate()
            process.wait(30)


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


def log_in(url: str, n: int) -> int:
    variables = {"i": {"email": f"nobody-{n}@bench.example", "password": f"guess number {n}"}}
    headers = {"x-forwarded-for": f"198.51.100.{n % 250}"}
    body = {"query": LOG_IN, "variables": variables}
    return httpx.post(f"{url}/graphql", json=body, headers=headers, timeout=120).status_code


def measure(database: Database, slots: int, clients: int) -> tuple[float, float, float]:
    with serving(database, slots) as (pid, url):
        log_in(url, 0)  # warm up: one hash, the schema, the pools
        before = peak_rss_mib(pid)
        started = time.monotonic()
        with ThreadPoolExecutor(clients) as pool:
            statuses = list(pool.map(lambda n: log_in(url, n), range(1, clients + 1)))
        elapsed = time.monotonic() - started
        if statuses != [200] * clients:
            raise RuntimeError(f"some log-ins failed: {statuses}")
        return before, peak_rss_mib(pid), elapsed


def run(admin_conninfo: str, clients: int) -> None:
    print(f"{clients} concurrent logIn requests (argon2id, 64 MiB each)")
    print(f"{'hash slots':>10}  {'peak before MiB':>15}  {'peak after MiB':>14}  {'seconds':>7}")
    for slots in (clients, 2):
        with scratch_database(admin_conninfo, "cxl_bench") as database:
            before, after, elapsed = measure(database, slots, clients)
        print(f"{slots:>10}  {before:>15.0f}  {after:>14.0f}  {elapsed:>7.2f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40, help="concurrent log-ins")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CXL_DATABASE_URL") or None,
        help="admin URL of the server (default: CXL_DATABASE_URL, else embedded PostgreSQL)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch_server(args.database_url, "cxl-bench") as admin_conninfo:
        run(admin_conninfo, args.clients)


if __name__ == "__main__":
    main()
