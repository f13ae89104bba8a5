"""Throughput with one API process and with two, in the same run (issue 22, item 2).

Two real `cxledger serve` processes (CXL_RUN_PROJECTIONS=false) and one `cxledger project`
worker run against one database. The same load, from a client process of its own with
``--clients`` concurrent connections, is sent first to one server only, then alternately to
both, for each operation:

- ``registerCustomer`` (a write: key, encryption, group commit, then the read-your-writes wait
  until the worker has projected it);
- ``customers(first: 20)`` with four fields, as an agent (a read of the read model).

It prints requests per second, p50 and p99 for each, and the ratio two processes / one. Both
servers run during both measurements, so the second process's mere presence is not what is
measured. The rate limit is off (CXL_RATE_LIMIT_PER_SECOND=0): it counts per process.

    .venv/bin/python -m benchmarks.scale_out [--seconds 10] [--clients 16] [--database-url URL]

Without a URL (nor CXL_DATABASE_URL) an embedded PostgreSQL is started in a temporary
directory and stopped at the end. The database the benchmark uses is created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from benchmarks.support.graphql_clients import OPERATIONS, Load, measure
from benchmarks.support.ports import free_port
from benchmarks.support.setup import add_database_url, scratch
from domain.shared.metadata import Role
from infrastructure.audit_keys import new_audit_key_text
from infrastructure.crypto import new_master_key_text
from infrastructure.database import Database, conninfo_as_url
from infrastructure.tokens import JwtTokens

REPO = Path(__file__).resolve().parents[1]
CXLEDGER = [sys.executable, "-m", "infrastructure.cli"]


def environment(database: Database, jwt_secret: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXL_")}
    env.update(
        CXL_DATABASE_URL=conninfo_as_url(database.conninfo),
        CXL_MASTER_KEY=new_master_key_text(),
        CXL_JWT_SECRET=jwt_secret,
        CXL_AUDIT_KEY=new_audit_key_text(),
        CXL_LOG_LEVEL="WARNING",
        CXL_RATE_LIMIT_PER_SECOND="0",
        CXL_RUN_PROJECTIONS="false",
    )
    env.update(extra)
    return env


def wait_for_health(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer /health in time")


@contextlib.contextmanager
def processes(env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """One worker and two servers, stopped (SIGTERM) at the end."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        # The first process migrates; the others start once it answers.
        urls = []
        for _ in range(2):
            port = free_port()
            process = subprocess.Popen(
                [*CXLEDGER, "serve"], cwd=REPO, env={**env, "CXL_PORT": str(port)}
            )
            started.append(process)
            urls.append(f"http://127.0.0.1:{port}")
            wait_for_health(urls[-1], process)
        started.append(subprocess.Popen([*CXLEDGER, "project"], cwd=REPO, env=env))
        yield urls[0], urls[1]
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def run(database: Database, seconds: float, clients: int) -> None:
    jwt_secret = secrets.token_urlsafe(48)
    token = JwtTokens(jwt_secret, "cxledger").mint("bench-agent", Role.AGENT, ttl_seconds=3600)
    with processes(environment(database, jwt_secret)) as (a, b):
        # Warm both servers (imports, pools, the first plans) before measuring.
        for url in (a, b):
            warm = Load("registerCustomer", (url,), 2, min(seconds, 1.0), token, f"warm{url[-5:]}")
            measure(warm)
        print(f"{clients} clients, {seconds:g} s per measurement, one `project` worker")
        print(
            "| operation | processes | req/s | p50 ms | p99 ms | failures | two / one |\n"
            "|---|---|---|---|---|---|---|"
        )
        for operation in OPERATIONS:
            one = measure(
                Load(operation, (a,), clients, seconds, token, f"one{secrets.token_hex(3)}")
            )
            two = measure(
                Load(operation, (a, b), clients, seconds, token, f"two{secrets.token_hex(3)}")
            )
            for label, m in (("1", one), ("2", two)):
                ratio = f"{two.rate / one.rate:.2f}" if label == "2" and one.rate else ""
                print(
                    f"| {operation} | {label} | {m.rate:,.0f} | {ms(m.percentile(0.5))} "
                    f"| {ms(m.percentile(0.99))} | {m.failures} | {ratio} |"
                )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    add_database_url(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with scratch(args.database_url) as database:
        run(database, args.seconds, args.clients)


if __name__ == "__main__":
    main()
