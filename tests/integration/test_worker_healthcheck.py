"""deploy/healthcheck/worker_listening.py, the worker's healthcheck in docker-compose.yml and
its probes in deploy/kubernetes, run for real against PostgreSQL and a real `cxledger project`:
it fails while no worker of this address holds its listener session on the database, passes
while one does, and fails again once that worker has stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from infrastructure.database import Database
from tests.integration.test_scale_out import worker
from tests.support.cli import REPO, cli_env

SCRIPT = REPO / "deploy" / "healthcheck" / "worker_listening.py"
PATIENCE = 60.0
"""A liveness bound, not a timing figure: past it the state never came."""


def check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )


def until_exit_code(env: dict[str, str], code: int) -> subprocess.CompletedProcess[str]:
    deadline = time.monotonic() + PATIENCE
    while True:
        result = check(env)
        if result.returncode == code or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def test_the_worker_healthcheck_passes_only_while_a_worker_holds_its_listener(
    database: Database,
) -> None:
    env = cli_env(database)
    before = check(env)
    assert before.returncode == 1 and "no cxledger listener" in before.stderr
    with worker(env) as process:
        during = until_exit_code(env, 0)
        assert process.poll() is None, "the worker stopped"
    assert during.returncode == 0, during.stderr
    after = until_exit_code(env, 1)
    assert after.returncode == 1 and "no cxledger listener" in after.stderr


def test_the_worker_healthcheck_fails_when_the_database_is_unreachable() -> None:
    env = cli_env(None, CXL_DATABASE_URL="postgresql://nobody@127.0.0.1:1/cxledger")
    result = check(env)
    assert result.returncode == 1 and "database unreachable" in result.stderr


def test_the_worker_healthcheck_fails_without_a_database_url() -> None:
    result = check(cli_env(None))
    assert result.returncode == 1 and "CXL_DATABASE_URL" in result.stderr


def test_the_worker_healthcheck_reads_the_database_url_from_its_file(tmp_path: Path) -> None:
    """As the worker does, with CXL_DATABASE_URL_FILE (a mounted secret)."""
    url_file = tmp_path / "database-url"
    url_file.write_text("postgresql://nobody@127.0.0.1:1/cxledger\n")
    result = check(cli_env(None, CXL_DATABASE_URL_FILE=str(url_file)))
    assert result.returncode == 1 and "database unreachable" in result.stderr


def test_the_worker_healthcheck_fails_naming_an_unreadable_url_file(tmp_path: Path) -> None:
    result = check(cli_env(None, CXL_DATABASE_URL_FILE=str(tmp_path / "missing")))
    assert result.returncode == 1 and "CXL_DATABASE_URL_FILE: cannot read" in result.stderr
