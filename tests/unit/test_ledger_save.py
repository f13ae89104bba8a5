"""``LedgerCore.save`` collects our aggregates' pending events itself (no runtime-protocol
checks per object) and otherwise does what the library's ``save`` does: the events of every
aggregate recorded together in the order given, the ``notify`` hooks called with them; anything
that is not one of our aggregates goes the library's way."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import Recording

from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role, acting_as

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.API)


def customers(count: int) -> list[Customer]:
    with acting_as(AGENT):
        return [
            Customer.register(
                uuid4(),
                name=f"Customer {i}",
                email=f"c{i}@example.org",
                phone=None,
                region=None,
                email_fingerprint=f"fingerprint-{i}",
            )
            for i in range(count)
        ]


def test_the_events_of_every_aggregate_are_recorded_together_and_told_to_the_hooks(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[list[Recording[Any]]] = []
    monkeypatch.setattr(ledger, "_notify", told.append)
    first, second = customers(2)
    pending = [*first.pending_events, *second.pending_events]

    recordings = ledger.save(first, second)

    assert [r.domain_event for r in recordings] == pending
    assert [r.notification.id for r in recordings] == sorted(r.notification.id for r in recordings)
    assert told == [recordings]
    assert first.pending_events == [] and second.pending_events == []
    assert ledger.get_customer(first.id).version == first.version


def test_what_is_not_one_of_our_aggregates_goes_the_library_s_way(ledger: Ledger) -> None:
    (customer,) = customers(1)
    pending = list(customer.pending_events)
    recordings = ledger.save(None, customer)
    assert [r.domain_event for r in recordings] == pending
    assert ledger.get_customer(customer.id).version == customer.version
