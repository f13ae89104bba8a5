"""`cxledger serve` as a user runs it: embedded PostgreSQL by default, or an external one."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from domain.shared.metadata import Role
from infrastructure.database import Database
from infrastructure.delivery.webhooks import signature
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


def test_serve_serves_the_pages_with_their_form_tokens_and_post_throttle(
    database: Database, tmp_path: Path
) -> None:
    """The composition root wires the pages: a forged link gets its page, and a post without
    a form token is refused after the per-address throttle (kept in PostgreSQL) counted it."""
    process, url = start_server(cli_env(database, data_dir=tmp_path / "var"))
    try:
        shown = httpx.get(f"{url}/s/forged-link", timeout=10)
        assert shown.status_code == 404 and "not valid" in shown.text
        posted = httpx.post(f"{url}/reset/forged-link", data={"new_password": "x"}, timeout=10)
        assert posted.status_code == 403
    finally:
        assert stop(process) == 0
    with database.connect() as conn:
        row = conn.execute(
            "SELECT hits FROM cxl_throttle_counters WHERE scope = 'page posts address'"
        ).fetchone()
    assert row == (1,)


def test_serve_serves_the_order_webhook_with_its_secret(database: Database, tmp_path: Path) -> None:
    """The composition root mounts POST /webhooks/orders with CXL_ORDER_WEBHOOK_SECRET: a
    delivery signed with it records the order; one signed otherwise is 401."""
    secret = "shop-secret-" + "w" * 32
    env = {**cli_env(database, data_dir=tmp_path / "var"), "CXL_ORDER_WEBHOOK_SECRET": secret}
    process, url = start_server(env)
    try:
        registered = graphql(url, REGISTER)["data"]["registerCustomer"]["customer"]["id"]
        body = json.dumps(
            {"orderId": "serve-1", "step": "placed", "customerId": registered,
             "lines": [{"sku": "KETTLE-2", "quantity": 1}]}
        ).encode()  # fmt: skip
        stamp = int(time.time())

        def post(key: str) -> httpx.Response:
            headers = {
                "x-cxl-timestamp": str(stamp),
                "x-cxl-signature": signature(key, stamp, body),
                "idempotency-key": "serve-1-placed",
            }
            return httpx.post(f"{url}/webhooks/orders", content=body, headers=headers, timeout=10)

        assert post("another-secret-" + "x" * 32).status_code == 401
        assert post(secret).status_code == 200
    finally:
        assert stop(process) == 0
