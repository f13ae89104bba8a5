"""The notification log read in binary, as tuples (``infrastructure.log_reads``), gives the very
notifications the library's ``select_notifications`` gives, for every kind of range and
topic filter the product asks for."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.postgres import PostgresApplicationRecorder

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.log_reads import NotificationsSelection

REGISTERED = f"{Customer.Registered.__module__}:{Customer.Registered.__qualname__}"
READS: list[dict[str, Any]] = [
    {"start": 1, "limit": 100},
    {"start": None, "limit": 100},
    {"start": 3, "limit": 4},
    {"start": 3, "limit": 100, "inclusive_of_start": False},
    {"start": 2, "limit": 100, "stop": 9},
    {"start": None, "limit": 5, "stop": 9},
    {"start": 1, "limit": 100, "topics": [REGISTERED]},
    {"start": 4, "limit": 2, "stop": 20, "topics": (REGISTERED,)},
    {"start": 1000, "limit": 10},
]


@pytest.mark.parametrize("read", READS, ids=[str(read) for read in READS])
def test_the_log_read_in_binary_is_the_librarys_read(
    ledger: Ledger, agent: EventMetadata, read: dict[str, Any]
) -> None:
    _four_customers_renamed(ledger, agent)
    recorder = ledger.recorder
    assert isinstance(recorder, NotificationsSelection)

    ours = recorder.select_notifications(**read)
    librarys = PostgresApplicationRecorder.select_notifications(recorder, **read)

    assert list(ours) == list(librarys)
    assert ours or read["start"] == 1000
    assert [type(row.state) for row in ours] == [bytes] * len(ours)
    assert [vars(row) for row in ours] == [vars(row) for row in librarys]


IN_ORDER_READS: list[dict[str, Any]] = [
    {"start": 1, "limit": 100, "stop": 20},
    {"start": 3, "limit": 4, "stop": 20},
    {"start": 2, "limit": 100, "stop": 9},
    {"start": 1, "limit": 3, "stop": 20, "topics": [REGISTERED]},
    {"start": 4, "limit": 100, "stop": 20, "topics": [REGISTERED]},
    {"start": 1000, "limit": 10, "stop": 2000},
]


@pytest.mark.parametrize("read", IN_ORDER_READS, ids=[str(read) for read in IN_ORDER_READS])
def test_the_read_in_position_order_is_the_librarys_read_and_leaves_sorting_on(
    ledger: Ledger, agent: EventMetadata, read: dict[str, Any]
) -> None:
    """A rebuild's read (planned to walk the positions' index, sorting put off for that
    statement only) gives the library's rows, and the pooled connection it used sorts again
    afterwards."""
    _four_customers_renamed(ledger, agent)
    recorder = ledger.recorder
    assert isinstance(recorder, NotificationsSelection)

    ours = recorder.select_notifications_in_position_order(
        read["start"], read["limit"], read["stop"], read.get("topics", ())
    )
    librarys = PostgresApplicationRecorder.select_notifications(recorder, **read)

    assert [vars(row) for row in ours] == [vars(row) for row in librarys]
    assert ours or read["start"] == 1000
    with recorder.datastore.get_connection() as conn:
        assert conn.execute("SHOW enable_sort").fetchone() == {"enable_sort": "on"}


def _four_customers_renamed(ledger: Ledger, agent: EventMetadata) -> None:
    """Four registrations, each followed by a change of name and phone: eight events."""
    for n in range(4):
        customer = ledger.register_customer(
            RegisterCustomer(f"Ada {n}", f"ada{n}@example.com"), agent
        ).aggregate_id
        change = ChangeContactDetails(customer, name=f"Ada {n}.1", phone="+3312345")
        ledger.change_contact_details(change, agent)
