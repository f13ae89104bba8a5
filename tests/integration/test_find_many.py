"""Many aggregates loaded in one read of the real event store: each exactly as loading it alone
gives it (several events, a snapshot and the events after it, personal data unsealed or read as
erased), unknown ids absent, an aggregate of another kind refused."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import GiveConsent, RegisterCustomer, WithdrawConsent
from domain.customer.errors import CustomerNotFoundError
from domain.customer.model import Customer
from domain.customer.profile import ConsentPurpose
from domain.ledger import SNAPSHOT_EVERY, Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.privacy.erasure import ErasureReason
from domain.shared.aggregate import LedgerAggregate
from domain.shared.metadata import EventMetadata
from tests.support.ledgers import in_memory_ledger


def _no_customer() -> CustomerNotFoundError:
    return CustomerNotFoundError("no such customer")


def register(ledger: Ledger, agent: EventMetadata, name: str) -> UUID:
    command = RegisterCustomer(name, f"{name.lower()}@example.org", region="NORDICS")
    return ledger.register_customer(command, agent).aggregate_id


def state(aggregate: LedgerAggregate) -> dict[str, Any]:
    return dict(vars(aggregate))


def one_by_one(ledger: Ledger, ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    found = {i: ledger.find(i, Customer, _no_customer) for i in ids}
    return {i: state(c) for i, c in found.items() if c is not None}


@pytest.fixture
def customers(ledger: Ledger, agent: EventMetadata) -> list[UUID]:
    """Ada with a few events, Grace with more than a snapshot's worth, Alan erased."""
    ada, grace, alan = (register(ledger, agent, n) for n in ("Ada", "Grace", "Alan"))
    ledger.handle(GiveConsent(ada, ConsentPurpose.MARKETING), agent)
    for _ in range(SNAPSHOT_EVERY // 2 + 3):
        ledger.handle(GiveConsent(grace, ConsentPurpose.MARKETING), agent)
        ledger.handle(WithdrawConsent(grace, ConsentPurpose.MARKETING), agent)
    ledger.request_erasure(alan, None, ErasureReason.CUSTOMER_REQUEST, 0, agent)
    ledger.complete_erasure(alan, agent)
    return [ada, grace, alan]


def test_many_customers_load_as_each_loads_alone(ledger: Ledger, customers: list[UUID]) -> None:
    """Several events, a snapshot and the events after it, an erased customer: all equal."""
    ada, grace, alan = customers
    assert ledger.snapshots is not None
    assert [s.originator_version for s in ledger.snapshots.get(grace)] == [SNAPSHOT_EVERY]

    loaded = ledger.find_many(customers, Customer, _no_customer)

    assert {i: state(c) for i, c in loaded.items()} == one_by_one(ledger, customers)
    assert loaded[ada].name.value == "Ada" and loaded[alan].name.is_erased
    assert loaded[grace].version > SNAPSHOT_EVERY and "consents" in state(loaded[grace])


def test_the_streams_are_read_in_one_statement_not_one_by_one(
    ledger: Ledger, customers: list[UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    def one_stream(*args: object, **kwargs: object) -> None:
        raise AssertionError("a stream read alone")

    monkeypatch.setattr(ledger.recorder, "select_events", one_stream)
    assert ledger.snapshots is not None
    monkeypatch.setattr(ledger.snapshots.recorder, "select_events", one_stream)

    assert set(ledger.find_many(customers, Customer, _no_customer)) == set(customers)


def test_unknown_ids_are_absent_and_repeated_ids_load_once(
    ledger: Ledger, customers: list[UUID]
) -> None:
    ada = customers[0]
    loaded = ledger.find_many([uuid4(), ada, ada, uuid4()], Customer, _no_customer)
    assert list(loaded) == [ada]
    assert ledger.find_many([], Customer, _no_customer) == {}
    assert ledger.find_many([uuid4()], LoyaltyAccount, _no_customer) == {}


def test_an_aggregate_of_another_kind_is_refused_as_one_alone_is(
    ledger: Ledger, customers: list[UUID], agent: EventMetadata
) -> None:
    ada = customers[0]
    account = ledger.enrol_in_loyalty(ada, agent).aggregate_id
    with pytest.raises(CustomerNotFoundError):
        ledger.find_many([ada, account], Customer, _no_customer)
    with pytest.raises(CustomerNotFoundError):
        ledger.find(account, Customer, _no_customer)
    found = ledger.find_many([ada, account], LedgerAggregate, _no_customer)
    assert {type(a) for a in found.values()} == {Customer, LoyaltyAccount}


def test_in_memory_persistence_loads_them_one_by_one(agent: EventMetadata) -> None:
    ledger = in_memory_ledger()
    ada, grace = register(ledger, agent, "Ada"), register(ledger, agent, "Grace")
    loaded = ledger.find_many([ada, uuid4(), grace], Customer, _no_customer)
    assert {i: state(c) for i, c in loaded.items()} == one_by_one(ledger, [ada, grace])
