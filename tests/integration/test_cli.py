"""The operator's command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.utils import get_topic

from domain.customer.commands import RegisterCustomer
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata, Role
from infrastructure.cli import COMMANDS, main
from infrastructure.database import Database
from infrastructure.tokens import JwtTokens
from projections.audit.anchor import read_anchor
from tests.support.audit import chain_up, recompute_links, rewrite_event
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import TEST_AUDIT_KEYS, TEST_JWT_SECRET
from tests.support.parking import park_a_registration


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
def test_every_command_explains_itself_with_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """In process: `--help` is the parser's answer before any setting is read, and a new
    interpreter per command cost seconds each (every other test here runs the real program)."""
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert COMMANDS[command][1].split()[0] in capsys.readouterr().out


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
        pytest.param(["--subject", "x" * 201], "--subject", id="subject-too-long"),
        pytest.param(["--subject", "agent\x1b[2J"], "--subject", id="subject-with-escape"),
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
    assert report["projections"]["customer_directory"] == {"position": 0, "lag": 2, "parked": 0}


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


def test_status_and_parked_show_a_parked_event_and_retry_parked_applies_it_once_fixed(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    position = park_a_registration(ledger, database, agent)

    status = json.loads(run(["status"], cli_env(database)).stdout)
    listed = run(["parked", "customer_directory"], cli_env(database))
    retried = run(["retry-parked", "customer_directory"], cli_env(database))

    assert status["projections"]["customer_directory"]["parked"] == 1
    assert status["projections"]["customer_history"]["parked"] == 0
    assert listed.returncode == 0, listed.stderr
    [event] = json.loads(listed.stdout)
    assert {k: event[k] for k in ("name", "position", "topic", "error", "attempts")} == {
        "name": "customer_directory",
        "position": position,
        "topic": get_topic(Customer.Registered),
        "error": "ValueError: a bug for this customer",
        "attempts": 1,
    }
    assert event["first_failed_at"] <= event["last_failed_at"]
    assert retried.returncode == 0, retried.stderr
    assert json.loads(retried.stdout) == {
        "name": "customer_directory",
        "applied": [position],
        "still_parked": [],
    }
    assert json.loads(run(["parked"], cli_env(database)).stdout) == []
    with database.connect() as conn:
        names = conn.execute("SELECT name FROM customer_directory ORDER BY seq").fetchall()
    assert names == [("Ada",), ("Bo",)]


def test_retry_parked_exits_1_and_keeps_the_event_parked_while_it_still_fails(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    position = park_a_registration(ledger, database, agent)
    with database.connect() as conn:  # the fix is not deployed yet: the insert still fails
        conn.execute(
            "ALTER TABLE customer_directory ADD CONSTRAINT refuses_all CHECK (false) NOT VALID"
        )

    retried = run(["retry-parked", "customer_directory"], cli_env(database))

    assert retried.returncode == 1, retried.stderr
    error = 'CheckViolation: new row for relation "customer_directory" violates check constraint'
    assert json.loads(retried.stdout)["still_parked"] == [
        {"position": position, "error": f'{error} "refuses_all"'}
    ]
    [event] = json.loads(run(["parked"], cli_env(database)).stdout)
    assert (event["position"], event["attempts"]) == (position, 2)


@pytest.mark.parametrize("command", ["parked", "retry-parked"])
def test_parked_commands_name_the_known_read_models_for_an_unknown_one(command: str) -> None:
    result = run([command, "nonsense"], cli_env(None))
    assert result.returncode == 2
    assert "customer_directory" in result.stderr and "loyalty_earning" in result.stderr


def test_audit_anchor_prints_one_signed_line_that_verify_audit_trail_accepts(
    ledger: Ledger, database: Database, agent: EventMetadata, tmp_path: Path
) -> None:
    for i in range(3):
        ledger.register_customer(RegisterCustomer(f"A {i}", f"a{i}@example.org"), agent)
    made = run(["audit-anchor"], cli_env(database))
    assert made.returncode == 0, made.stderr
    [anchor] = made.stdout.splitlines()
    assert read_anchor(TEST_AUDIT_KEYS.anchor, anchor).position == 6  # it chained the log first
    (tmp_path / "anchor.json").write_text(made.stdout)
    for given in (anchor, str(tmp_path / "anchor.json")):
        checked = run(["verify-audit-trail", "--anchor", given], cli_env(database))
        assert checked.returncode == 0, checked.stderr
        assert json.loads(checked.stdout)["anchor_position"] == 6


def test_verify_audit_trail_with_an_anchor_exits_1_after_a_rewrite_by_a_key_holder(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    for i in range(3):
        ledger.register_customer(RegisterCustomer(f"K {i}", f"k{i}@example.org"), agent)
    anchor = run(["audit-anchor"], cli_env(database)).stdout.strip()
    rewrite_event(database, 2)
    recompute_links(database, TEST_AUDIT_KEYS.chain, first=2)
    assert run(["verify-audit-trail"], cli_env(database)).returncode == 0
    anchored = run(["verify-audit-trail", "--anchor", anchor], cli_env(database))
    assert anchored.returncode == 1
    report = json.loads(anchored.stdout)
    assert (report["first_altered_position"], report["problem"]) == (6, "anchor_mismatch")


def test_verify_audit_trail_refuses_a_forged_anchor_with_exit_2_and_the_reason(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer("F", "f@example.org"), agent)
    anchor = json.loads(run(["audit-anchor"], cli_env(database)).stdout)
    forged = json.dumps({**anchor, "position": 1})
    result = run(["verify-audit-trail", "--anchor", forged], cli_env(database))
    assert result.returncode == 2
    assert "signature" in result.stderr and result.stdout == ""


def test_audit_anchor_of_an_empty_log_makes_no_anchor(database: Database) -> None:
    result = run(["audit-anchor"], cli_env(database))
    assert result.returncode == 1
    assert "empty" in result.stderr and result.stdout == ""


def test_adopt_audit_chain_records_where_an_earlier_versions_unkeyed_links_end(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer("Old", "old@example.org"), agent)
    chain_up(ledger, database, TEST_AUDIT_KEYS.chain)
    recompute_links(database, None)  # chained by an earlier version
    ledger.register_customer(RegisterCustomer("New", "new@example.org"), agent)
    chain_up(ledger, database, TEST_AUDIT_KEYS.chain)
    assert run(["verify-audit-trail"], cli_env(database)).returncode == 1
    adopted = run(["adopt-audit-chain"], cli_env(database))
    assert adopted.returncode == 0, adopted.stderr
    assert json.loads(adopted.stdout)["keyed_from"] == 3
    assert run(["verify-audit-trail"], cli_env(database)).returncode == 0
