"""The event store's pool hands out the connection used last (``infrastructure.pool_order``):
one writer's commands keep to one server process instead of going round the whole pool."""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresDatastore

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata


def datastore_of(ledger: Ledger) -> PostgresDatastore:
    datastore: Any = getattr(ledger.recorder, "datastore", None)
    assert isinstance(datastore, PostgresDatastore)
    return datastore


def backend_pid(datastore: PostgresDatastore) -> int:
    with datastore.get_connection() as conn:
        return int(conn.info.backend_pid)


def test_one_writer_keeps_to_the_connection_it_used_last(
    ledger: Ledger, agent: EventMetadata
) -> None:
    datastore = datastore_of(ledger)
    held = [datastore.pool.getconn() for _ in range(4)]  # open the whole pool (4 in tests)
    for conn in held:
        datastore.pool.putconn(conn)
    assert len({int(conn.info.backend_pid) for conn in held}) == 4
    last = int(held[-1].info.backend_pid)
    assert backend_pid(datastore) == last, "the one given back last, not the one idle longest"
    for n in range(6):  # each a read (the email claim) and an append, on whichever it gets
        ledger.register_customer(RegisterCustomer(f"Solo {n}", f"solo{n}@example.org"), agent)
    assert backend_pid(datastore) == backend_pid(datastore)
    with datastore.get_connection() as conn:
        busy = int(conn.info.backend_pid)
        assert backend_pid(datastore) != busy, "a connection in use is never handed out"
    assert backend_pid(datastore) == busy
