"""``LedgerAggregate._create`` builds what the library's ``_create`` builds, its look-ups made
once per class: the same event (every field but the timestamp, which is the clock's), the same
aggregate state, and the library's own path wherever the plain one does not fit."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate

from domain.customer.model import Customer, EmailClaim
from domain.shared import aggregate as aggregate_module
from domain.shared.aggregate import LedgerAggregate
from domain.shared.metadata import Channel, EventMetadata, Role, acting_as

METADATA = EventMetadata(actor_id="tester", actor_role=Role.AGENT, channel=Channel.API)


class Tally(LedgerAggregate):
    """An aggregate whose ``__init__`` takes its id and a value, and whose created event
    also applies itself."""

    def __init__(self, id: UUID, start: int) -> None:  # noqa: A002
        self.seen_id = id
        self.count = start

    class Opened(LedgerAggregate.Created):
        start: int

        def apply(self, tally: Tally) -> None:
            tally.count += 1


def _library_create(cls: type[LedgerAggregate], event_class: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("metadata", METADATA)
    return Aggregate._create.__func__(cls, event_class, **kwargs)  # type: ignore[attr-defined]


def _event_fields(event: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(event).items() if k != "timestamp"}


def _state(aggregate: Any) -> dict[str, Any]:
    skipped = {"_created_on", "_modified_on", "_pending_events"}
    return {k: v for k, v in vars(aggregate).items() if k not in skipped}


def _same(ours: Any, theirs: Any) -> None:
    assert type(ours) is type(theirs)
    assert _state(ours) == _state(theirs)
    assert ours.created_on == ours.modified_on == ours.pending_events[0].timestamp
    assert [type(e) for e in ours.pending_events] == [type(e) for e in theirs.pending_events]
    assert _event_fields(ours.pending_events[0]) == _event_fields(theirs.pending_events[0])
    assert list(vars(ours.pending_events[0])) == list(vars(theirs.pending_events[0]))


def test_a_registration_s_aggregates_are_the_library_s() -> None:
    customer_id = uuid4()
    fields: dict[str, Any] = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": None,
        "region": "EU",
        "email_fingerprint": "f" * 64,
    }
    with acting_as(METADATA):
        customer = Customer.register(customer_id, **fields)
        claim = EmailClaim.claim("f" * 64, customer_id)
    registered: Any = customer.pending_events[0]
    theirs = _library_create(
        Customer,
        Customer.Registered,
        id=customer_id,
        name=registered.name,
        email=registered.email,
        phone=None,
        region="EU",
        email_fingerprint="f" * 64,
    )
    _same(customer, theirs)
    _same(
        claim,
        _library_create(EmailClaim, EmailClaim.Claimed, id=claim.id, customer_id=customer_id),
    )
    assert claim.customer_id == customer_id and claim.version == 1


def test_an_init_that_takes_the_id_and_an_apply_run_as_the_library_runs_them() -> None:
    tally_id = uuid4()
    with acting_as(METADATA):
        ours = Tally._create(Tally.Opened, id=tally_id, start=4)
    theirs = _library_create(Tally, Tally.Opened, id=tally_id, start=4)
    _same(ours, theirs)
    assert ours.seen_id == tally_id and ours.count == 5 and ours.version == 1


def test_the_library_s_own_path_where_the_plain_one_does_not_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[type] = []
    library = Aggregate._create.__func__  # type: ignore[attr-defined]

    def counted(cls: type, /, event_class: Any, **kwargs: Any) -> Any:
        calls.append(cls)
        return library(cls, event_class, **kwargs)

    monkeypatch.setattr(Aggregate, "_create", classmethod(counted))
    with acting_as(METADATA):
        Tally._create(Tally.Opened, id=uuid4(), start=1)  # the plain path
        assert calls == []
        with pytest.raises(TypeError, match="non-UUID"):  # an id as text: the library refuses it
            Tally._create(Tally.Opened, id=str(uuid4()), start=1)  # type: ignore[arg-type]
        Tally._create(Tally.Opened, id=uuid4(), start=1, timestamp=None)  # a timestamp given
    assert calls == [Tally, Tally]


def test_an_event_with_a_mutate_of_its_own_gets_no_plan() -> None:
    class Odd(Tally.Opened):
        def mutate(self, aggregate: Any) -> Any:
            return super().mutate(aggregate)

    assert aggregate_module._creation_plan(Tally, Odd) is None
    assert aggregate_module._creation_plan(Tally, Tally.Opened) is not None


def test_an_event_that_does_not_fit_fails_as_the_library_s_does() -> None:
    with (
        acting_as(METADATA),
        pytest.raises(TypeError, match=r"Unable to construct 'Tally\.Opened' event"),
    ):
        Tally._create(Tally.Opened, id=uuid4())
