"""Tamper evidence: the database refuses to change stored events, and the keyed audit chain
shows the first position where a superuser altered, deleted or forged a row, even after
recomputing the chain without the key; an anchor kept outside the database shows a rewrite even
by someone who holds the key. Erasure (destroying a subject's key) changes no stored event, so
the chain stays intact across it."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator

import psycopg
import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.audit.projection import AuditChain
from projections.audit.verify import AuditVerification, verify_audit_trail
from tests.support.audit import as_superuser_without_triggers
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import TEST_AUDIT_KEYS

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)


@pytest.fixture
def chained(ledger: Ledger, database: Database) -> Iterator[Ledger]:
    """Five customers registered (ten events), and the chain caught up with them."""
    for n in range(5):
        ledger.register_customer(RegisterCustomer(f"P{n}", f"p{n}@example.org"), AGENT)
    with database.connect() as conn:
        ProjectionRunner(ledger, database, AuditChain(TEST_AUDIT_KEYS.chain), 3).catch_up(conn)
    yield ledger


def verify(
    database: Database, first: int = 1, last: int | None = None, most: int | None = None
) -> AuditVerification:
    async def run() -> AuditVerification:
        async with await psycopg.AsyncConnection.connect(database.conninfo) as conn:
            return await verify_audit_trail(
                conn, TEST_AUDIT_KEYS.chain, first, last, max_positions=most
            )

    return asyncio.run(run())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_events SET state = state || '\\x00'::bytea WHERE notification_id = 3",
        "DELETE FROM ledger_events WHERE notification_id = 3",
        "TRUNCATE ledger_events",
    ],
    ids=["update", "delete", "truncate"],
)
def test_the_database_refuses_to_change_stored_events(
    chained: Ledger, database: Database, statement: str
) -> None:
    with database.connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
    assert verify(database).intact


def test_an_intact_log_verifies(chained: Ledger, database: Database) -> None:
    result = verify(database)
    assert result == AuditVerification(1, 10, 10, 10, None, None)


def test_a_bounded_check_stops_after_its_range_and_says_where_to_continue(
    chained: Ledger, database: Database
) -> None:
    as_superuser_without_triggers(
        database, "UPDATE ledger_events SET state = state || ' '::bytea WHERE notification_id = 9"
    )
    first_part = verify(database, 1, None, most=4)
    assert first_part == AuditVerification(1, 4, 4, 10, None, None, continue_from=5)
    second_part = verify(database, 5, None, most=4)
    assert second_part == AuditVerification(5, 8, 4, 10, None, None, continue_from=9)
    last_part = verify(database, 9, None, most=4)
    assert (last_part.first_altered_position, last_part.problem) == (9, "altered")
    assert last_part.continue_from is None


def test_a_bounded_check_of_a_short_range_covers_it_all(
    chained: Ledger, database: Database
) -> None:
    assert verify(database, 3, 6, most=4) == AuditVerification(3, 6, 4, 10, None, None)


def test_a_row_altered_by_a_superuser_is_found_at_its_position(
    chained: Ledger, database: Database
) -> None:
    as_superuser_without_triggers(
        database, "UPDATE ledger_events SET state = state || ' '::bytea WHERE notification_id = 7"
    )
    result = verify(database)
    assert (result.first_altered_position, result.problem) == (7, "altered")
    assert verify(database, 1, 6).intact
    assert verify(database, 8).intact  # each link is checked against the stored one before


def test_a_deleted_row_is_reported_missing(chained: Ledger, database: Database) -> None:
    as_superuser_without_triggers(database, "DELETE FROM ledger_events WHERE notification_id = 4")
    assert (verify(database).first_altered_position, verify(database).problem) == (4, "missing")


def test_a_row_replaced_by_a_forged_one_is_found(chained: Ledger, database: Database) -> None:
    as_superuser_without_triggers(
        database,
        "DELETE FROM ledger_events WHERE notification_id = 6;"
        " INSERT INTO ledger_events (originator_id, originator_version, topic, state,"
        " notification_id) VALUES (gen_random_uuid(), 1, 'forged', '\\x00', 6)",
    )
    result = verify(database)
    assert (result.first_altered_position, result.problem) == (6, "altered")


def test_a_removed_link_shows_as_an_unchained_row(chained: Ledger, database: Database) -> None:
    as_superuser_without_triggers(database, "DELETE FROM audit_chain WHERE position = 5")
    result = verify(database)
    assert (result.first_altered_position, result.problem) == (5, "unchained")


def test_erasing_a_subject_changes_no_stored_event(chained: Ledger, database: Database) -> None:
    with database.connect() as conn:
        conn.execute("DELETE FROM cxl_subject_keys")  # erasure is key destruction
        conn.commit()
    assert verify(database).intact


def test_the_cli_exits_1_and_names_the_altered_position(
    chained: Ledger, database: Database
) -> None:
    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CXLEDGER, "verify-audit-trail"],
            cwd=REPO,
            env=cli_env(database),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    intact = run()
    assert intact.returncode == 0, intact.stderr
    assert json.loads(intact.stdout)["intact"] is True
    as_superuser_without_triggers(
        database, "UPDATE ledger_events SET topic = topic || 'x' WHERE notification_id = 2"
    )
    altered = run()
    assert altered.returncode == 1
    assert json.loads(altered.stdout)["first_altered_position"] == 2
