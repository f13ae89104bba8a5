"""The operator's command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
from uuid import uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata, Role
from infrastructure.cli import COMMANDS
from infrastructure.database import Database
from infrastructure.tokens import JwtTokens
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import TEST_JWT_SECRET


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CXLEDGER, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_explains_itself_with_help(command: str) -> None:
    result = run([command, "--help"], cli_env(None))
    assert result.returncode == 0
    assert COMMANDS[command][1].split()[0] in result.stdout


def test_token_mints_a_jwt_that_the_server_accepts_for_the_role() -> None:
    result = run(["token", "--role", "auditor", "--subject", "aud-1"], cli_env(None))
    assert result.returncode == 0
    principal = JwtTokens(TEST_JWT_SECRET, "cxledger").verify(result.stdout.strip())
    assert (principal.actor_id, principal.role) == ("aud-1", Role.AUDITOR)


def test_a_customer_token_is_about_the_customer_given() -> None:
    customer_id = "0b7e6a4e-5f0c-4c1e-9d3e-1f2a3b4c5d6e"
    result = run(["token", "--role", "customer", "--customer", customer_id], cli_env(None))
    assert result.returncode == 0, result.stderr
    principal = JwtTokens(TEST_JWT_SECRET, "cxledger").verify(result.stdout.strip())
    assert (principal.actor_id, principal.role) == (customer_id, Role.CUSTOMER)


def test_a_customer_token_carries_the_session_version_given() -> None:
    customer_id = "0b7e6a4e-5f0c-4c1e-9d3e-1f2a3b4c5d6e"
    args = ["token", "--role", "customer", "--customer", customer_id, "--session-version", "2"]
    result = run(args, cli_env(None))
    assert result.returncode == 0, result.stderr
    principal = JwtTokens(TEST_JWT_SECRET, "cxledger").verify(result.stdout.strip())
    assert principal.session_version == 2


@pytest.mark.parametrize(
    ("args", "named"),
    [
        pytest.param(["--ttl", "86401"], "--ttl", id="ttl-over-the-maximum"),
        pytest.param(["--ttl", "0"], "--ttl", id="ttl-zero"),
        pytest.param(["--session-version", "1"], "--session-version", id="version-for-staff"),
    ],
)
def test_a_token_beyond_the_maximum_lifetime_or_shape_is_refused(
    args: list[str], named: str
) -> None:
    result = run(["token", "--role", "agent", *args], cli_env(None))
    assert result.returncode == 2 and named in result.stderr
    assert result.stdout == ""


def test_the_maximum_lifetime_follows_the_setting() -> None:
    env = cli_env(None, CXL_MAX_TOKEN_TTL="600")
    assert run(["token", "--role", "agent", "--ttl", "601"], env).returncode == 2
    minted = run(["token", "--role", "agent", "--ttl", "600"], env)
    assert minted.returncode == 0, minted.stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--role", "customer"], id="customer-without-id"),
        pytest.param(["--role", "customer", "--customer", "ada"], id="customer-id-not-uuid"),
        pytest.param(["--role", "agent", "--customer", str(uuid4())], id="customer-for-agent"),
    ],
)
def test_a_token_that_would_not_name_its_customer_is_refused(args: list[str]) -> None:
    result = run(["token", *args], cli_env(None))
    assert result.returncode == 2 and "--customer" in result.stderr
    assert result.stdout == ""


def test_status_reports_the_head_and_each_projection_lag(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    result = run(["status"], cli_env(database))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["head"] == 2
    assert report["projections"]["customer_directory"] == {"position": 0, "lag": 2}


def test_rebuild_builds_the_read_model_and_shows_progress(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    for i in range(5):
        ledger.register_customer(RegisterCustomer(f"C {i}", f"c{i}@example.org"), agent)
    result = run(["rebuild", "customer_directory"], cli_env(database))
    assert result.returncode == 0, result.stderr
    assert "10/10 events" in result.stderr and "/s" in result.stderr and "left" in result.stderr
    with database.connect() as conn:
        (count,) = conn.execute("SELECT count(*) FROM customer_directory").fetchone() or (0,)
    assert count == 5


def test_rebuild_of_an_unknown_read_model_names_the_known_ones() -> None:
    result = run(["rebuild", "nonsense"], cli_env(None))
    assert result.returncode == 2
    assert "customer_directory" in result.stderr


def test_migrate_twice_applies_nothing_the_second_time(database: Database) -> None:
    first = run(["migrate"], cli_env(database))
    second = run(["migrate"], cli_env(database))
    assert first.returncode == second.returncode == 0
    assert "001_subject_keys.sql" in first.stdout
    assert "already up to date" in second.stdout
