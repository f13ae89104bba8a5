"""A registration's subject key is written in its events' transaction (one commit, not two):
a subject that had a key or a tombstone after all gets its events sealed again under the
stored key (or as erased) while its neighbours in the batch commit, and a writer killed
mid-run leaves no event without its key."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from psycopg_pool import ConnectionPool

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from domain.shared.personal_data import MasterKeyMismatchError
from infrastructure.database import Database
from infrastructure.key_store import PostgresSubjectKeys
from tests.integration.test_group_commit import (
    BatchSizes,
    grouped,
    kill_writer_after,
    log_of,
    log_rows,
)
from tests.integration.test_master_key_guard import OTHER_KEY_TEXT, key_rows, ledger_with
from tests.support.ledgers import postgres_ledger, secrets_for_tests


def key_row(database: Database, subject: UUID) -> tuple[bytes | None, int] | None:
    """The subject's wrapped key (None: a tombstone) and the id of the transaction that wrote
    its row; None if the subject has no row."""
    with database.connect() as conn:
        row = conn.execute(
            "SELECT wrapped_key, xmin::text::bigint FROM cxl_subject_keys WHERE subject_id = %s",
            (subject,),
        ).fetchone()
    return None if row is None else (None if row[0] is None else bytes(row[0]), int(row[1]))


def writers_of_events(database: Database, originator: UUID) -> set[int]:
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT xmin::text::bigint FROM ledger_events WHERE originator_id = %s", (originator,)
        ).fetchall()
    return {int(row[0]) for row in rows}


def another_process_keys(database: Database) -> tuple[PostgresSubjectKeys, ConnectionPool[Any]]:
    """The key store of another process: what it stores this process's cache has not seen."""
    pool: ConnectionPool[Any] = ConnectionPool(database.conninfo, min_size=1, max_size=1, open=True)
    return PostgresSubjectKeys(pool, secrets_for_tests().master_key), pool


def register(ledger: Ledger, agent: EventMetadata, name: str, customer_id: UUID) -> int:
    email = f"{name.lower().replace(' ', '.')}@example.org"
    command = RegisterCustomer(name, email, customer_id=customer_id)
    return ledger.register_customer(command, agent).position


def test_a_registrations_key_commits_in_the_transaction_of_its_events(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    customer = uuid4()
    register(ledger, agent, "Ada Lovelace", customer)

    stored = key_row(database, customer)
    assert stored is not None and stored[0] is not None
    assert writers_of_events(database, customer) == {stored[1]}, "one transaction wrote both"
    with postgres_ledger(database) as cold:  # another process: the key comes from the table
        assert cold.get_customer(customer).name.value == "Ada Lovelace"


def test_a_subject_keyed_elsewhere_is_sealed_again_under_that_key_and_its_batch_commits(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Another process stored a key for the subject first: this process, not knowing it, seals
    the registration under a fresh key whose insert is refused. That command alone is written
    again, sealed under the stored key; its neighbours in the batch commit with their keys."""
    keyed_elsewhere, others = uuid4(), [uuid4() for _ in range(5)]
    elsewhere, pool = another_process_keys(database)
    try:
        assert elsewhere.create_key(keyed_elsewhere) is not None
    finally:
        pool.close()
    stored_before = key_row(database, keyed_elsewhere)
    batches = BatchSizes(log_of(ledger))
    positions: dict[UUID, int] = {}

    def registration(customer: UUID, name: str) -> Any:
        return lambda: positions.setdefault(customer, register(ledger, agent, name, customer))

    calls = [registration(keyed_elsewhere, "Grace Hopper")]
    calls += [registration(other, f"Other No {i}") for i, other in enumerate(others)]
    grouped(database, log_of(ledger), calls)

    assert batches.sizes[-2:] == [len(calls), 1], "one batch, then the clashing command alone"
    assert set(positions) == {keyed_elsewhere, *others}, "every registration committed"
    assert key_row(database, keyed_elsewhere) == stored_before, "the stored key stays"
    for other in others:  # each in its own savepoint of the batch, with its key
        assert (row := key_row(database, other)) is not None and row[0] is not None
        assert writers_of_events(database, other) == {row[1]}
    with postgres_ledger(database) as cold:
        assert cold.get_customer(keyed_elsewhere).name.value == "Grace Hopper"
        assert [cold.get_customer(o).name.value for o in others] == [
            f"Other No {i}" for i in range(5)
        ]


def test_an_erased_subject_gets_no_fresh_key_from_a_command_creating_its_aggregate(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """A tombstone refuses the fresh key: the events are sealed again, as erased."""
    erased = uuid4()
    elsewhere, pool = another_process_keys(database)
    try:
        elsewhere.destroy(erased)
    finally:
        pool.close()

    register(ledger, agent, "Erased Person", erased)

    assert (row := key_row(database, erased)) is not None and row[0] is None, "still a tombstone"
    assert ledger.get_customer(erased).name.value is None
    with postgres_ledger(database) as cold:
        assert cold.get_customer(erased).name.value is None


def test_a_process_with_a_foreign_master_key_stores_no_fresh_key_and_writes_no_event(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The fresh key's insert checks the master key as ``create_key`` does: a process that
    skipped the start check is refused, and its events are not written."""
    register(ledger, agent, "Ada Lovelace", uuid4())
    keys_before, head_before = key_rows(database), ledger.head_position()
    with ledger_with(database, OTHER_KEY_TEXT, checked=False) as foreign:
        # Past the email's fingerprint key (sealed under the master key too, so a foreign
        # process fails there first) to the subject key.
        foreign.fingerprint_email = ledger.fingerprint_email
        with pytest.raises(MasterKeyMismatchError):
            register(foreign, agent, "Grace Hopper", uuid4())
    assert key_rows(database) == keys_before
    assert ledger.head_position() == head_before


def test_a_writer_killed_mid_run_leaves_no_event_without_its_key(database: Database) -> None:
    with postgres_ledger(database):
        pass  # migrated; the child process writes through a ledger of its own
    acknowledged = kill_writer_after(database, acknowledgements=200)

    registered = {r[1] for r in log_rows(database) if r[3].endswith("Customer.Registered")}
    with database.connect() as conn:
        keyed = {row[0] for row in conn.execute("SELECT subject_id FROM cxl_subject_keys")}
    assert {customer for customer, _ in acknowledged} <= registered
    assert keyed == registered, "each key came with its events, and each event with its key"
    with postgres_ledger(database) as cold:
        names = [cold.get_customer(customer).name.value for customer in registered]
    assert None not in names
