"""Many aggregates loaded in one read of the real event store: each exactly as loading it alone
gives it (several events, a snapshot and the events after it, personal data unsealed or read as
erased), unknown ids absent, an aggregate of another kind refused."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, cast
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from domain.customer.commands import GiveConsent, RegisterCustomer, WithdrawConsent
from domain.customer.errors import CustomerNotFoundError
from domain.customer.model import Customer
from domain.customer.profile import ConsentPurpose
from domain.ledger import SNAPSHOT_EVERY, Ledger
from domain.loyalty.account import LoyaltyAccount
from domain.privacy.erasure import ErasureReason
from domain.shared.aggregate import LedgerAggregate
from domain.shared.application import of_kind
from domain.shared.metadata import EventMetadata
from domain.shared.ports import ManyStreamsReader
from domain.survey.commands import DraftSurvey
from domain.survey.model import Survey
from domain.survey.values import SurveyChannel, SurveyKind
from infrastructure.stream_reads import StreamsSelection
from tests.support.ledgers import in_memory_ledger
from tests.support.reads_counted import reads_counted


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


# --- aggregates of several kinds read together (a survey answer's survey, customer, account) --


def _one_by_one_any(ledger: Ledger, ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    found = {i: ledger.find(i) for i in ids}
    return {i: state(a) for i, a in found.items() if a is not None}


def test_aggregates_of_several_kinds_load_together_as_each_loads_alone(
    ledger: Ledger, customers: list[UUID], agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A customer past a snapshot, one erased, a loyalty account, a survey (a kind that takes
    no snapshot) and an unknown id: each as ``find`` gives it, in one read of both tables."""
    ada, grace, alan = customers
    account = ledger.enrol_in_loyalty(grace, agent).aggregate_id
    survey = ledger.draft_survey(
        DraftSurvey(SurveyKind.NPS, "After delivery", "Recommend us?", [SurveyChannel.EMAIL]),
        agent,
    ).aggregate_id
    unknown = uuid4()
    ids = [ada, grace, alan, account, survey, unknown]
    expected = _one_by_one_any(ledger, ids)
    reads: list[str] = []
    assert ledger.snapshots is not None
    for name, recorder in (("log", ledger.recorder), ("snapshots", ledger.snapshots.recorder)):
        monkeypatch.setattr(recorder, "select_events", _read_alone)
        for method in ("select_streams", "select_latest", "select_from_latest"):
            real = getattr(recorder, method)
            monkeypatch.setattr(recorder, method, _counted(real, reads, f"{name}.{method}"))
    kinds: dict[UUID, type[LedgerAggregate]] = dict.fromkeys(customers, Customer)
    kinds |= {account: LoyaltyAccount, survey: Survey, unknown: Customer}

    found = ledger.find_together(kinds)

    assert {i: state(a) for i, a in found.items()} == expected
    assert unknown not in found and found[grace].version > SNAPSHOT_EVERY
    assert reads == ["log.select_from_latest"]
    assert of_kind(found[account], LoyaltyAccount, _no_customer) is found[account]
    assert of_kind(found.get(unknown), Customer, _no_customer) is None
    with pytest.raises(CustomerNotFoundError):
        of_kind(found[account], Customer, _no_customer)


def test_the_snapshots_and_the_streams_after_them_are_read_in_one_statement(
    ledger: Ledger, customers: list[UUID], agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One round trip for many kinds together and for many of one kind, snapshots or not."""
    grace = customers[1]
    account = ledger.enrol_in_loyalty(grace, agent).aggregate_id
    statements = reads_counted(ledger, monkeypatch)

    together = ledger.find_together({**dict.fromkeys(customers, Customer), account: Customer})
    assert len(statements) == 1 and set(together) == {*customers, account}
    many = ledger.find_many(customers, Customer, _no_customer)
    assert len(statements) == 2 and many[grace].version > SNAPSHOT_EVERY


def test_snapshots_kept_elsewhere_are_read_first_then_the_streams_after_them(
    ledger: Ledger, customers: list[UUID]
) -> None:
    """A snapshots reader that is not a table beside the log (here a stand-in): its latest
    snapshots, then the log after them, the same events in the same order per stream."""
    assert ledger.snapshots is not None
    recorder = cast(StreamsSelection, ledger.recorder)
    snapshots = cast(StreamsSelection, ledger.snapshots.recorder)
    elsewhere = _SnapshotsElsewhere(snapshots)
    ids = [*customers, uuid4()]

    apart = recorder.select_from_latest(elsewhere, customers, ids)
    together = recorder.select_from_latest(snapshots, customers, ids)

    assert elsewhere.asked == [customers]
    assert _by_stream(apart) == _by_stream(together)
    assert _by_stream(together)[customers[1]][0].originator_version == SNAPSHOT_EVERY


def test_kinds_that_take_no_snapshot_are_read_together_without_the_snapshots(
    ledger: Ledger, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = ledger.draft_survey(
        DraftSurvey(SurveyKind.NPS, "After delivery", "Recommend us?", [SurveyChannel.EMAIL]),
        agent,
    ).aggregate_id
    assert ledger.snapshots is not None
    monkeypatch.setattr(ledger.snapshots.recorder, "select_latest", _read_alone)
    assert list(ledger.find_together({survey: Survey, uuid4(): Survey})) == [survey]


def test_in_memory_persistence_reads_several_kinds_one_by_one(agent: EventMetadata) -> None:
    ledger = in_memory_ledger()
    ada = register(ledger, agent, "Ada")
    account = ledger.enrol_in_loyalty(ada, agent).aggregate_id
    ids = [ada, account, uuid4()]
    found = ledger.find_together({ada: Customer, account: LoyaltyAccount, ids[2]: Customer})
    assert {i: state(a) for i, a in found.items()} == _one_by_one_any(ledger, ids)


class _SnapshotsElsewhere:
    """The snapshots' recorder seen through a reader that is not a table of the log's."""

    def __init__(self, snapshots: StreamsSelection) -> None:
        self.snapshots = snapshots
        self.asked: list[list[UUID]] = []

    def select_streams(self, after: Mapping[UUID, int]) -> Sequence[StoredEvent]:
        return self.snapshots.select_streams(after)

    def select_latest(self, ids: Collection[UUID]) -> Sequence[StoredEvent]:
        self.asked.append(list(ids))
        return self.snapshots.select_latest(ids)

    def select_from_latest(
        self, snapshots: ManyStreamsReader, taking: Collection[UUID], ids: Collection[UUID]
    ) -> Sequence[StoredEvent]:
        raise AssertionError("not asked of a snapshots reader")


def _by_stream(stored: Sequence[StoredEvent]) -> dict[UUID, list[StoredEvent]]:
    streams: dict[UUID, list[StoredEvent]] = {}
    for event in stored:
        streams.setdefault(UUID(str(event.originator_id)), []).append(event)
    return streams


def _read_alone(*args: object, **kwargs: object) -> None:
    raise AssertionError("read alone")


def _counted(real: Callable[..., Any], reads: list[str], name: str) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(name)
        return real(*args, **kwargs)

    return counted
