"""A process with the wrong master key refuses to start and writes nothing; rotation rewraps
every key under a new master key, keeping every customer readable and erased ones erased."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.customer.errors import EmailAlreadyRegisteredError
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.shared.personal_data import MasterKeyMismatchError
from infrastructure.bootstrap import build_ledger
from infrastructure.crypto import MasterKey
from infrastructure.database import Database
from infrastructure.key_store import PostgresSubjectKeys
from infrastructure.master_key_guard import verify_master_key
from infrastructure.master_key_rotation import rotate_master_key
from infrastructure.secrets import Secrets
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import (
    FAST_PASSWORDS,
    TEST_AUDIT_KEYS,
    TEST_JWT_SECRET,
    TEST_MASTER_KEY_TEXT,
)
from tests.support.server import free_port, live_api

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
OFFICER = EventMetadata("officer-1", Role.PRIVACY_OFFICER, Channel.WEB)
OTHER_KEY_TEXT = "11" * 32
THIRD_KEY_TEXT = "22" * 32


def key(text: str) -> MasterKey:
    return MasterKey.from_text(text)


@contextlib.contextmanager
def ledger_with(database: Database, key_text: str, *, checked: bool = True) -> Iterator[Ledger]:
    """A ledger wired as a process is; ``checked`` runs the start check (a process that skips
    it stands for one started before a rotation, or one that bypassed it)."""
    pool: ConnectionPool[Any] = ConnectionPool(database.conninfo, min_size=1, max_size=2, open=True)
    secrets = Secrets(
        master_key=key(key_text), jwt_secret=TEST_JWT_SECRET, audit_keys=TEST_AUDIT_KEYS
    )
    ledger, _ = build_ledger(database, secrets, 2, pool, FAST_PASSWORDS)
    try:
        if checked:
            with pool.connection() as conn:
                verify_master_key(conn, key(key_text))
        yield ledger
    finally:
        ledger.close()
        pool.close()


def cxledger(args: list[str], database: Database, key_text: str, **extra: str) -> Any:
    env = cli_env(database, None, CXL_MASTER_KEY=key_text, **extra)
    return subprocess.run(
        [*CXLEDGER, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def register(ledger: Ledger, name: str, email: str, password: str | None = None) -> UUID:
    command = RegisterCustomer(name, email, password=password)
    return ledger.register_customer(command, AGENT).aggregate_id


def key_rows(database: Database) -> int:
    with database.connect() as conn:
        row = conn.execute("SELECT count(*) FROM cxl_subject_keys").fetchone()
    assert row is not None
    return int(row[0])


def erased_key_rows(database: Database) -> list[tuple[Any, ...]]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT subject_id, erased_at FROM cxl_subject_keys WHERE wrapped_key IS NULL"
            " ORDER BY subject_id"
        ).fetchall()


def test_a_second_process_with_another_master_key_refuses_to_start(
    ledger: Ledger, database: Database
) -> None:
    register(ledger, "Ada Lovelace", "ada@example.org")
    assert cxledger(["status"], database, TEST_MASTER_KEY_TEXT).returncode == 0
    refused = cxledger(["status"], database, OTHER_KEY_TEXT)
    assert refused.returncode == 2
    assert "CXL_MASTER_KEY" in refused.stderr
    assert "rotate-master-key" in refused.stderr


def test_serve_with_another_master_key_exits_before_serving(
    ledger: Ledger, database: Database
) -> None:
    port = str(free_port())
    started = time.monotonic()
    refused = cxledger(["serve"], database, OTHER_KEY_TEXT, CXL_PORT=port)
    assert refused.returncode == 2
    assert "CXL_MASTER_KEY" in refused.stderr
    assert time.monotonic() - started < 60


def test_a_database_from_before_the_check_value_is_told_its_key_by_its_subject_keys(
    ledger: Ledger, database: Database
) -> None:
    register(ledger, "Ada Lovelace", "ada@example.org")
    with database.connect() as conn:
        conn.execute("DELETE FROM cxl_master_key_check")
    assert cxledger(["status"], database, OTHER_KEY_TEXT).returncode == 2
    assert cxledger(["status"], database, TEST_MASTER_KEY_TEXT).returncode == 0
    with database.connect() as conn:
        recorded = conn.execute("SELECT check_value FROM cxl_master_key_check").fetchone()
    assert recorded is not None and bytes(recorded[0]) == key(TEST_MASTER_KEY_TEXT).check_value()


def test_a_process_that_skipped_the_check_makes_no_key_and_writes_no_event(
    ledger: Ledger, database: Database
) -> None:
    register(ledger, "Ada Lovelace", "ada@example.org")
    keys_before, head_before = key_rows(database), ledger.head_position()
    with (
        ledger_with(database, OTHER_KEY_TEXT, checked=False) as foreign,
        pytest.raises(MasterKeyMismatchError),
    ):
        register(foreign, "Grace Hopper", "grace@example.org")
    assert key_rows(database) == keys_before
    assert ledger.head_position() == head_before


def test_a_key_that_does_not_unwrap_is_a_typed_error_not_an_erased_value(
    ledger: Ledger, database: Database
) -> None:
    customer = register(ledger, "Ada Lovelace", "ada@example.org")
    with (
        ledger_with(database, OTHER_KEY_TEXT, checked=False) as foreign,
        pytest.raises(MasterKeyMismatchError) as raised,
    ):
        foreign.get_customer(customer)
    assert str(customer) in raised.value.detail
    assert "CXL_MASTER_KEY" in raised.value.detail


def test_the_api_answers_a_foreign_key_with_a_code_not_an_unexpected_error(
    ledger: Ledger, database: Database
) -> None:
    customer = register(ledger, "Ada Lovelace", "ada@example.org")
    mutation = """mutation($id: UUID!) { changeContactDetails(input: {customerId: $id,
        name: "Ada King"}) { customer { id } userErrors { code } } }"""
    with (
        ledger_with(database, OTHER_KEY_TEXT, checked=False) as foreign,
        live_api(foreign, database, run_worker=False) as api,
    ):
        answer = api.graphql(mutation, {"id": str(customer)}, role=Role.AGENT).json()
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "MASTER_KEY_MISMATCH"
    assert error["message"] != "Unexpected error."
    assert ledger.get_customer(customer).name.reveal() == "Ada Lovelace"


def test_rotation_keeps_every_customer_readable_and_erased_ones_erased(
    ledger: Ledger, database: Database
) -> None:
    ada = register(ledger, "Ada Lovelace", "ada@example.org", password="Analytical-Engine-1843")
    grace = register(ledger, "Grace Hopper", "grace@example.org")
    erased = register(ledger, "Eve Erased", "eve@example.org")
    ledger.request_erasure(erased, None, ErasureReason.CUSTOMER_REQUEST, 0, OFFICER)
    ledger.complete_erasure(erased, OFFICER)

    tombstones = erased_key_rows(database)

    summary = rotate_master_key(database, key(TEST_MASTER_KEY_TEXT), key(OTHER_KEY_TEXT))

    assert summary.subject_keys_rewrapped == 2  # Ada's and Grace's; Eve's key stays destroyed
    assert erased_key_rows(database) == tombstones
    assert summary.erased_subjects_kept == len(tombstones)
    with ledger_with(database, OTHER_KEY_TEXT) as rotated:
        assert rotated.get_customer(ada).name.reveal() == "Ada Lovelace"
        assert rotated.get_customer(grace).email.reveal() == "grace@example.org"
        assert rotated.get_customer(erased).name.is_erased
        assert rotated.verify_credentials("ada@example.org", "Analytical-Engine-1843") == ada
        with pytest.raises(EmailAlreadyRegisteredError):
            register(rotated, "Ada Again", "ada@example.org")
        rotated.change_contact_details(ChangeContactDetails(grace, name="Grace B. Hopper"), AGENT)
        newcomer = register(rotated, "Katherine Johnson", "katherine@example.org")
        assert rotated.get_customer(newcomer).name.reveal() == "Katherine Johnson"
    with database.connect() as conn, pytest.raises(MasterKeyMismatchError):
        verify_master_key(conn, key(TEST_MASTER_KEY_TEXT))


def test_rotation_with_a_wrong_old_key_changes_nothing(ledger: Ledger, database: Database) -> None:
    register(ledger, "Ada Lovelace", "ada@example.org")
    with database.connect() as conn:
        before = conn.execute("SELECT subject_id, wrapped_key FROM cxl_subject_keys").fetchall()
    with pytest.raises(MasterKeyMismatchError):
        rotate_master_key(database, key(OTHER_KEY_TEXT), key(THIRD_KEY_TEXT))
    with database.connect() as conn:
        after = conn.execute("SELECT subject_id, wrapped_key FROM cxl_subject_keys").fetchall()
        verify_master_key(conn, key(TEST_MASTER_KEY_TEXT))
    assert after == before


def test_a_key_made_under_the_old_key_during_a_rotation_is_refused(
    ledger: Ledger, database: Database
) -> None:
    """The rotation's table lock holds a key creator back; once the rotation commits, the
    creator's guard sees the new check value and refuses instead of wrapping under the old."""
    register(ledger, "Ada Lovelace", "ada@example.org")
    pool: ConnectionPool[Any] = ConnectionPool(database.conninfo, min_size=1, max_size=1, open=True)
    store = PostgresSubjectKeys(pool, key(TEST_MASTER_KEY_TEXT))
    outcome: list[BaseException | bytes | None] = []
    newcomer = uuid4()

    def create() -> None:
        try:
            outcome.append(store.create_key(newcomer))
        except MasterKeyMismatchError as error:
            outcome.append(error)

    with psycopg.connect(database.conninfo) as rotation:
        rotation.execute("LOCK TABLE cxl_subject_keys IN EXCLUSIVE MODE")
        rotation.execute(
            "UPDATE cxl_master_key_check SET check_value = %s", (key(OTHER_KEY_TEXT).check_value(),)
        )
        creator = threading.Thread(target=create)
        creator.start()
        time.sleep(0.5)
        assert not outcome, "the creator went past the rotation's lock"
        rotation.commit()
    creator.join(10)
    pool.close()
    assert len(outcome) == 1 and isinstance(outcome[0], MasterKeyMismatchError)
    with database.connect() as conn:
        made = conn.execute(
            "SELECT 1 FROM cxl_subject_keys WHERE subject_id = %s", (newcomer,)
        ).fetchone()
    assert made is None


def test_rotate_master_key_from_the_command_line(ledger: Ledger, database: Database) -> None:
    customer = register(ledger, "Ada Lovelace", "ada@example.org")
    rotated = cxledger(
        ["rotate-master-key"], database, TEST_MASTER_KEY_TEXT, CXL_NEW_MASTER_KEY=OTHER_KEY_TEXT
    )
    assert rotated.returncode == 0, rotated.stderr
    assert '"subject_keys_rewrapped": 1' in rotated.stdout
    assert cxledger(["status"], database, OTHER_KEY_TEXT).returncode == 0
    assert cxledger(["status"], database, TEST_MASTER_KEY_TEXT).returncode == 2
    with ledger_with(database, OTHER_KEY_TEXT) as after:
        assert after.get_customer(customer).name.reveal() == "Ada Lovelace"


def test_rotate_master_key_needs_the_new_key(database: Database) -> None:
    refused = cxledger(["rotate-master-key"], database, TEST_MASTER_KEY_TEXT)
    assert refused.returncode == 2
    assert "CXL_NEW_MASTER_KEY" in refused.stderr
