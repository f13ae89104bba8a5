"""`cxledger serve` as a user runs it: embedded PostgreSQL by default, or an external one."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from domain.shared.metadata import Role
from infrastructure.database import Database
from infrastructure.tokens import JwtTokens
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import TEST_JWT_SECRET
from tests.support.server import free_port

COUNT = "{ customers(first: 10) { totalCount edges { node { id region } } } }"
REGISTER = (
    'mutation { registerCustomer(input: {name: "Ada", email: "ada@example.org", region: "EU"})'
    " { customer { id region } userErrors { code } } }"
)


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**env, "CXL_PORT": str(port)}
    process = subprocess.Popen([*CXLEDGER, "serve"], cwd=REPO, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("serve did not answer /health in time")


def graphql(url: str, query: str) -> Any:
    """POST as an agent, with a token signed by the test secret the server was given."""
    token = JwtTokens(TEST_JWT_SECRET, "cxledger").mint("agent-1", Role.AGENT)
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query},
        headers={"authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(30)


def embedded_postgres_running(data_dir: Path) -> bool:
    pgdata = str((data_dir / "postgres").resolve())
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        if proc.info["name"] == "postgres" and pgdata in " ".join(proc.info["cmdline"] or []):
            return True
    return False


def test_serve_starts_embedded_postgres_keeps_data_across_restarts_and_stops_it(
    tmp_path: Path,
) -> None:
    env = cli_env(None, data_dir=tmp_path / "var")
    process, url = start_server(env)
    try:
        created = graphql(url, REGISTER)
        assert "errors" not in created
    finally:
        assert stop(process) == 0
    assert not embedded_postgres_running(tmp_path / "var")
    assert not (tmp_path / "var" / "postgres" / "postmaster.pid").exists()

    process, url = start_server(env)
    try:
        body = graphql(url, COUNT)
        assert body["data"] == {
            "customers": {
                "totalCount": 1,
                "edges": [
                    {
                        "node": {
                            "id": created["data"]["registerCustomer"]["customer"]["id"],
                            "region": "EU",
                        }
                    }
                ],
            }
        }
    finally:
        assert stop(process) == 0


def test_serve_uses_the_configured_external_database(database: Database, tmp_path: Path) -> None:
    process, url = start_server(cli_env(database, data_dir=tmp_path / "var"))
    try:
        assert "errors" not in graphql(url, REGISTER)
    finally:
        assert stop(process) == 0
    assert not (tmp_path / "var" / "postgres").exists()
    with database.connect() as conn:
        (count,) = conn.execute("SELECT count(*) FROM customer_directory").fetchone() or (0,)
    assert count == 1
